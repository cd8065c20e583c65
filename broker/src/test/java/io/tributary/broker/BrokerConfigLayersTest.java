package io.tributary.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.metadata.ConfigRecord;
import io.tributary.metadata.MetadataImage;
import io.tributary.storage.LogConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BrokerConfigLayersTest {
    private static ConfigRecord broker(String name, String key, String value) {
        return new ConfigRecord(ConfigRecord.ResourceType.BROKER, name, key, value);
    }

    @Test
    void ownDynamicBeatsClusterDefaultBeatsStatic() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                broker("", "log.retention.ms", "2000"), broker("", "log.segment.bytes", "3000000"),
                broker("1", "log.retention.ms", "1000"), broker("2", "log.flush.interval.ms", "5")));
        BrokerConfigLayers layers = BrokerConfigLayers.of(
                Map.of("log.retention.ms", "4000", "log.roll.ms", "600000", "log.segment.bytes", "2000000"), image, 1);

        assertThat(layers.effective("log.retention.ms")).isEqualTo("1000");
        assertThat(layers.effective("log.segment.bytes")).isEqualTo("3000000");
        assertThat(layers.effective("log.roll.ms")).isEqualTo("600000");
        assertThat(layers.effective("log.flush.interval.ms")).as("another broker's own config").isNull();
        assertThat(layers.topicDefaults()).containsEntry("retention.ms", "1000").containsEntry("segment.bytes", "3000000")
                .containsEntry("segment.ms", "600000").doesNotContainKey("flush.ms");

        LogConfig defaults = layers.logDefaults(LogConfig.DEFAULTS);
        assertThat(defaults.retentionMs()).isEqualTo(1000);
        assertThat(defaults.segmentBytes()).isEqualTo(3_000_000);
        assertThat(defaults.segmentMs()).isEqualTo(600_000);
        assertThat(defaults.flushIntervalMs()).isEqualTo(LogConfig.DEFAULTS.flushIntervalMs());
    }

    @Test
    void aDynamicPreciseKeyOutranksAStaticCoarseOne() {
        Map<String, String> staticValues = Map.of("log.retention.hours", "5");
        BrokerConfigLayers plain = BrokerConfigLayers.of(staticValues, MetadataImage.EMPTY, 1);
        assertThat(plain.logDefaults(LogConfig.DEFAULTS).retentionMs()).isEqualTo(5 * 3_600_000L);

        MetadataImage image = MetadataImage.EMPTY.apply(List.of(broker("", "log.retention.ms", "77")));
        BrokerConfigLayers dynamic = BrokerConfigLayers.of(staticValues, image, 1);
        assertThat(dynamic.logDefaults(LogConfig.DEFAULTS).retentionMs()).isEqualTo(77);
        assertThat(dynamic.dynamicDiffers(plain)).isTrue();
        assertThat(BrokerConfigLayers.of(staticValues, image, 1).dynamicDiffers(dynamic)).isFalse();
    }

    @Test
    void theCleanerAndLogSettingsAllReachTheLogDefaults() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                broker("", "log.cleanup.policy", "compact"), broker("", "log.cleaner.delete.retention.ms", "10"),
                broker("", "log.cleaner.min.cleanable.ratio", "0.2"), broker("", "log.cleaner.min.compaction.lag.ms", "11"),
                broker("", "log.cleaner.max.compaction.lag.ms", "12"), broker("", "log.flush.interval.messages", "13"),
                broker("", "log.message.timestamp.type", "LogAppendTime"), broker("", "message.max.bytes", "14"),
                broker("", "compression.type", "zstd"), broker("", "log.index.interval.bytes", "15"),
                broker("", "log.retention.bytes", "16")));
        LogConfig c = BrokerConfigLayers.of(Map.of(), image, 1).logDefaults(LogConfig.DEFAULTS);
        assertThat(c.cleanupPolicy().compact()).isTrue();
        assertThat(c.cleanupPolicy().delete()).isFalse();
        assertThat(c.deleteRetentionMs()).isEqualTo(10);
        assertThat(c.minCleanableDirtyRatio()).isEqualTo(0.2);
        assertThat(c.minCompactionLagMs()).isEqualTo(11);
        assertThat(c.maxCompactionLagMs()).isEqualTo(12);
        assertThat(c.flushIntervalMessages()).isEqualTo(13);
        assertThat(c.timestampType().name).isEqualTo("LogAppendTime");
        assertThat(c.maxMessageBytes()).isEqualTo(14);
        assertThat(c.compression().configName()).isEqualTo("zstd");
        assertThat(c.indexIntervalBytes()).isEqualTo(15);
        assertThat(c.retentionBytes()).isEqualTo(16);
    }

    @Test
    void anInvalidEffectiveValueIsAConfigExceptionNamingTheKey() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(broker("1", "log.segment.bytes", "huge")));
        assertThatThrownBy(() -> BrokerConfigLayers.of(Map.of(), image, 1).logDefaults(LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.bytes");
    }
}
