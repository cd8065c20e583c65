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
  }

  @Test
  void brokerKeysValidateLikeTheirTopicCounterparts() {
    assertThat(BrokerConfigKeys.validate("log.retention.ms", "x")).isEqualTo("Not a number of type LONG");
    assertThat(BrokerConfigKeys.validate("num.io.threads", "0")).isEqualTo("Value must be at least 1");
    assertThat(BrokerConfigKeys.validate("num.io.threads", "8")).isNull();
  }
}
