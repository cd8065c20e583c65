package io.tributary.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicConfigKeysTest {
  @Test
  void everyDefaultIsValid() {
    TopicConfigKeys.DEFAULTS.forEach((k, v) -> assertThat(TopicConfigKeys.validate(k, v)).as(k).isNull());
  }

  @Test
  void validatesByType() {
    assertThat(TopicConfigKeys.validate("retention.ms", "-1")).isNull();
    assertThat(TopicConfigKeys.validate("retention.ms", "-2")).isEqualTo("Value must be at least -1");
    assertThat(TopicConfigKeys.validate("segment.bytes", "1000")).isEqualTo("Value must be at least 1048576");
    assertThat(TopicConfigKeys.validate("segment.bytes", "99999999999")).isEqualTo("Not a number of type INT");
    assertThat(TopicConfigKeys.validate("min.cleanable.dirty.ratio", "1.5")).contains("no more than");
    assertThat(TopicConfigKeys.validate("preallocate", "TRUE")).isNull();
    assertThat(TopicConfigKeys.validate("preallocate", "yes")).contains("true or false");
    assertThat(TopicConfigKeys.validate("cleanup.policy", "compact, delete")).isNull();
    assertThat(TopicConfigKeys.validate("cleanup.policy", "compact,shred")).contains("one of");
    assertThat(TopicConfigKeys.validate("compression.type", "zstd")).isNull();
    assertThat(TopicConfigKeys.validate("compression.type", "brotli")).contains("one of");
    assertThat(TopicConfigKeys.validate("compression.gzip.level", "10")).contains("no more than 9");
    // The broker's own check (storage CompressionLevels) refuses 0 too, as Kafka does: accepting it here would
    // leave a topic whose log config cannot be built.
    assertThat(TopicConfigKeys.validate("compression.gzip.level", "0")).contains("-1 (the codec's default) or between 1 and 9");
    assertThat(TopicConfigKeys.validate("compression.gzip.level", "-1")).isNull();
  }

  @Test
  void brokerKeysValidateLikeTheirTopicCounterparts() {
    assertThat(BrokerConfigKeys.validate("log.retention.ms", "x")).isEqualTo("Not a number of type LONG");
    assertThat(BrokerConfigKeys.validate("log.segment.bytes", "1000")).isEqualTo("Value must be at least 1048576");
    assertThat(BrokerConfigKeys.validate("log.cleaner.min.cleanable.ratio", "2")).contains("no more than 1.0");
    assertThat(BrokerConfigKeys.validate("log.cleaner.threads", "0")).isEqualTo("Value must be at least 1");
    assertThat(BrokerConfigKeys.validate("log.cleaner.threads", "two")).isEqualTo("Not a number of type INT");
    assertThat(BrokerConfigKeys.validate("log.cleaner.dedupe.buffer.size", "1024")).contains("at least 1048576");
    assertThat(BrokerConfigKeys.validate("log.cleaner.io.max.bytes.per.second", "0")).contains("positive");
    assertThat(BrokerConfigKeys.validate("log.cleaner.io.max.bytes.per.second", "1e6")).isNull();
  }

  @Test
  void dynamicBrokerKeysAreThePreciseSynonymsAndTheCleanerSettings() {
    TopicConfigKeys.SPECS.keySet().forEach(topicKey -> {
      if (!BrokerConfigKeys.synonymsOf(topicKey).isEmpty()) {
        String brokerKey = BrokerConfigKeys.synonymsOf(topicKey).get(0);
        assertThat(BrokerConfigKeys.DYNAMIC).as(brokerKey).contains(brokerKey);
        assertThat(BrokerConfigKeys.topicKeyOf(brokerKey)).isEqualTo(topicKey);
      }
    });
    assertThat(BrokerConfigKeys.DYNAMIC).contains("log.cleaner.threads", "log.cleaner.io.max.bytes.per.second",
        "log.cleaner.dedupe.buffer.size").doesNotContain("log.retention.hours", "num.io.threads", "listeners");
    assertThat(BrokerConfigKeys.READ_ONLY).contains("log.retention.hours", "log.roll.hours", "num.io.threads")
        .doesNotContainAnyElementsOf(BrokerConfigKeys.DYNAMIC);
    assertThat(TopicConfigKeys.SPECS.keySet()).containsAll(BrokerConfigKeys.TOPIC_SYNONYMS.keySet());
  }

  @Test
  void brokerValuesBecomeTopicDefaultsWithTheMostPreciseTimeUnitWinning() {
    assertThat(BrokerConfigKeys.toTopicConfigs(java.util.Map.of("log.retention.hours", "2", "log.segment.bytes",
        "2000000", "num.io.threads", "4", "log.cleaner.min.cleanable.ratio", "0.1")))
        .isEqualTo(java.util.Map.of("retention.ms", "7200000", "segment.bytes", "2000000",
            "min.cleanable.dirty.ratio", "0.1"));
    assertThat(BrokerConfigKeys.toTopicConfigs(java.util.Map.of("log.retention.hours", "2",
        "log.retention.minutes", "3"))).isEqualTo(java.util.Map.of("retention.ms", "180000"));
    assertThat(BrokerConfigKeys.toTopicConfigs(java.util.Map.of("log.retention.hours", "2",
        "log.retention.ms", "5", "log.roll.hours", "1"))).isEqualTo(java.util.Map.of("retention.ms", "5",
        "segment.ms", "3600000"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BrokerConfigKeys.toTopicConfigs(
        java.util.Map.of("log.roll.hours", "soon"))).hasMessageContaining("log.roll.hours");
  }

  @Test
  void compactionLagsMustBeOrdered() {
    assertThat(TopicConfigKeys.validateCombination(TopicConfigKeys.DEFAULTS)).isNull();
    assertThat(TopicConfigKeys.validateCombination(java.util.Map.of("min.compaction.lag.ms", "10",
        "max.compaction.lag.ms", "9"))).contains("min.compaction.lag.ms", "max.compaction.lag.ms (9)");
    assertThat(TopicConfigKeys.validateCombination(java.util.Map.of("min.compaction.lag.ms", "9",
        "max.compaction.lag.ms", "9"))).isNull();
  }
}
