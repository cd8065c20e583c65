package io.tributary.storage;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * A topic's {@code compression.gzip.level}, {@code compression.lz4.level} and {@code compression.zstd.level}
 * (KIP-390). They matter only where the broker itself compresses: when it re-encodes a batch into the topic's
 * {@code compression.type}. Batches kept as the producer sent them keep the producer's level.
 */
public record CompressionLevels(int gzip, int lz4, int zstd) {
    public static final String GZIP_LEVEL = "compression.gzip.level";
    public static final String LZ4_LEVEL = "compression.lz4.level";
    public static final String ZSTD_LEVEL = "compression.zstd.level";

    // Kafka's ranges and defaults (KIP-390); -1 asks zlib for its own default.
    private static final int GZIP_DEFAULT = -1;
    private static final int GZIP_MIN = 1;
    private static final int GZIP_MAX = 9;
    private static final int LZ4_MIN = 1;
    private static final int LZ4_MAX = 17;
    private static final int ZSTD_MIN = -131072;
    private static final int ZSTD_MAX = 22;

    public static final CompressionLevels DEFAULTS = new CompressionLevels(GZIP_DEFAULT, 9, 3);

    public CompressionLevels {
        if (gzip != GZIP_DEFAULT
                && (gzip < GZIP_MIN || gzip > GZIP_MAX)) {
            throw new ConfigException(GZIP_LEVEL, gzip, "must be " + GZIP_DEFAULT + " or in ["
                    + GZIP_MIN + ", " + GZIP_MAX + "]");
        }
        if (lz4 < LZ4_MIN || lz4 > LZ4_MAX) {
            throw new ConfigException(LZ4_LEVEL, lz4, "must be in [" + LZ4_MIN + ", "
                    + LZ4_MAX + "]");
        }
        if (zstd < ZSTD_MIN || zstd > ZSTD_MAX) {
            throw new ConfigException(ZSTD_LEVEL, zstd, "must be in [" + ZSTD_MIN + ", "
                    + ZSTD_MAX + "]");
        }
    }

    /** The compression to re-encode with: {@code codec} at this topic's level for it. */
    Compression forCodec(CompressionType codec) {
        return switch (codec) {
            case GZIP -> Compression.gzip().level(gzip).build();
            case LZ4 -> Compression.lz4().level(lz4).build();
            case ZSTD -> Compression.zstd().level(zstd).build();
            default -> Compression.of(codec).build();
        };
    }
}
