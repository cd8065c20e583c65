package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LogConfigTest {

    @Test
    void defaultsMatchKafka() {
        LogConfig d = LogConfig.DEFAULTS;
        assertThat(d.segmentBytes()).isEqualTo(1L << 30);
        assertThat(d.segmentMs()).isEqualTo(604_800_000L);
        assertThat(d.segmentIndexBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(d.indexIntervalBytes()).isEqualTo(4096);
        assertThat(d.retentionMs()).isEqualTo(604_800_000L);
        assertThat(d.retentionBytes()).isEqualTo(-1L);
        assertThat(d.flushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(d.maxMessageBytes()).isEqualTo(1_048_588);
        assertThat(d.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(d.timestampAfterMaxMs()).isEqualTo(3_600_000L);
    }

    @Test
    void overlaysKnownKeysAndIgnoresUnknownOnes() {
        LogConfig c = LogConfig.from(Map.of("segment.bytes", "2048", "retention.ms", "-1",
                "message.timestamp.type", "LogAppendTime", "cleanup.policy", "compact"), LogConfig.DEFAULTS);
        assertThat(c.segmentBytes()).isEqualTo(2048);
        assertThat(c.retentionMs()).isEqualTo(-1);
        assertThat(c.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(c.indexIntervalBytes()).isEqualTo(4096);
        assertThat(LogConfig.supportedKeys()).contains("segment.bytes", "flush.ms", "max.message.bytes")
                .doesNotContain("preallocate");
    }

    @Test
    void compactionAndCompressionSettingsFollowKafkasNames() {
        assertThat(LogConfig.DEFAULTS.cleanupPolicy()).isEqualTo(CleanupPolicy.DELETE);
        assertThat(LogConfig.DEFAULTS.compression()).isEqualTo(TopicCompression.PRODUCER);
        assertThat(LogConfig.DEFAULTS.deleteRetentionMs()).isEqualTo(86_400_000L);
        assertThat(LogConfig.DEFAULTS.minCleanableDirtyRatio()).isEqualTo(0.5);

        LogConfig c = LogConfig.from(Map.of("cleanup.policy", " delete , Compact", "compression.type", "ZSTD",
                "min.cleanable.dirty.ratio", "0.01", "min.compaction.lag.ms", "5", "max.compaction.lag.ms", "60000",
                "delete.retention.ms", "100"), LogConfig.DEFAULTS);

        assertThat(c.cleanupPolicy()).isEqualTo(CleanupPolicy.COMPACT_DELETE);
        assertThat(c.cleanupPolicy().compact()).isTrue();
        assertThat(c.cleanupPolicy().delete()).isTrue();
        assertThat(c.compression().targetCodec()).contains(org.apache.kafka.common.record.internal.CompressionType.ZSTD);
        assertThat(c.minCleanableDirtyRatio()).isEqualTo(0.01);
        assertThat(c.minCompactionLagMs()).isEqualTo(5);
        assertThat(c.maxCompactionLagMs()).isEqualTo(60_000);
        assertThat(c.deleteRetentionMs()).isEqualTo(100);
        assertThat(LogConfig.from(Map.of("cleanup.policy", "compact"), c).cleanupPolicy().delete()).isFalse();

        assertThatThrownBy(() -> LogConfig.from(Map.of("cleanup.policy", "compact,forever"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> LogConfig.from(Map.of("cleanup.policy", ""), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> LogConfig.from(Map.of("compression.type", "brotli"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("compression.type");
        assertThatThrownBy(() -> LogConfig.from(Map.of("min.cleanable.dirty.ratio", "1.5"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("min.cleanable.dirty.ratio");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> LogConfig.from(Map.of("segment.ms", "soon"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.ms");
        assertThatThrownBy(() -> LogConfig.from(Map.of("retention.bytes", "-2"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.bytes");
        assertThatThrownBy(() -> LogConfig.from(Map.of("segment.bytes", "10"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> LogConfig.from(Map.of("message.timestamp.type", "Whenever"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("message.timestamp.type");
        assertThatThrownBy(() -> LogConfig.from(Map.of("max.message.bytes", "99999999999"), LogConfig.DEFAULTS))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.message.bytes");
    }
}
