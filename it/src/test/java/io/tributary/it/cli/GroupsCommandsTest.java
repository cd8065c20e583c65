package io.tributary.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code trib groups ...} against groups formed by real KafkaConsumers: the lag the command reports is checked
 * against offsets the test committed itself, and a reset is checked by where a restarted member starts reading.
 */
class GroupsCommandsTest extends CliTestBase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void describeShowsCommittedOffsetsLogEndAndLag() throws Exception {
        // M = 10 records, 6 in partition 0 and 4 in partition 1; the group commits N = 4 + 1 = 5 of them.
        createTopic("lagged", 2);
        produce("lagged", 0, 6);
        produce("lagged", 1, 4);
        TopicPartition p0 = new TopicPartition("lagged", 0);
        TopicPartition p1 = new TopicPartition("lagged", 1);
        String memberId;
        try (KafkaConsumer<String, String> member = member("lag-group", "lag-client")) {
            member.subscribe(List.of("lagged"));
            awaitAssignment(member, 2);
            member.commitSync(Map.of(p0, new OffsetAndMetadata(4), p1, new OffsetAndMetadata(1)));
            memberId = member.groupMetadata().memberId();

            TribRun active = TribRun.run(broker.bootstrap(), "groups", "describe", "lag-group");
            assertThat(active.exitCode()).as("%s", active).isZero();
            assertThat(active.outLines()).contains("Group: lag-group", "State: Stable", "Members: 1", "Assignor: range");
            assertThat(active.row(memberId)).containsExactly(memberId, "lag-client", "/127.0.0.1", "lagged:0,1");
            assertThat(active.row("lagged", "0")).containsExactly("lagged", "0", "4", "6", "2", memberId);
            assertThat(active.row("lagged", "1")).containsExactly("lagged", "1", "1", "4", "3", memberId);
            assertThat(active.outLines()).contains("Total lag: 5");
        }
        awaitState("lag-group", GroupState.EMPTY);

        TribRun empty = TribRun.run(broker.bootstrap(), "groups", "describe", "lag-group");
        assertThat(empty.exitCode()).as("%s", empty).isZero();
        assertThat(empty.outLines()).contains("State: Empty", "Members: 0", "Total lag: 5");
        assertThat(empty.row("lagged", "0")).containsExactly("lagged", "0", "4", "6", "2", "-");
        assertThat(empty.row("lagged", "1")).containsExactly("lagged", "1", "1", "4", "3", "-");
        assertThat(empty.out()).doesNotContain(memberId);

