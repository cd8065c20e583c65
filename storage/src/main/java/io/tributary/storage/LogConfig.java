package io.tributary.storage;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;

/**
 * Immutable per-topic log settings. Each component carries the Kafka topic-config name it is read from, so
 * {@link #from(Map, LogConfig)} can overlay a topic's {@code configs} map on the broker defaults.
 *
 * @param segmentBytes          {@code segment.bytes}: roll the active segment before it would exceed this size
 * @param segmentMs             {@code segment.ms}: roll when the first and newest batch timestamps are this far apart
 * @param segmentIndexBytes     {@code segment.index.bytes}: preallocated size of each offset/time index
 * @param indexIntervalBytes    {@code index.interval.bytes}: log bytes between two sparse index entries
 * @param retentionMs           {@code retention.ms}: delete segments whose newest timestamp is older; -1 = forever
 * @param retentionBytes        {@code retention.bytes}: keep the log at most this large; -1 = unbounded
 * @param flushIntervalMessages {@code flush.messages}: fsync after this many unflushed records
 * @param flushIntervalMs       {@code flush.ms}: fsync when the last flush is this old (background task)
 * @param fileDeleteDelayMs     {@code file.delete.delay.ms}: grace period before deleted files are really removed
 * @param maxMessageBytes       {@code max.message.bytes}: largest accepted batch (including the 12-byte log overhead)
 * @param timestampType         {@code message.timestamp.type}: CreateTime or LogAppendTime
 * @param timestampBeforeMaxMs  {@code message.timestamp.before.max.ms}: how far in the past a CreateTime may be
 * @param timestampAfterMaxMs   {@code message.timestamp.after.max.ms}: how far in the future a CreateTime may be
 * @param cleanupPolicy         {@code cleanup.policy}: delete old segments, compact by key, or both
 * @param deleteRetentionMs     {@code delete.retention.ms}: how long the cleaner keeps tombstones once cleaned past
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: dirty share of the log before it is worth cleaning
 * @param minCompactionLagMs    {@code min.compaction.lag.ms}: a record stays uncompacted at least this long
 * @param maxCompactionLagMs    {@code max.compaction.lag.ms}: a record is compacted at most this long after append
 * @param compression           {@code compression.type}: keep the producer's codec, or recompress to a fixed one
 * @param compressionLevels     {@code compression.gzip/lz4/zstd.level}: the levels used when recompressing
 */
