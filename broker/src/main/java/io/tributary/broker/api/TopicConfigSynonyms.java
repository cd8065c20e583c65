package io.tributary.broker.api;

import java.util.Map;

/**
 * The server.properties key that sets each topic config's broker-wide default (Kafka's "synonym"),
 * shown by DescribeConfigs so an operator sees where a value came from.
 */
final class TopicConfigSynonyms {
    private static final Map<String, String> BROKER_KEYS = Map.ofEntries(
            Map.entry("cleanup.policy", "log.cleanup.policy"),
            Map.entry("compression.type", "compression.type"),
            Map.entry("delete.retention.ms", "log.cleaner.delete.retention.ms"),
            Map.entry("file.delete.delay.ms", "log.segment.delete.delay.ms"),
            Map.entry("flush.messages", "log.flush.interval.messages"),
            Map.entry("flush.ms", "log.flush.interval.ms"),
            Map.entry("index.interval.bytes", "log.index.interval.bytes"),
            Map.entry("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"),
            Map.entry("max.message.bytes", "message.max.bytes"),
            Map.entry("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms"),
            Map.entry("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms"),
            Map.entry("message.timestamp.type", "log.message.timestamp.type"),
            Map.entry("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"),
            Map.entry("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"),
            Map.entry("min.insync.replicas", "min.insync.replicas"),
            Map.entry("preallocate", "log.preallocate"),
            Map.entry("retention.bytes", "log.retention.bytes"),
            Map.entry("retention.ms", "log.retention.ms"),
            Map.entry("segment.bytes", "log.segment.bytes"),
            Map.entry("segment.index.bytes", "log.index.size.max.bytes"),
            Map.entry("segment.jitter.ms", "log.roll.jitter.ms"),
            Map.entry("segment.ms", "log.roll.ms"),
            Map.entry("unclean.leader.election.enable", "unclean.leader.election.enable"));

    private TopicConfigSynonyms() {
    }

    /** The broker key, or null when the topic config has no broker-wide default. */
    static String brokerKey(String topicKey) {
        return BROKER_KEYS.get(topicKey);
    }

    static Iterable<String> brokerKeys() {
        return BROKER_KEYS.values();
    }
}
