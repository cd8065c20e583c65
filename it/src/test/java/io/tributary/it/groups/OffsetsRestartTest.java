package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Committed offsets live only as records in {@code __consumer_offsets}; a restarted broker rebuilds them by
 * replaying that log. A consumer started after the restart must resume exactly at its group's last commit (the
 * latest of several commits per partition, with its metadata), and offsets set by an admin for a group that never
 * had members must come back too.
 */
class OffsetsRestartTest extends BrokerPerClass {
    private static final int PER_PARTITION = 1_000;

    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void aConsumerStartedAfterABrokerRestartResumesAtTheCommittedOffsets(GroupProtocol protocol) throws Exception {
        String topic = "resume-" + protocol;
        String group = "resume-group-" + protocol;
        String adminSet = "admin-set-" + protocol;
        int partitions = 3;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        GroupClients.produce(broker.bootstrap(), topic, partitions, partitions * PER_PARTITION);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        TopicPartition p2 = new TopicPartition(topic, 2);

        try (KafkaConsumer<String, String> consumer = GroupClients.consumer(broker.bootstrap(), group, protocol, Map.of())) {
            consumer.subscribe(List.of(topic));
            awaitAssignment(consumer, partitions);
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(137, "first"), p1, new OffsetAndMetadata(500),
                    p2, new OffsetAndMetadata(999, "p2")));
            // Superseded commits stay in the log; replay must end with the latest value per partition.
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(400, "second")));
        }
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.alterConsumerGroupOffsets(adminSet, Map.of(p1, new OffsetAndMetadata(42, "by admin")))
                    .all().get(30, TimeUnit.SECONDS);
        }

        broker.restart();

        Map<TopicPartition, Long> expected = Map.of(p0, 400L, p1, 500L, p2, 999L);
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(adminSet)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(offsets).containsExactly(Map.entry(p1, new OffsetAndMetadata(42, "by admin")));
        }
        try (KafkaConsumer<String, String> consumer = GroupClients.consumer(broker.bootstrap(), group, protocol, Map.of())) {
            assertThat(consumer.committed(Set.of(p0, p1, p2), Clients.TIMEOUT)).isEqualTo(Map.of(
                    p0, new OffsetAndMetadata(400, "second"), p1, new OffsetAndMetadata(500, ""),
                    p2, new OffsetAndMetadata(999, "p2")));
            consumer.subscribe(List.of(topic));
            Ledger ledger = new Ledger();
            Map<TopicPartition, Long> firstSeen = new HashMap<>();
            long toRead = expected.values().stream().mapToLong(o -> PER_PARTITION - o).sum();
            long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
            while (ledger.count() < toRead) {
                assertThat(System.nanoTime()).as("reading the rest after the restart").isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    firstSeen.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
                    ledger.record("after-restart", r);
                }
            }
            assertThat(firstSeen).as("first offset delivered per partition").isEqualTo(expected);
            for (Map.Entry<TopicPartition, Long> e : expected.entrySet()) {
                assertThat(Ledger.sequenceProblem(ledger.offsets(e.getKey().partition()), e.getValue(), PER_PARTITION))
                        .as("%s after the restart", e.getKey()).isNull();
            }
            consumer.commitSync();
        }

        // Commits made by the restarted broker must survive the next restart just the same.
        broker.restart();
        try (KafkaConsumer<String, String> consumer = GroupClients.consumer(broker.bootstrap(), group, protocol, Map.of())) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(p0, p1, p2), Clients.TIMEOUT);
            for (TopicPartition tp : List.of(p0, p1, p2)) {
                assertThat(committed.get(tp).offset()).as("%s after the second restart", tp).isEqualTo(PER_PARTITION);
            }
        }
    }

    /**
     * A broker stopped under a stable group comes back with that group's member still registered, though its
     * client is gone. The member must expire after its session timeout (the restarted coordinator re-arms every
     * session on load), after which a new consumer of the group gets the partitions and resumes at the commits.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void aGroupThatWasStableAtShutdownResumesAtItsCommitsWithANewMember(GroupProtocol protocol) throws Exception {
        String topic = "stable-at-stop-" + protocol;
        String group = "stable-at-stop-group-" + protocol;
        int partitions = 2;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        GroupClients.produce(broker.bootstrap(), topic, partitions, partitions * PER_PARTITION);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        Map<String, Object> shortSession = protocol.session(3_000, 500);

        KafkaConsumer<String, String> abandoned = GroupClients.consumer(broker.bootstrap(), group, protocol, shortSession);
        try {
            abandoned.subscribe(List.of(topic));
            awaitAssignment(abandoned, partitions);
            abandoned.commitSync(Map.of(p0, new OffsetAndMetadata(321), p1, new OffsetAndMetadata(654)));
            broker.stop();
        } finally {
            // The broker is gone (and comes back on another port): this member can neither leave nor heartbeat.
            abandoned.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
        broker.startAgain();

        try (KafkaConsumer<String, String> consumer = GroupClients.consumer(broker.bootstrap(), group, protocol, shortSession)) {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, Long> firstSeen = new HashMap<>();
            long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
            while (firstSeen.size() < partitions) {
                assertThat(System.nanoTime()).as("the new member to get records of both partitions").isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    firstSeen.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
                }
            }
            assertThat(firstSeen).isEqualTo(Map.of(p0, 321L, p1, 654L));
        }
    }

    private static void awaitAssignment(KafkaConsumer<String, String> consumer, int partitions) {
        long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
        while (consumer.assignment().size() < partitions) {
            assertThat(System.nanoTime()).as("joining the group").isLessThan(deadline);
            // Whatever this returns is ignored: the test commits chosen offsets by hand.
            consumer.poll(Duration.ZERO);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
