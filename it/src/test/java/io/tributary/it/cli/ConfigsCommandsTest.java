package io.tributary.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** {@code trib configs describe|alter} on topics and brokers, checked against what DescribeConfigs reports. */
class ConfigsCommandsTest extends CliTestBase {
    private static final String NODE = Integer.toString(TestBroker.NODE_ID);

    @Test
    void alterSetsAndDeletesTopicConfigsAndDescribeShowsThem() throws Exception {
        admin.createTopics(List.of(new NewTopic("tuned", 1, (short) 1).configs(Map.of("retention.ms", "3600000"))))
                .all().get(30, TimeUnit.SECONDS);

        TribRun altered = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "tuned",
                "--set", "retention.ms=7200000", "--set", "cleanup.policy=compact", "--delete", "segment.ms");
        assertThat(altered.exitCode()).as("%s", altered).isZero();
        assertThat(altered.out()).isEqualTo(
                "Updated topic tuned: set retention.ms=7200000,cleanup.policy=compact; deleted segment.ms\n");
        assertThat(topicEntry("tuned", "retention.ms").value()).isEqualTo("7200000");
        assertThat(topicEntry("tuned", "cleanup.policy").value()).isEqualTo("compact");
        assertThat(topicEntry("tuned", "cleanup.policy").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        TribRun described = TribRun.run(broker.bootstrap(), "configs", "describe", "--topic", "tuned");
        assertThat(described.exitCode()).as("%s", described).isZero();
        assertThat(described.outLines()).hasSize(3);
        assertThat(described.outLines().get(0)).matches("NAME\\s+VALUE\\s+SOURCE");
        assertThat(described.row("cleanup.policy")).containsExactly("cleanup.policy", "compact", "topic");
        assertThat(described.row("retention.ms")).containsExactly("retention.ms", "7200000", "topic");

        TribRun all = TribRun.run(broker.bootstrap(), "configs", "describe", "--topic", "tuned", "--all");
        assertThat(all.exitCode()).as("%s", all).isZero();
        ConfigEntry segmentBytes = topicEntry("tuned", "segment.bytes");
        assertThat(all.row("segment.bytes")).containsExactly("segment.bytes", segmentBytes.value(),
                segmentBytes.source() == ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG ? "static" : "default");
        assertThat(all.row("retention.ms")).containsExactly("retention.ms", "7200000", "topic");

        TribRun deleted = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "tuned", "--delete",
                "cleanup.policy");
        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        assertThat(deleted.out()).isEqualTo("Updated topic tuned: deleted cleanup.policy\n");
        assertThat(topicEntry("tuned", "cleanup.policy").value()).isEqualTo("delete");
        assertThat(topicEntry("tuned", "cleanup.policy").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(TribRun.run(broker.bootstrap(), "configs", "describe", "--topic", "tuned").out())
                .doesNotContain("cleanup.policy");
    }

    @Test
    void invalidChangesAreRefusedAsAWhole() throws Exception {
        admin.createTopics(List.of(new NewTopic("strict-configs", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        TribRun bad = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "strict-configs",
                "--set", "retention.ms=1000", "--set", "segment.bytes=not-a-number");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).startsWith("Error: ").contains("segment.bytes");
        assertThat(bad.err().lines()).hasSize(1);
        assertThat(topicEntry("strict-configs", "retention.ms").source())
                .as("nothing applied").isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        TribRun unknownTopic = TribRun.run(broker.bootstrap(), "configs", "describe", "--topic", "no-such-topic");
        assertThat(unknownTopic.exitCode()).isEqualTo(1);
        assertThat(unknownTopic.err()).isEqualTo("Error: Topic 'no-such-topic' does not exist\n");
        TribRun alterUnknown = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "no-such-topic",
                "--set", "retention.ms=1");
        assertThat(alterUnknown.exitCode()).isEqualTo(1);
        assertThat(alterUnknown.err()).isEqualTo("Error: Topic 'no-such-topic' does not exist\n");

        TribRun unknownBroker = TribRun.run(broker.bootstrap(), "configs", "describe", "--broker", "99");
        assertThat(unknownBroker.exitCode()).isEqualTo(1);
        assertThat(unknownBroker.err()).isEqualTo("Error: Broker 99 is not in the cluster (brokers: " + NODE + ")\n");
    }

