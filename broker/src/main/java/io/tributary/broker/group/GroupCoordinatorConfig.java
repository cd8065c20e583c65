package io.tributary.broker.group;

import io.tributary.broker.BrokerConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * The group coordinator's settings, under Kafka's broker config names.
 *
 * @param offsetsTopicPartitions        offsets.topic.num.partitions: partitions of {@code __consumer_offsets}
 * @param offsetsTopicReplicationFactor offsets.topic.replication.factor; -1 (not set) means min(3, brokers), so a
 *                                      single node works without configuration
 * @param offsetsTopicSegmentBytes      offsets.topic.segment.bytes
 * @param offsetMetadataMaxBytes        offset.metadata.max.bytes: longer commit metadata is refused
 * @param offsetsLoadBufferBytes        offsets.load.buffer.size: read size when loading a partition
 * @param offsetsRetentionMs            offsets.retention.minutes: offsets of an empty group expire this long after
 *                                      it became empty (or after the commit, for a group never managed here)
 * @param offsetsRetentionCheckIntervalMs offsets.retention.check.interval.ms
 * @param minSessionTimeoutMs           group.min.session.timeout.ms
 * @param maxSessionTimeoutMs           group.max.session.timeout.ms
 * @param initialRebalanceDelayMs       group.initial.rebalance.delay.ms: how long the first rebalance of an empty
 *                                      group waits for more members
 * @param maxGroupSize                  group.max.size
 * @param consumerSessionTimeoutMs      group.consumer.session.timeout.ms: how long a consumer-protocol (KIP-848)
 *                                      member lives without a heartbeat
 * @param consumerHeartbeatIntervalMs   group.consumer.heartbeat.interval.ms: the interval such members are told to
 *                                      heartbeat at
 * @param consumerMaxGroupSize          group.consumer.max.size
 */
