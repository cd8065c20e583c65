package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Await;
import io.tributary.it.Clients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A member that keeps a partition across a rebalance is never asked to revoke it, under either protocol.
 * Classic: incremental cooperative rebalancing (KIP-429) runs entirely in the clients; the coordinator only has to
 * carry each member's owned partitions in its JoinGroup metadata to the leader and run the second rebalance the
 * members ask for. Consumer protocol (KIP-848): the broker's assignor ("uniform", sticky) computes the target and
 * the coordinator revokes only what moves, handing a partition to its new owner once the old one has let it go.
 */
class CooperativeRebalanceTest extends BrokerPerClass {
    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void aThirdMemberJoiningTakesPartitionsWithoutTheOthersRevokingWhatTheyKeep(GroupProtocol protocol)
            throws Exception {
        String topic = "coop-" + protocol;
        String group = "coop-group-" + protocol;
        int partitions = 12;
        int batch = 6_000;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        Map<String, Object> props = GroupClients.consumerProps(broker.bootstrap(), group, protocol,
                protocol == GroupProtocol.CLASSIC
                        ? Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                                CooperativeStickyAssignor.class.getName())
                        : Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "uniform"));
        Ledger ledger = new Ledger();
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                members.add(GroupMember.start("m" + i, props, topic, (m, r) -> ledger.record(m.name(), r)));
            }
            Map<String, Set<TopicPartition>> before = GroupMember.awaitSteady(members, partitions);
            GroupClients.produce(broker.bootstrap(), topic, partitions, batch);
            Await.until(Clients.TIMEOUT, "the first batch to be consumed", () -> ledger.count() >= batch);
            Map<String, Integer> eventsBefore = new HashMap<>();
            members.forEach(m -> eventsBefore.put(m.name(), m.events().size()));

            members.add(GroupMember.start("m2", props, topic, (m, r) -> ledger.record(m.name(), r)));
            Map<String, Set<TopicPartition>> after = GroupMember.awaitSteady(members, partitions);
            GroupClients.produce(broker.bootstrap(), topic, partitions, batch, batch / partitions);
            Await.until(Clients.TIMEOUT, "everything to be consumed",
                    () -> ledger.covers(partitions, 2L * batch / partitions));

            assertThat(after.get("m2")).as("the newcomer's share").hasSize(partitions / 3);
            for (GroupMember m : members.subList(0, 2)) {
                List<GroupMember.Event> events = m.events().subList(eventsBefore.get(m.name()), m.events().size());
                Set<TopicPartition> revoked = new HashSet<>();
                Set<TopicPartition> added = new HashSet<>();
                for (GroupMember.Event e : events) {
                    assertThat(e.kind()).as("%s lost partitions: %s", m.name(), events).isNotEqualTo(GroupMember.Kind.LOST);
                    (e.kind() == GroupMember.Kind.REVOKED ? revoked : added).addAll(e.partitions());
                }
                Set<TopicPartition> kept = after.get(m.name());
                assertThat(revoked).as("%s revoked a partition it keeps; callbacks %s", m.name(), events)
                        .doesNotContainAnyElementsOf(kept);
                assertThat(kept).as("%s is sticky: it only gives partitions away", m.name())
                        .isSubsetOf(before.get(m.name()));
                Set<TopicPartition> given = new HashSet<>(before.get(m.name()));
                given.removeAll(kept);
                assertThat(revoked).as("%s revoked exactly what it gave away", m.name()).isEqualTo(given);
                assertThat(added).as("%s was assigned nothing new", m.name()).isEmpty();
            }
            ledger.assertNoGaps(partitions, 2L * batch / partitions);
        } finally {
            GroupMember.closeAll(members);
        }
    }
}
