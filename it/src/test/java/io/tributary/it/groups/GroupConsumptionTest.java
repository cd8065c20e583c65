package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point of a consumer group: members split a topic's partitions between them and together see every record
 * once, while separate groups each see everything. Checked with real KafkaConsumers on the classic protocol,
 * against records whose values name the offset they must be found at.
 */
class GroupConsumptionTest {
    @TempDir
    static Path dir;
    static GroupBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = GroupBroker.start(dir);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void threeMembersSplitTwelvePartitionsAndConsumeEveryRecordExactlyOnceInOrder() throws Exception {
        String topic = "split-12";
        String group = "split-group";
        int partitions = 12;
        int records = 100_000;
        GroupClients.createTopic(broker.bootstrap(), topic, partitions);
        Ledger ledger = new Ledger();
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(GroupMember.start("m" + i, GroupClients.consumerProps(broker.bootstrap(), group, Map.of()),
                        topic, (m, r) -> ledger.record(m.name(), r)));
            }
            Map<String, Set<TopicPartition>> owners = GroupMember.awaitSteady(members, partitions);
            Map<String, Integer> eventsAtSteady = new HashMap<>();
            members.forEach(m -> eventsAtSteady.put(m.name(), m.events().size()));
            int generation = members.get(0).generation();

            GroupClients.produce(broker.bootstrap(), topic, partitions, records);
            GroupClients.await(GroupClients.TIMEOUT, "the group to consume " + records + " records", () -> {
                members.forEach(GroupMember::checkAlive);
                return ledger.count() >= records;
            });

            Map<Integer, Long> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(p, (long) (records / partitions + (p < records % partitions ? 1 : 0)));
            }
            ledger.assertExactlyOnceInOrder(ends);
            assertThat(ledger.count()).isEqualTo(records);
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                String owner = owners.entrySet().stream().filter(e -> e.getValue().contains(tp)).findFirst()
                        .orElseThrow().getKey();
                assertThat(ledger.consumersOf(p)).as("who consumed %s", tp).containsExactly(owner);
            }
            for (GroupMember m : members) {
                assertThat(m.events().subList(eventsAtSteady.get(m.name()), m.events().size()))
                        .as("rebalance callbacks of %s after the group was steady", m.name()).isEmpty();
                assertThat(m.generation()).as("generation of %s", m.name()).isEqualTo(generation);
                assertThat(m.assignment()).isEqualTo(owners.get(m.name()));
            }
            awaitCommitted(group, topic, ends);
        } finally {
            GroupMember.closeAll(members);
        }
    }

    @Test
    void twoGroupsOnOneTopicEachReceiveEveryRecord() throws Exception {
        String topic = "fan-out";
        int partitions = 4;
        int records = 20_000;
        GroupClients.createTopic(broker.bootstrap(), topic, partitions);
        Map<String, Ledger> ledgers = Map.of("fan-a", new Ledger(), "fan-b", new Ledger());
        Map<String, List<GroupMember>> groups = new HashMap<>();
        try {
            for (String group : ledgers.keySet()) {
                List<GroupMember> members = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    members.add(GroupMember.start(group + "-" + i,
                            GroupClients.consumerProps(broker.bootstrap(), group, Map.of()), topic,
                            (m, r) -> ledgers.get(group).record(m.name(), r)));
                }
                groups.put(group, members);
            }
            for (List<GroupMember> members : groups.values()) {
                GroupMember.awaitSteady(members, partitions);
            }
            GroupClients.produce(broker.bootstrap(), topic, partitions, records);
            GroupClients.await(GroupClients.TIMEOUT, "both groups to consume everything", () -> {
                groups.values().forEach(ms -> ms.forEach(GroupMember::checkAlive));
                return ledgers.values().stream().allMatch(l -> l.count() >= records);
            });
            Map<Integer, Long> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(p, (long) records / partitions);
            }
            for (Map.Entry<String, Ledger> e : ledgers.entrySet()) {
                e.getValue().assertExactlyOnceInOrder(ends);
                awaitCommitted(e.getKey(), topic, ends);
            }
        } finally {
            groups.values().forEach(GroupMember::closeAll);
        }
    }

    /** The group's last commits land just after its last records were processed. */
    private static void awaitCommitted(String group, String topic, Map<Integer, Long> ends) throws Exception {
        Map<TopicPartition, Long> expected = new HashMap<>();
        ends.forEach((p, end) -> expected.put(new TopicPartition(topic, p), end));
        try (Admin admin = GroupClients.admin(broker.bootstrap())) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            GroupClients.await(GroupClients.TIMEOUT, "group " + group + " to commit " + expected, () -> {
                committed.clear();
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                offsets.forEach((tp, om) -> committed.put(tp, om.offset()));
                return committed.equals(expected);
            });
        }
    }
}
