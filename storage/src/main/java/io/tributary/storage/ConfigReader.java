package io.tributary.storage;

import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;

/**
 * Reads single config values out of a Kafka-style string map for {@link LogConfig} and {@link CleanerConfig},
 * falling back when a key is absent and turning any parse failure into a ConfigException that names the key.
 */
final class ConfigReader {
    private final Map<String, String> configs;

    ConfigReader(Map<String, String> configs) {
        this.configs = configs;
    }

    long longValue(String key, long fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw, "not a valid long");
        }
    }

    int intValue(String key, int fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw, "not a valid int");
        }
    }

    double doubleValue(String key, double fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw, "not a valid double");
        }
    }

    CleanupPolicy cleanupPolicy(String key, CleanupPolicy fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        CleanupPolicy policy = CleanupPolicy.parse(raw);
        if (policy == null) {
            throw new ConfigException(key, raw, "must be delete, compact or compact,delete");
        }
        return policy;
    }

    TopicCompression compression(String key, TopicCompression fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        TopicCompression compression = TopicCompression.forName(raw.trim());
        if (compression == null) {
            throw new ConfigException(key, raw, "must be one of " + TopicCompression.NAMES);
        }
        return compression;
    }

    TimestampType timestampType(String key, TimestampType fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        String name = raw.trim();
        if (name.equals(TimestampType.CREATE_TIME.name)) {
            return TimestampType.CREATE_TIME;
        }
        if (name.equals(TimestampType.LOG_APPEND_TIME.name)) {
            return TimestampType.LOG_APPEND_TIME;
        }
        throw new ConfigException(key, raw, "must be CreateTime or LogAppendTime");
    }

    boolean booleanValue(String key, boolean fallback) {
        String raw = configs.get(key);
        if (raw == null) {
            return fallback;
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new ConfigException(key, raw, "must be true or false");
    }
}
