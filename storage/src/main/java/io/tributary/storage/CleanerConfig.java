package io.tributary.storage;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Broker-wide settings of the log cleaner, under Kafka's {@code server.properties} names and with Kafka's defaults.
 * The per-topic knobs (cleanup.policy, min.cleanable.dirty.ratio, delete.retention.ms, compaction lags) live in
 * {@link LogConfig}; these decide how much of the machine the cleaner may use.
 *
 * @param enabled               {@code log.cleaner.enable}: run cleaner threads at all
 * @param threads               {@code log.cleaner.threads}: cleaner threads; logs are cleaned one per thread
 * @param dedupeBufferBytes     {@code log.cleaner.dedupe.buffer.size}: total offset-map memory, split across threads
 * @param ioBufferBytes         {@code log.cleaner.io.buffer.size}: initial read+write buffer memory per thread
 * @param ioBufferLoadFactor    {@code log.cleaner.io.buffer.load.factor}: how full an offset map may get
 * @param ioMaxBytesPerSecond   {@code log.cleaner.io.max.bytes.per.second}: read+write budget of all threads together
 * @param backoffMs             {@code log.cleaner.backoff.ms}: sleep when no log needs cleaning
 */
public record CleanerConfig(boolean enabled, int threads, long dedupeBufferBytes, int ioBufferBytes,
                            double ioBufferLoadFactor, double ioMaxBytesPerSecond, long backoffMs) {

    public static final String ENABLE = "log.cleaner.enable";
    public static final String THREADS = "log.cleaner.threads";
    public static final String DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String BACKOFF_MS = "log.cleaner.backoff.ms";

    /** Smallest offset map a thread may get: room for a few keys, so every pass makes progress. */
    public static final long DEDUPE_BUFFER_BYTES_PER_THREAD_MIN = 4L * OffsetMap.ENTRY_BYTES;
    /** Kafka caps one thread's map at 2 GiB (a ByteBuffer's limit). */
    public static final long DEDUPE_BUFFER_BYTES_PER_THREAD_MAX = Integer.MAX_VALUE;

    public static final CleanerConfig DEFAULTS = new CleanerConfig(true, 1, 128L * 1024 * 1024, 512 * 1024, 0.9,
            Double.MAX_VALUE, 15_000L);

    public CleanerConfig {
        if (threads < 1) {
            throw new ConfigException(THREADS, threads, "must be >= 1");
        }
        if (dedupeBufferBytes / threads < DEDUPE_BUFFER_BYTES_PER_THREAD_MIN) {
            throw new ConfigException(DEDUPE_BUFFER_SIZE, dedupeBufferBytes, "must give each of the " + threads
                    + " threads at least " + DEDUPE_BUFFER_BYTES_PER_THREAD_MIN + " bytes");
        }
        if (ioBufferBytes < 2 * BatchHeaderFlyweight.HEADER_SIZE) {
            throw new ConfigException(IO_BUFFER_SIZE, ioBufferBytes, "must be >= " + 2 * BatchHeaderFlyweight.HEADER_SIZE);
        }
        if (!(ioBufferLoadFactor > 0 && ioBufferLoadFactor <= 1)) {
            throw new ConfigException(IO_BUFFER_LOAD_FACTOR, ioBufferLoadFactor, "must be in (0, 1]");
        }
        if (!(ioMaxBytesPerSecond > 0)) {
            throw new ConfigException(IO_MAX_BYTES_PER_SECOND, ioMaxBytesPerSecond, "must be > 0");
        }
        if (backoffMs < 0) {
            throw new ConfigException(BACKOFF_MS, backoffMs, "must be >= 0");
        }
    }

    /** Offset-map memory of one thread (Kafka: the total divided by the threads, at most 2 GiB). */
    public int dedupeBufferBytesPerThread() {
        return (int) Math.min(DEDUPE_BUFFER_BYTES_PER_THREAD_MAX, dedupeBufferBytes / threads);
    }

    /**
     * Reads the {@code log.cleaner.*} keys (other keys are ignored) over {@link #DEFAULTS}.
     *
     * @throws ConfigException naming the key when a value does not parse or is out of range
     */
    public static CleanerConfig from(Map<String, String> configs) {
        ConfigReader r = new ConfigReader(configs);
        return new CleanerConfig(
                r.booleanValue(ENABLE, DEFAULTS.enabled),
                r.intValue(THREADS, DEFAULTS.threads),
                r.longValue(DEDUPE_BUFFER_SIZE, DEFAULTS.dedupeBufferBytes),
                r.intValue(IO_BUFFER_SIZE, DEFAULTS.ioBufferBytes),
                r.doubleValue(IO_BUFFER_LOAD_FACTOR, DEFAULTS.ioBufferLoadFactor),
                r.doubleValue(IO_MAX_BYTES_PER_SECOND, DEFAULTS.ioMaxBytesPerSecond),
                r.longValue(BACKOFF_MS, DEFAULTS.backoffMs));
    }
}