    @Test
    void usageErrors() {
        TribRun nothing = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "t");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.err()).isEqualTo("Error: Nothing to change: give --set KEY=VALUE and/or --delete KEY\n");

        TribRun both = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "t", "--set", "a=1",
                "--delete", "a");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("Error: Config a is both set and deleted\n");

        TribRun badPair = TribRun.run(broker.bootstrap(), "configs", "alter", "--topic", "t", "--set", "a");
        assertThat(badPair.exitCode()).isEqualTo(2);
        assertThat(badPair.err()).isEqualTo("Error: --set expects KEY=VALUE, got: a\n");

        TribRun twoTargets = TribRun.run(broker.bootstrap(), "configs", "describe", "--topic", "t", "--broker", "1");
        assertThat(twoTargets.exitCode()).isEqualTo(2);
        assertThat(twoTargets.err()).contains("mutually exclusive");

        TribRun noTarget = TribRun.run(broker.bootstrap(), "configs", "describe");
        assertThat(noTarget.exitCode()).isEqualTo(2);
    }

    @Test
    void brokerAndBrokerDefaultConfigs() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, NODE);
        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        try {
            TribRun setDefault = TribRun.run(broker.bootstrap(), "configs", "alter", "--broker-default",
                    "--set", "log.retention.ms=86400000");
            assertThat(setDefault.exitCode()).as("%s", setDefault).isZero();
            assertThat(setDefault.out()).isEqualTo("Updated the broker default: set log.retention.ms=86400000\n");
            TribRun setNode = TribRun.run(broker.bootstrap(), "configs", "alter", "--broker", NODE,
                    "--set", "log.cleaner.threads=2");
            assertThat(setNode.exitCode()).as("%s", setNode).isZero();
            assertThat(setNode.out()).isEqualTo("Updated broker " + NODE + ": set log.cleaner.threads=2\n");

            assertThat(entry(node, "log.retention.ms").value()).isEqualTo("86400000");
            assertThat(entry(node, "log.cleaner.threads").source())
                    .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);

            TribRun describedNode = TribRun.run(broker.bootstrap(), "configs", "describe", "--broker", NODE);
            assertThat(describedNode.exitCode()).as("%s", describedNode).isZero();
            assertThat(describedNode.row("log.retention.ms")).containsExactly("log.retention.ms", "86400000",
                    "broker-default");
            assertThat(describedNode.row("log.cleaner.threads")).containsExactly("log.cleaner.threads", "2", "broker");
            assertThat(describedNode.out()).as("static and built-in values need --all").doesNotContain("node.id");
            TribRun allNode = TribRun.run(broker.bootstrap(), "configs", "describe", "--broker", NODE, "--all");
            assertThat(allNode.row("node.id")).containsExactly("node.id", NODE, "static");

            TribRun describedDefault = TribRun.run(broker.bootstrap(), "configs", "describe", "--broker-default");
            assertThat(describedDefault.exitCode()).as("%s", describedDefault).isZero();
            assertThat(describedDefault.row("log.retention.ms")).containsExactly("log.retention.ms", "86400000",
                    "broker-default");
            assertThat(describedDefault.out()).doesNotContain("log.cleaner.threads");

            TribRun readOnly = TribRun.run(broker.bootstrap(), "configs", "alter", "--broker", NODE,
                    "--set", "num.partitions=4");
            assertThat(readOnly.exitCode()).isEqualTo(1);
            assertThat(readOnly.err()).startsWith("Error: ").contains("num.partitions");
        } finally {
            TribRun.run(broker.bootstrap(), "configs", "alter", "--broker-default", "--delete", "log.retention.ms");
            TribRun.run(broker.bootstrap(), "configs", "alter", "--broker", NODE, "--delete", "log.cleaner.threads");
        }
        assertThat(entry(clusterDefault, "log.retention.ms")).as("deleted again").isNull();
        assertThat(entry(node, "log.cleaner.threads").source())
                .isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
    }

    private static ConfigEntry topicEntry(String topic, String name) throws Exception {
        return entry(new ConfigResource(ConfigResource.Type.TOPIC, topic), name);
    }

    private static ConfigEntry entry(ConfigResource resource, String name) throws Exception {
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(name);
    }
}
