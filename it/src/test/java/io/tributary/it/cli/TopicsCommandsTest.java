package io.tributary.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Clients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@code trib topics ...} against a live broker, checked against what the Admin client sees. */
class TopicsCommandsTest extends CliTestBase {
    @Test
    void createListDescribeDelete() throws Exception {
        TribRun created = TribRun.run(broker.bootstrap(), "topics", "create", "orders", "--partitions", "3",
                "--replication-factor", "1", "--config", "retention.ms=3600000", "--config", "cleanup.policy=delete");
        assertThat(created.exitCode()).as("%s", created).isZero();
        TopicDescription actual = admin.describeTopics(List.of("orders")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get("orders");
        assertThat(actual.partitions()).hasSize(3);
        assertThat(created.out()).contains("Created topic orders: 3 partition(s), replication factor 1, id "
                + actual.topicId());

        TribRun listed = TribRun.run(broker.bootstrap(), "topics", "list");
        assertThat(listed.exitCode()).as("%s", listed).isZero();
        assertThat(listed.outLines().get(0)).matches("TOPIC\\s+PARTITIONS\\s+REPLICATION-FACTOR");
        assertThat(listed.row("orders")).containsExactly("orders", "3", "1");
        assertThat(listed.out()).doesNotContain("__consumer_offsets");

        TribRun described = TribRun.run(broker.bootstrap(), "topics", "describe", "orders");
        assertThat(described.exitCode()).as("%s", described).isZero();
        assertThat(described.outLines()).contains("Topic: orders", "TopicId: " + actual.topicId(), "Partitions: 3",
                "ReplicationFactor: 1", "Configs: cleanup.policy=delete,retention.ms=3600000");
        for (int p = 0; p < 3; p++) {
            assertThat(described.row(Integer.toString(p))).containsExactly(Integer.toString(p), "1", "1", "1");
        }

        TribRun deleted = TribRun.run(broker.bootstrap(), "topics", "delete", "orders");
        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        assertThat(deleted.out()).isEqualTo("Deleted topic orders\n");
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("orders");
        assertThat(TribRun.run(broker.bootstrap(), "topics", "list").out()).doesNotContain("orders");

        TribRun gone = TribRun.run(broker.bootstrap(), "topics", "describe", "orders");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.out()).isEmpty();
        assertThat(gone.err()).isEqualTo("Error: Topic 'orders' does not exist\n");
    }

    @Test
    void describeShowsOnlyTopicLevelConfigs() {
        assertThat(TribRun.run(broker.bootstrap(), "topics", "create", "plain").exitCode()).isZero();
        TribRun described = TribRun.run(broker.bootstrap(), "topics", "describe", "plain");
        assertThat(described.outLines()).contains("Partitions: 1", "Configs: -");
    }

    @Test
    void failuresAreOneLineWithoutStackTraceUnlessVerbose() {
        assertThat(TribRun.run(broker.bootstrap(), "topics", "create", "twice").exitCode()).isZero();
        TribRun again = TribRun.run(broker.bootstrap(), "topics", "create", "twice");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).startsWith("Error: ").contains("already exists").endsWith("\n");
        assertThat(again.err().lines()).hasSize(1);

        TribRun verbose = TribRun.run(broker.bootstrap(), "topics", "create", "twice", "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(1);
        assertThat(verbose.err()).contains("TopicExistsException").contains("\tat ");

        TribRun missing = TribRun.run(broker.bootstrap(), "topics", "delete", "never-created");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error: Topic 'never-created' does not exist\n");
    }

    @Test
    void malformedOptionsAreUsageErrors() {
        TribRun badConfig = TribRun.run(broker.bootstrap(), "topics", "create", "bad", "--config", "retention.ms");
        assertThat(badConfig.exitCode()).isEqualTo(2);
        assertThat(badConfig.err()).isEqualTo("Error: --config expects KEY=VALUE, got: retention.ms\n");

        TribRun badPartitions = TribRun.run(broker.bootstrap(), "topics", "create", "bad", "--partitions", "0");
        assertThat(badPartitions.exitCode()).isEqualTo(2);

        TribRun unknownBroker = TribRun.run(null, "topics", "list", "--command-config", dir.resolve("nope.properties").toString());
        assertThat(unknownBroker.exitCode()).isEqualTo(1);
        assertThat(unknownBroker.err()).startsWith("Error: Cannot read command config ");
    }

    @Test
    void commandConfigIsPassedToTheClient() throws Exception {
        Path props = dir.resolve("client.properties");
        java.nio.file.Files.writeString(props, "client.id=trib-test\nrequest.timeout.ms=15000\n");
        TribRun listed = TribRun.run(broker.bootstrap(), "topics", "list", "--command-config", props.toString());
        assertThat(listed.exitCode()).as("%s", listed).isZero();

        java.nio.file.Files.writeString(props, "request.timeout.ms=not-a-number\n");
        TribRun bad = TribRun.run(broker.bootstrap(), "topics", "list", "--command-config", props.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).startsWith("Error: ").contains("request.timeout.ms");
    }

