package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Await;
import io.tributary.it.Clients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The point of a consumer group: members split a topic's partitions between them and together see every record
 * once, while separate groups each see everything. Checked with real KafkaConsumers on both group protocols,
 * against records whose values name the offset they must be found at.
 */
class GroupConsumptionTest extends BrokerPerClass {
    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void threeMembersSplitTwelvePartitionsAndConsumeEveryRecordExactlyOnceInOrder(GroupProtocol protocol)
            throws Exception {
        String topic = "split-12-" + protocol;
        String group = "split-group-" + protocol;
        int partitions = 12;
        int records = 100_000;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        Ledger ledger = new Ledger();
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(GroupMember.start("m" + i,
                        GroupClients.consumerProps(broker.bootstrap(), group, protocol, Map.of()), topic,
                        (m, r) -> ledger.record(m.name(), r)));
            }
            Map<String, Set<TopicPartition>> owners = GroupMember.awaitSteady(members, partitions);
            Map<String, Integer> eventsAtSteady = new HashMap<>();
            members.forEach(m -> eventsAtSteady.put(m.name(), m.events().size()));
            int generation = members.get(0).generation();

            GroupClients.produce(broker.bootstrap(), topic, partitions, records);
            Await.until(Clients.TIMEOUT, "the group to consume " + records + " records", () -> {
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

    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void twoGroupsOnOneTopicEachReceiveEveryRecord(GroupProtocol protocol) throws Exception {
        String topic = "fan-out-" + protocol;
        int partitions = 4;
        int records = 20_000;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        Map<String, Ledger> ledgers = Map.of("fan-a-" + protocol, new Ledger(), "fan-b-" + protocol, new Ledger());
        Map<String, List<GroupMember>> groups = new HashMap<>();
        try {
            for (String group : ledgers.keySet()) {
                List<GroupMember> members = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    members.add(GroupMember.start(group + "-" + i,
                            GroupClients.consumerProps(broker.bootstrap(), group, protocol, Map.of()), topic,
                            (m, r) -> ledgers.get(group).record(m.name(), r)));
                }
                groups.put(group, members);
            }
            for (List<GroupMember> members : groups.values()) {
                GroupMember.awaitSteady(members, partitions);
            }
            GroupClients.produce(broker.bootstrap(), topic, partitions, records);
            Await.until(Clients.TIMEOUT, "both groups to consume everything", () -> {
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
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Await.until(Clients.TIMEOUT, "group " + group + " to commit " + expected,
                    () -> Clients.committed(admin, group).equals(expected));
        }
    }
}