        TribRun unknown = TribRun.run(broker.bootstrap(), "groups", "describe", "never-formed");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: Group 'never-formed' does not exist\n");
    }

    @Test
    void resetOffsetsIsADryRunUntilExecutedAndMembersRestartFromTheNewOffsets() throws Exception {
        createTopic("replay", 2);
        produce("replay", 0, 3);
        produce("replay", 1, 3);
        TopicPartition p0 = new TopicPartition("replay", 0);
        TopicPartition p1 = new TopicPartition("replay", 1);
        try (KafkaConsumer<String, String> member = member("replay-group", "replayer")) {
            member.subscribe(List.of("replay"));
            assertThat(pollUntil(member, 6)).hasSize(6);
            member.commitSync();
            assertThat(committed("replay-group")).isEqualTo(Map.of(p0, 3L, p1, 3L));

            // A running member would overwrite the reset with its next commit: refused, nothing changes.
            TribRun refused = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "replay-group", "--topic", "replay",
                    "--to-earliest", "--execute");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).isEqualTo("Error: Group 'replay-group' has 1 active member(s) (state Stable); "
                    + "stop its consumers before resetting offsets\n");
            assertThat(committed("replay-group")).isEqualTo(Map.of(p0, 3L, p1, 3L));

            TribRun deleteRefused = TribRun.run(broker.bootstrap(), "groups", "delete", "replay-group");
            assertThat(deleteRefused.exitCode()).isEqualTo(1);
            assertThat(deleteRefused.err()).isEqualTo(
                    "Error: Group 'replay-group' still has active members; stop them before deleting it\n");
        }
        awaitState("replay-group", GroupState.EMPTY);

        TribRun dryRun = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "replay-group", "--topic", "replay",
                "--to-earliest");
        assertThat(dryRun.exitCode()).as("%s", dryRun).isZero();
        assertThat(dryRun.row("replay", "0")).containsExactly("replay", "0", "3", "0");
        assertThat(dryRun.row("replay", "1")).containsExactly("replay", "1", "3", "0");
        assertThat(dryRun.out()).contains("Dry run: no offsets changed");
        assertThat(committed("replay-group")).isEqualTo(Map.of(p0, 3L, p1, 3L));

        TribRun shifted = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "replay-group", "--topic", "replay:1",
                "--shift-by", "-1");
        assertThat(shifted.exitCode()).as("%s", shifted).isZero();
        assertThat(shifted.row("replay", "1")).containsExactly("replay", "1", "3", "2");
        assertThat(shifted.out()).doesNotContain("replay  0");

        TribRun executed = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "replay-group", "--topic", "replay",
                "--to-earliest", "--execute");
        assertThat(executed.exitCode()).as("%s", executed).isZero();
        assertThat(executed.out()).contains("Committed new offsets for 2 partition(s) of group replay-group");
        assertThat(committed("replay-group")).isEqualTo(Map.of(p0, 0L, p1, 0L));

        try (KafkaConsumer<String, String> restarted = member("replay-group", "replayer-again")) {
            restarted.subscribe(List.of("replay"));
            List<ConsumerRecord<String, String>> records = pollUntil(restarted, 6);
            assertThat(records).hasSize(6);
            assertThat(records).filteredOn(r -> r.partition() == 0).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L);
            assertThat(records).filteredOn(r -> r.partition() == 1).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void resetToOffsetIsClampedToTheLog() throws Exception {
        createTopic("clamped", 1);
        produce("clamped", 0, 4);
        TribRun executed = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "fresh-group", "--topic", "clamped",
                "--to-offset", "99", "--execute");
        assertThat(executed.exitCode()).as("%s", executed).isZero();
        assertThat(executed.row("clamped", "0")).containsExactly("clamped", "0", "-", "4");
        assertThat(executed.err()).isEqualTo("Note: offset 99 of clamped-0 is outside [0, 4]; using 4\n");
        assertThat(committed("fresh-group")).isEqualTo(Map.of(new TopicPartition("clamped", 0), 4L));

        TribRun noTopic = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "fresh-group", "--topic", "absent",
                "--to-latest");
        assertThat(noTopic.exitCode()).isEqualTo(1);
        assertThat(noTopic.err()).isEqualTo("Error: Topic 'absent' does not exist\n");

        TribRun twoTargets = TribRun.run(broker.bootstrap(), "groups", "reset-offsets", "fresh-group", "--topic", "clamped",
                "--to-latest", "--to-earliest");
        assertThat(twoTargets.exitCode()).isEqualTo(2);
    }

    @Test
    void listShowsGroupsAndDeleteRemovesThem() throws Exception {
        createTopic("listed", 1);
        produce("listed", 0, 1);
        try (KafkaConsumer<String, String> member = member("listed-group", "lister")) {
            member.subscribe(List.of("listed"));
            assertThat(pollUntil(member, 1)).hasSize(1);
            member.commitSync();
            TribRun listed = TribRun.run(broker.bootstrap(), "groups", "list");
            assertThat(listed.exitCode()).as("%s", listed).isZero();
            assertThat(listed.outLines().get(0)).matches("GROUP\\s+STATE\\s+TYPE\\s+PROTOCOL");
            assertThat(listed.row("listed-group")).containsExactly("listed-group", "Stable", "Classic", "consumer");
        }
        awaitState("listed-group", GroupState.EMPTY);
        assertThat(TribRun.run(broker.bootstrap(), "groups", "list").row("listed-group"))
                .containsExactly("listed-group", "Empty", "Classic", "consumer");

        TribRun deleted = TribRun.run(broker.bootstrap(), "groups", "delete", "listed-group");
        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        assertThat(deleted.out()).isEqualTo("Deleted group listed-group\n");
        assertThat(TribRun.run(broker.bootstrap(), "groups", "list").out()).doesNotContain("listed-group");
        assertThat(committed("listed-group")).isEmpty();

        TribRun again = TribRun.run(broker.bootstrap(), "groups", "delete", "listed-group");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("Error: Group 'listed-group' does not exist\n");
    }

    private static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static void produce(String topic, int partition, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, String> member(String group, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static void awaitAssignment(KafkaConsumer<String, String> consumer, int partitions) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.assignment().size() < partitions) {
            assertThat(System.nanoTime()).as("waiting for %d assigned partitions", partitions).isLessThan(deadline);
            consumer.poll(Duration.ofMillis(100));
        }
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        return Clients.committed(admin, group);
    }

    private static void awaitState(String group, GroupState state) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            GroupState current = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS).groupState();
            if (current == state) {
                return;
            }
            assertThat(System.nanoTime()).as("group %s in state %s, waiting for %s", group, current, state)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