    @Test
    void addPartitionsOnlyGrowsTopics() throws Exception {
        assertThat(TribRun.run(broker.bootstrap(), "topics", "create", "growing", "--partitions", "2").exitCode())
                .isZero();
        TribRun grown = TribRun.run(broker.bootstrap(), "topics", "add-partitions", "growing", "--count", "5");
        assertThat(grown.exitCode()).as("%s", grown).isZero();
        assertThat(grown.out()).isEqualTo("Topic growing now has 5 partition(s) (added 3)\n");
        assertThat(partitionCount("growing")).isEqualTo(5);

        TribRun same = TribRun.run(broker.bootstrap(), "topics", "add-partitions", "growing", "--count", "5");
        assertThat(same.exitCode()).isEqualTo(1);
        assertThat(same.err()).isEqualTo("Error: Topic 'growing' already has 5 partition(s); --count 5 is not an "
                + "increase (partitions can only be added)\n");
        TribRun fewer = TribRun.run(broker.bootstrap(), "topics", "add-partitions", "growing", "--count", "1");
        assertThat(fewer.exitCode()).isEqualTo(1);
        assertThat(fewer.err()).contains("already has 5 partition(s); --count 1 is not an increase");
        assertThat(partitionCount("growing")).isEqualTo(5);

        TribRun missing = TribRun.run(broker.bootstrap(), "topics", "add-partitions", "never-made", "--count", "3");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error: Topic 'never-made' does not exist\n");
        assertThat(TribRun.run(broker.bootstrap(), "topics", "add-partitions", "growing", "--count", "0").exitCode())
                .isEqualTo(2);
    }

    @Test
    void deleteRecordsMovesTheLogStartOffset() throws Exception {
        assertThat(TribRun.run(broker.bootstrap(), "topics", "create", "trimmed", "--partitions", "2").exitCode())
                .isZero();
        TopicPartition tp = new TopicPartition("trimmed", 1);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("trimmed", 1, "k" + i, "v" + i));
            }
            producer.flush();
        }

        TribRun trimmed = TribRun.run(broker.bootstrap(), "topics", "delete-records", "trimmed", "--partition", "1",
                "--before", "4");
        assertThat(trimmed.exitCode()).as("%s", trimmed).isZero();
        assertThat(trimmed.out()).isEqualTo("Deleted records of trimmed-1 before offset 4; log start offset is now 4\n");
        assertThat(offset(tp, OffsetSpec.earliest())).isEqualTo(4);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.position(tp, Duration.ofSeconds(30))).isEqualTo(4);
        }

        TribRun beyond = TribRun.run(broker.bootstrap(), "topics", "delete-records", "trimmed", "--partition", "1",
                "--before", "11");
        assertThat(beyond.exitCode()).isEqualTo(1);
        assertThat(beyond.err()).startsWith("Error: ");
        assertThat(offset(tp, OffsetSpec.earliest())).isEqualTo(4);

        TribRun all = TribRun.run(broker.bootstrap(), "topics", "delete-records", "trimmed", "--partition", "1",
                "--before", "-1");
        assertThat(all.exitCode()).as("%s", all).isZero();
        assertThat(all.out()).isEqualTo(
                "Deleted records of trimmed-1 before the high watermark; log start offset is now 10\n");
        assertThat(offset(tp, OffsetSpec.earliest())).isEqualTo(10);
        assertThat(offset(new TopicPartition("trimmed", 0), OffsetSpec.earliest())).isZero();

        TribRun noPartition = TribRun.run(broker.bootstrap(), "topics", "delete-records", "trimmed", "--partition",
                "2", "--before", "1");
        assertThat(noPartition.exitCode()).isEqualTo(1);
        assertThat(noPartition.err()).isEqualTo("Error: Topic 'trimmed' has no partition 2 (it has 2)\n");
        TribRun noTopic = TribRun.run(broker.bootstrap(), "topics", "delete-records", "never-made", "--partition",
                "0", "--before", "1");
        assertThat(noTopic.exitCode()).isEqualTo(1);
        assertThat(noTopic.err()).isEqualTo("Error: Topic 'never-made' does not exist\n");
        TribRun noOffset = TribRun.run(broker.bootstrap(), "topics", "delete-records", "trimmed", "--partition", "0");
        assertThat(noOffset.exitCode()).as("--before is required").isEqualTo(2);
    }

    private static int partitionCount(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    private static long offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }
}
