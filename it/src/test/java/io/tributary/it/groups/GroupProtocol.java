package io.tributary.it.groups;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The two ways a KafkaConsumer can be a group member, which the group scenarios run under alike. With the classic
 * protocol the client chooses its session timeout and heartbeat interval and assigns partitions itself (its leader
 * does); with the consumer protocol (KIP-848) the broker owns all of that ({@code group.consumer.session.timeout.ms},
 * {@code group.consumer.heartbeat.interval.ms}, the server-side assignor) and the client refuses the classic-only
 * settings, so those are only ever added through {@link #session}.
 */
enum GroupProtocol {
    CLASSIC("classic"),
    CONSUMER("consumer");

    /** What a test broker started with {@code TestBroker.QUICK_GROUPS} gives consumer-protocol members. */
    static final int CONSUMER_SESSION_TIMEOUT_MS = 6_000;
    static final int CONSUMER_HEARTBEAT_MS = 500;

    private final String configValue;

    GroupProtocol(String configValue) {
        this.configValue = configValue;
    }

    /** The client's {@code group.protocol}, with the classic defaults these tests use where they apply. */
    Map<String, Object> settings() {
        return this == CLASSIC
                ? Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, configValue,
                        // Faster than the client default so rebalances are noticed within a second rather than three.
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500)
                : Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, configValue);
    }

    /** Client settings for a classic member's session; none for the consumer protocol, where the broker decides. */
    Map<String, Object> session(int sessionTimeoutMs, int heartbeatIntervalMs) {
        return this == CLASSIC
                ? Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs,
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, heartbeatIntervalMs)
                : Map.of();
    }

    /** The session timeout a member of this protocol gets when a classic one asks for {@code classicMs}. */
    int sessionTimeoutMs(int classicMs) {
        return this == CLASSIC ? classicMs : CONSUMER_SESSION_TIMEOUT_MS;
    }

    int heartbeatMs(int classicMs) {
        return this == CLASSIC ? classicMs : CONSUMER_HEARTBEAT_MS;
    }
}