public record LogConfig(long segmentBytes, long segmentMs, int segmentIndexBytes, int indexIntervalBytes,
                        long retentionMs, long retentionBytes, long flushIntervalMessages, long flushIntervalMs,
                        long fileDeleteDelayMs, int maxMessageBytes, TimestampType timestampType,
                        long timestampBeforeMaxMs, long timestampAfterMaxMs, CleanupPolicy cleanupPolicy,
                        long deleteRetentionMs, double minCleanableDirtyRatio, long minCompactionLagMs,
                        long maxCompactionLagMs, TopicCompression compression, CompressionLevels compressionLevels) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String COMPRESSION_TYPE = "compression.type";

    /**
     * Smallest accepted segment size. Kafka insists on 1 MiB; we allow tiny segments so tests can roll cheaply,
     * but a segment must at least hold one batch header.
     */
    public static final long SEGMENT_BYTES_MIN = BatchHeaderFlyweight.HEADER_SIZE;

    private static final Set<String> SUPPORTED_KEYS = Set.of(SEGMENT_BYTES, SEGMENT_MS, SEGMENT_INDEX_BYTES,
            INDEX_INTERVAL_BYTES, RETENTION_MS, RETENTION_BYTES, FLUSH_MESSAGES, FLUSH_MS, FILE_DELETE_DELAY_MS,
            MAX_MESSAGE_BYTES, MESSAGE_TIMESTAMP_TYPE, MESSAGE_TIMESTAMP_BEFORE_MAX_MS, MESSAGE_TIMESTAMP_AFTER_MAX_MS,
            CLEANUP_POLICY, DELETE_RETENTION_MS, MIN_CLEANABLE_DIRTY_RATIO, MIN_COMPACTION_LAG_MS, MAX_COMPACTION_LAG_MS,
            COMPRESSION_TYPE, CompressionLevels.GZIP_LEVEL, CompressionLevels.LZ4_LEVEL, CompressionLevels.ZSTD_LEVEL);

    /** Kafka's broker defaults for these topic configs. */
    public static final LogConfig DEFAULTS = new LogConfig(1024L * 1024 * 1024, 7L * 24 * 60 * 60 * 1000,
            10 * 1024 * 1024, 4096, 7L * 24 * 60 * 60 * 1000, -1L, Long.MAX_VALUE, Long.MAX_VALUE, 60_000L,
            1024 * 1024 + 12, TimestampType.CREATE_TIME, Long.MAX_VALUE, 3_600_000L, CleanupPolicy.DELETE,
            24L * 60 * 60 * 1000, 0.5, 0L, Long.MAX_VALUE, TopicCompression.PRODUCER, CompressionLevels.DEFAULTS);

    public LogConfig {
        check(SEGMENT_BYTES, segmentBytes, segmentBytes >= SEGMENT_BYTES_MIN && segmentBytes <= Integer.MAX_VALUE,
                "must be in [" + SEGMENT_BYTES_MIN + ", " + Integer.MAX_VALUE + "]");
        check(SEGMENT_MS, segmentMs, segmentMs >= 1, "must be >= 1");
        check(SEGMENT_INDEX_BYTES, segmentIndexBytes, segmentIndexBytes >= 4, "must be >= 4");
        check(INDEX_INTERVAL_BYTES, indexIntervalBytes, indexIntervalBytes >= 0, "must be >= 0");
        check(RETENTION_MS, retentionMs, retentionMs >= -1, "must be >= -1");
        check(RETENTION_BYTES, retentionBytes, retentionBytes >= -1, "must be >= -1");
        check(FLUSH_MESSAGES, flushIntervalMessages, flushIntervalMessages >= 1, "must be >= 1");
        check(FLUSH_MS, flushIntervalMs, flushIntervalMs >= 0, "must be >= 0");
        check(FILE_DELETE_DELAY_MS, fileDeleteDelayMs, fileDeleteDelayMs >= 0, "must be >= 0");
        check(MAX_MESSAGE_BYTES, maxMessageBytes, maxMessageBytes >= 0, "must be >= 0");
        if (timestampType != TimestampType.CREATE_TIME && timestampType != TimestampType.LOG_APPEND_TIME) {
            throw new ConfigException(MESSAGE_TIMESTAMP_TYPE, timestampType, "must be CreateTime or LogAppendTime");
        }
        check(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, timestampBeforeMaxMs, timestampBeforeMaxMs >= 0, "must be >= 0");
        check(MESSAGE_TIMESTAMP_AFTER_MAX_MS, timestampAfterMaxMs, timestampAfterMaxMs >= 0, "must be >= 0");
        if (cleanupPolicy == null) {
            throw new ConfigException(CLEANUP_POLICY, null, "must be delete, compact or compact,delete");
        }
        check(DELETE_RETENTION_MS, deleteRetentionMs, deleteRetentionMs >= 0, "must be >= 0");
        check(MIN_CLEANABLE_DIRTY_RATIO, minCleanableDirtyRatio,
                minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1, "must be in [0, 1]");
        check(MIN_COMPACTION_LAG_MS, minCompactionLagMs, minCompactionLagMs >= 0, "must be >= 0");
        check(MAX_COMPACTION_LAG_MS, maxCompactionLagMs, maxCompactionLagMs >= 1, "must be >= 1");
        if (compression == null) {
            throw new ConfigException(COMPRESSION_TYPE, null, "must be one of " + TopicCompression.NAMES);
        }
        if (compressionLevels == null) {
            throw new ConfigException(CompressionLevels.GZIP_LEVEL, null, "compression levels are required");
        }
    }

    /**
     * How long the active segment may span before it rolls. The cleaner never touches the active segment, so for a
     * compacted log max.compaction.lag.ms also bounds it (as in Kafka): otherwise a record in a quiet partition
     * could wait for segment.ms (7 days by default) instead of the promised lag.
     */
    public long segmentRollMs() {
        return cleanupPolicy.compact() ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
    }

    /** The topic-config keys {@link #from} understands. */
    public static Set<String> supportedKeys() {
        return SUPPORTED_KEYS;
    }

    /**
     * Overlays Kafka topic-config keys on {@code base}. Unknown keys are ignored (the caller validates names).
     *
     * @throws ConfigException naming the key and the reason when a value does not parse or is out of range
     */
    public static LogConfig from(Map<String, String> topicConfigs, LogConfig base) {
        ConfigReader r = new ConfigReader(topicConfigs);
        return new LogConfig(
                r.longValue(SEGMENT_BYTES, base.segmentBytes),
                r.longValue(SEGMENT_MS, base.segmentMs),
                r.intValue(SEGMENT_INDEX_BYTES, base.segmentIndexBytes),
                r.intValue(INDEX_INTERVAL_BYTES, base.indexIntervalBytes),
                r.longValue(RETENTION_MS, base.retentionMs),
                r.longValue(RETENTION_BYTES, base.retentionBytes),
                r.longValue(FLUSH_MESSAGES, base.flushIntervalMessages),
                r.longValue(FLUSH_MS, base.flushIntervalMs),
                r.longValue(FILE_DELETE_DELAY_MS, base.fileDeleteDelayMs),
                r.intValue(MAX_MESSAGE_BYTES, base.maxMessageBytes),
                r.timestampType(MESSAGE_TIMESTAMP_TYPE, base.timestampType),
                r.longValue(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, base.timestampBeforeMaxMs),
                r.longValue(MESSAGE_TIMESTAMP_AFTER_MAX_MS, base.timestampAfterMaxMs),
                r.cleanupPolicy(CLEANUP_POLICY, base.cleanupPolicy),
                r.longValue(DELETE_RETENTION_MS, base.deleteRetentionMs),
                r.doubleValue(MIN_CLEANABLE_DIRTY_RATIO, base.minCleanableDirtyRatio),
                r.longValue(MIN_COMPACTION_LAG_MS, base.minCompactionLagMs),
                r.longValue(MAX_COMPACTION_LAG_MS, base.maxCompactionLagMs),
                r.compression(COMPRESSION_TYPE, base.compression),
                new CompressionLevels(
                        r.intValue(CompressionLevels.GZIP_LEVEL, base.compressionLevels.gzip()),
                        r.intValue(CompressionLevels.LZ4_LEVEL, base.compressionLevels.lz4()),
                        r.intValue(CompressionLevels.ZSTD_LEVEL, base.compressionLevels.zstd())));
    }

    private static void check(String key, Object value, boolean ok, String reason) {
        if (!ok) {
            throw new ConfigException(key, value, reason);
        }
    }
}
