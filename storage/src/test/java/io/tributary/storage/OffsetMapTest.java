package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheLatestOffsetPerKeyUpToItsLoadFactor() {
        OffsetMap map = new OffsetMap(100 * OffsetMap.ENTRY_BYTES, 0.9);
        assertThat(map.slots()).isEqualTo(100);
        assertThat(map.maxEntries()).isEqualTo(90);
        for (int i = 0; i < 90; i++) {
            assertThat(map.put(key("k" + i), i)).isTrue();
        }
        assertThat(map.isFull()).isTrue();
        assertThat(map.put(key("new"), 1000)).as("a new key does not fit").isFalse();
        assertThat(map.put(key("k3"), 500)).as("an existing key is updated").isTrue();
        assertThat(map.get(key("k3"))).isEqualTo(500);
        assertThat(map.get(key("k4"))).isEqualTo(4);
        assertThat(map.get(key("new"))).isEqualTo(-1);
        assertThat(map.latestOffset()).isEqualTo(500);
        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(key("k3"))).isEqualTo(-1);
    }

    @Test
    void cleanerConfigReadsKafkasKeysWithKafkasDefaults() {
        CleanerConfig defaults = CleanerConfig.from(Map.of());
        assertThat(defaults).isEqualTo(CleanerConfig.DEFAULTS);
        assertThat(defaults.dedupeBufferBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(defaults.ioBufferLoadFactor()).isEqualTo(0.9);
        CleanerConfig c = CleanerConfig.from(Map.of(CleanerConfig.THREADS, "2", CleanerConfig.DEDUPE_BUFFER_SIZE,
                "1000000", CleanerConfig.IO_MAX_BYTES_PER_SECOND, "1e6", CleanerConfig.ENABLE, "false",
                CleanerConfig.BACKOFF_MS, "10"));
        assertThat(c.dedupeBufferBytesPerThread()).isEqualTo(500_000);
        assertThat(c.enabled()).isFalse();
        assertThat(c.ioMaxBytesPerSecond()).isEqualTo(1e6);
        assertThatThrownBy(() -> CleanerConfig.from(Map.of(CleanerConfig.THREADS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CleanerConfig.THREADS);
        assertThatThrownBy(() -> CleanerConfig.from(Map.of(CleanerConfig.ENABLE, "yes")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void throttlerSleepsUntilTheAverageRateIsBackOnBudget() {
        ManualTime time = new ManualTime(0);
        Throttler throttler = new Throttler(1000, time, () -> false);
        for (int i = 0; i < 100; i++) {
            throttler.maybeThrottle(100); // 10 000 bytes at 1000 bytes/s: about 10 s
        }
        assertThat(time.milliseconds()).isBetween(10_000L - Throttler.CHECK_INTERVAL_MS, 10_000L);
        throttler.setRate(Double.MAX_VALUE);
        throttler.maybeThrottle(1_000_000);
        assertThat(time.milliseconds()).isLessThanOrEqualTo(10_000L);
    }
}
