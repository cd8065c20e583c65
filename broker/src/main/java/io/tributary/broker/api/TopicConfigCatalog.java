package io.tributary.broker.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topic configs DescribeConfigs reports: Kafka's names, their broker-level synonym (the
 * server.properties key that sets the default) and the built-in default, as Kafka 4 documents them.
 */
final class TopicConfigCatalog {
    record Entry(String key, String brokerSynonym, String defaultValue) {
    }

    static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add("cleanup.policy", "log.cleanup.policy", "delete");
        add("compression.type", "compression.type", "producer");
        add("delete.retention.ms", "log.cleaner.delete.retention.ms", "86400000");
        add("file.delete.delay.ms", "log.segment.delete.delay.ms", "60000");
        add("flush.messages", "log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        add("flush.ms", "log.flush.interval.ms", Long.toString(Long.MAX_VALUE));
        add("index.interval.bytes", "log.index.interval.bytes", "4096");
        add("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", Long.toString(Long.MAX_VALUE));
        add("max.message.bytes", "message.max.bytes", "1048588");
        add("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", "3600000");
        add("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE));
        add("message.timestamp.type", "log.message.timestamp.type", "CreateTime");
        add("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", "0.5");
        add("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", "0");
        add("min.insync.replicas", "min.insync.replicas", "1");
        add("retention.bytes", "log.retention.bytes", "-1");
        add("retention.ms", "log.retention.ms", "604800000");
        add("segment.bytes", "log.segment.bytes", "1073741824");
        add("segment.index.bytes", "log.index.size.max.bytes", "10485760");
        add("segment.ms", "log.roll.ms", "604800000");
        add("unclean.leader.election.enable", "unclean.leader.election.enable", "false");
    }

    private static void add(String key, String synonym, String defaultValue) {
        ENTRIES.put(key, new Entry(key, synonym, defaultValue));
    }

    private TopicConfigCatalog() {
    }
}
