package io.tributary.storage;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * A topic's {@code compression.type}. {@code producer} stores batches exactly as they arrive; any other value
 * names the codec every stored batch must use, which is the one case where the broker re-encodes a batch.
 */
public enum TopicCompression {
    PRODUCER("producer", null),
    UNCOMPRESSED("uncompressed", CompressionType.NONE),
    GZIP("gzip", CompressionType.GZIP),
    SNAPPY("snappy", CompressionType.SNAPPY),
    LZ4("lz4", CompressionType.LZ4),
    ZSTD("zstd", CompressionType.ZSTD);

    /** The accepted names, for error messages. */
    public static final List<String> NAMES = Arrays.stream(values()).map(c -> c.configName).toList();

    private final String configName;
    private final CompressionType codec;

    TopicCompression(String configName, CompressionType codec) {
        this.configName = configName;
        this.codec = codec;
    }

    public String configName() {
        return configName;
    }

    /** The codec batches must be stored with, or empty when the producer's codec is kept. */
    public Optional<CompressionType> targetCodec() {
        return Optional.ofNullable(codec);
    }

    /** @return null for an unknown name */
    public static TopicCompression forName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (TopicCompression c : values()) {
            if (c.configName.equals(lower)) {
                return c;
            }
        }
        return null;
    }
}
