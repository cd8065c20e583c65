package io.tributary.cli;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code trib topics describe <topic>}: the topic's id and settings, then one row per partition with its leader,
 * replicas and in-sync replicas. Only configs set on the topic itself are shown: the rest are broker defaults and
 * would bury the interesting lines.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Describe a topic: partitions, leader, replicas, ISR, id and configs.")
final class TopicsDescribeCommand extends ClientCommand {
    @Parameters(paramLabel = "TOPIC", description = "The topic to describe.")
    String topic;

    @Override
    protected int execute() throws Exception {
        TopicDescription d;
        Config config;
        try (Admin admin = admin()) {
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            } catch (Exception e) {
                throw missingTopic(Failures.unwrap(e), topic);
            }
        }
        String overrides = config.entries().stream()
                .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .sorted(Comparator.comparing(ConfigEntry::name))
                .map(e -> e.name() + "=" + (e.isSensitive() ? "(sensitive)" : e.value()))
                .collect(Collectors.joining(","));
        var out = out();
        out.println("Topic: " + d.name());
        out.println("TopicId: " + d.topicId());
        out.println("Partitions: " + d.partitions().size());
        out.println("ReplicationFactor: " + replicationFactor(d));
        if (d.isInternal()) {
            out.println("Internal: true");
        }
        out.println("Configs: " + (overrides.isEmpty() ? "-" : overrides));
        out.println();
        TextTable table = new TextTable("PARTITION", "LEADER", "REPLICAS", "ISR");
        for (TopicPartitionInfo p : d.partitions()) {
            table.row(p.partition(), p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().id(),
                    ids(p.replicas()), ids(p.isr()));
        }
        table.print(out);
        return 0;
    }

    /** The replica count of partition 0; Kafka keeps it the same for every partition of a topic. */
    static int replicationFactor(TopicDescription d) {
        return d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
    }

    /** An unknown topic gets a plain sentence; the client's own message talks about topic-partitions. */
    /** One topic's description, or a plain "does not exist" failure. */
    static TopicDescription describeOne(Admin admin, String topic) throws Exception {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        } catch (Exception e) {
            throw missingTopic(Failures.unwrap(e), topic);
        }
    }

    static Exception missingTopic(Throwable cause, String topic) {
        if (cause instanceof UnknownTopicOrPartitionException) {
            return new CommandFailure("Topic '" + topic + "' does not exist");
        }
        return cause instanceof Exception e ? e : new RuntimeException(cause);
    }

    private static String ids(List<Node> nodes) {
        return nodes.stream().map(n -> Integer.toString(n.id())).collect(Collectors.joining(","));
    }
}
