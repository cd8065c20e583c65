package io.tributary.cli;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Option;

/**
 * Whose configs a {@code trib configs} command reads or changes: one topic, one broker, or the cluster-wide broker
 * default (Kafka's broker resource with an empty name, which every broker falls back on). Exactly one is given;
 * picocli enforces that through an exclusive argument group.
 */
final class ConfigTarget {
    @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "A topic's configs.")
    String topic;

    @Option(names = "--broker", paramLabel = "ID", required = true, description = "One broker's configs.")
    Integer broker;

    @Option(names = "--broker-default", required = true,
            description = "The cluster-wide broker default, used by every broker without its own value.")
    boolean brokerDefault;

    /** The resource to address, after checking that a named broker exists. */
    ConfigResource resource(Admin admin) throws Exception {
        if (topic != null) {
            return new ConfigResource(ConfigResource.Type.TOPIC, topic);
        }
        if (broker != null) {
            ClusterBrokers.requireKnown(admin, broker);
            return new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker));
        }
        assert brokerDefault : "picocli requires one of the target options";
        return new ConfigResource(ConfigResource.Type.BROKER, "");
    }

    /** For messages: "topic orders", "broker 1", "the broker default". */
    String describe() {
        if (topic != null) {
            return "topic " + topic;
        }
        return broker != null ? "broker " + broker : "the broker default";
    }

    /** An unknown topic gets the same sentence as in {@code trib topics}. */
    Exception translate(Throwable cause) {
        if (topic != null) {
            return TopicsDescribeCommand.missingTopic(cause, topic);
        }
        return cause instanceof Exception e ? e : new RuntimeException(cause);
    }
}