public record GroupCoordinatorConfig(int offsetsTopicPartitions, short offsetsTopicReplicationFactor,
                                     int offsetsTopicSegmentBytes, int offsetMetadataMaxBytes,
                                     int offsetsLoadBufferBytes, long offsetsRetentionMs,
                                     long offsetsRetentionCheckIntervalMs, int minSessionTimeoutMs,
                                     int maxSessionTimeoutMs, int initialRebalanceDelayMs, int maxGroupSize,
                                     int consumerSessionTimeoutMs, int consumerHeartbeatIntervalMs,
                                     int consumerMaxGroupSize) {

    public static final int DEFAULT_CONSUMER_SESSION_TIMEOUT_MS = 45_000;
    public static final int DEFAULT_CONSUMER_HEARTBEAT_INTERVAL_MS = 5_000;

    public static final GroupCoordinatorConfig DEFAULTS = new GroupCoordinatorConfig(50, (short) -1, 100 * 1024 * 1024,
            4096, 5 * 1024 * 1024, 7L * 24 * 60 * 60 * 1000, 600_000L, 6_000, 1_800_000, 3_000, Integer.MAX_VALUE);

    /** The classic settings, with the consumer-protocol ones at their defaults. */
    public GroupCoordinatorConfig(int offsetsTopicPartitions, short offsetsTopicReplicationFactor,
                                  int offsetsTopicSegmentBytes, int offsetMetadataMaxBytes, int offsetsLoadBufferBytes,
                                  long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs, int minSessionTimeoutMs,
                                  int maxSessionTimeoutMs, int initialRebalanceDelayMs, int maxGroupSize) {
        this(offsetsTopicPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes, offsetMetadataMaxBytes,
                offsetsLoadBufferBytes, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, minSessionTimeoutMs,
                maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, DEFAULT_CONSUMER_SESSION_TIMEOUT_MS,
                DEFAULT_CONSUMER_HEARTBEAT_INTERVAL_MS, Integer.MAX_VALUE);
    }

    public GroupCoordinatorConfig {
        check("offsets.topic.num.partitions", offsetsTopicPartitions, offsetsTopicPartitions >= 1);
        check("offsets.topic.replication.factor", offsetsTopicReplicationFactor,
                offsetsTopicReplicationFactor == -1 || offsetsTopicReplicationFactor >= 1);
        check("offsets.topic.segment.bytes", offsetsTopicSegmentBytes, offsetsTopicSegmentBytes >= 1);
        check("offset.metadata.max.bytes", offsetMetadataMaxBytes, offsetMetadataMaxBytes >= 0);
        check("offsets.load.buffer.size", offsetsLoadBufferBytes, offsetsLoadBufferBytes >= 1);
        check("offsets.retention.minutes", offsetsRetentionMs, offsetsRetentionMs >= 1);
        check("offsets.retention.check.interval.ms", offsetsRetentionCheckIntervalMs, offsetsRetentionCheckIntervalMs >= 1);
        check("group.min.session.timeout.ms", minSessionTimeoutMs, minSessionTimeoutMs >= 0);
        check("group.max.session.timeout.ms", maxSessionTimeoutMs, maxSessionTimeoutMs >= minSessionTimeoutMs);
        check("group.initial.rebalance.delay.ms", initialRebalanceDelayMs, initialRebalanceDelayMs >= 0);
        check("group.max.size", maxGroupSize, maxGroupSize >= 1);
        check("group.consumer.session.timeout.ms", consumerSessionTimeoutMs, consumerSessionTimeoutMs >= 1);
        check("group.consumer.heartbeat.interval.ms", consumerHeartbeatIntervalMs,
                consumerHeartbeatIntervalMs >= 1 && consumerHeartbeatIntervalMs < consumerSessionTimeoutMs);
        check("group.consumer.max.size", consumerMaxGroupSize, consumerMaxGroupSize >= 1);
    }

    public static GroupCoordinatorConfig from(BrokerConfig config) {
        GroupCoordinatorConfig d = DEFAULTS;
        return new GroupCoordinatorConfig(
                intValue(config, "offsets.topic.num.partitions", d.offsetsTopicPartitions),
                (short) intValue(config, "offsets.topic.replication.factor", d.offsetsTopicReplicationFactor),
                intValue(config, "offsets.topic.segment.bytes", d.offsetsTopicSegmentBytes),
                intValue(config, "offset.metadata.max.bytes", d.offsetMetadataMaxBytes),
                intValue(config, "offsets.load.buffer.size", d.offsetsLoadBufferBytes),
                longValue(config, "offsets.retention.minutes", d.offsetsRetentionMs / 60_000L) * 60_000L,
                longValue(config, "offsets.retention.check.interval.ms", d.offsetsRetentionCheckIntervalMs),
                intValue(config, "group.min.session.timeout.ms", d.minSessionTimeoutMs),
                intValue(config, "group.max.session.timeout.ms", d.maxSessionTimeoutMs),
                intValue(config, "group.initial.rebalance.delay.ms", d.initialRebalanceDelayMs),
                intValue(config, "group.max.size", d.maxGroupSize),
                intValue(config, "group.consumer.session.timeout.ms", d.consumerSessionTimeoutMs),
                intValue(config, "group.consumer.heartbeat.interval.ms", d.consumerHeartbeatIntervalMs),
                intValue(config, "group.consumer.max.size", d.consumerMaxGroupSize));
    }

    private static int intValue(BrokerConfig config, String key, int defaultValue) {
        String v = config.get(key, null);
        try {
            return v == null ? defaultValue : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "not an integer");
        }
    }

    private static long longValue(BrokerConfig config, String key, long defaultValue) {
        String v = config.get(key, null);
        try {
            return v == null ? defaultValue : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "not a long");
        }
    }

    private static void check(String key, long value, boolean ok) {
        if (!ok) {
            throw new ConfigException(key, value, "out of range");
        }
    }
}
