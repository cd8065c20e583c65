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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Static membership (KIP-345): a member with a {@code group.instance.id} does not leave the group when it closes,
 * and when it comes back within its session timeout it takes over its old identity and assignment without a
 * rebalance. A rolling restart of every member, the leader included (whichever it is), must therefore leave the
 * others undisturbed: no rebalance callbacks, no new generation. The consumer protocol (KIP-848) keeps a static
 * member's assignment the same way while it is away, for the broker's session timeout.
 */
class StaticMembershipTest extends BrokerPerClass {
    private static final int SESSION_TIMEOUT_MS = 15_000;

    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void aRollingRestartOfStaticMembersKeepsAssignmentsAndCausesNoRebalance(GroupProtocol protocol) throws Exception {
        String topic = "static-" + protocol;
        String group = "static-group-" + protocol;
        int partitions = 6;
        int perRound = 1_200;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        Ledger ledger = new Ledger();
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(startStatic("i" + i, 0, group, protocol, topic, ledger));
            }
            Map<String, Set<TopicPartition>> owners = new HashMap<>();
            GroupMember.awaitSteady(members, partitions)
                    .forEach((name, a) -> owners.put(instanceOf(name), a));
            int generation = members.get(0).generation();
            long produced = 0;

            for (int i = 0; i < members.size(); i++) {
                GroupClients.produce(broker.bootstrap(), topic, partitions, perRound, produced / partitions);
                produced += perRound;
                long target = produced;
                Await.until(Clients.TIMEOUT, "round " + i + " to be consumed", () -> ledger.count() >= target);

                GroupMember leaving = members.get(i);
                String instance = instanceOf(leaving.name());
                Map<GroupMember, Integer> othersEvents = new HashMap<>();
                for (GroupMember other : members) {
                    if (other != leaving) {
                        othersEvents.put(other, other.events().size());
                    }
                }
                String oldMemberId = leaving.memberId();
                leaving.close();
                GroupMember back = startStatic(instance, 1, group, protocol, topic, ledger);
                members.set(i, back);
                Await.until(Clients.TIMEOUT, instance + " to get its partitions back", () -> {
                    back.checkAlive();
                    return !back.assignment().isEmpty();
                });
                assertThat(back.assignment()).as("%s's assignment after its restart", instance)
                        .isEqualTo(owners.get(instance));
                assertThat(back.generation()).as("generation after %s came back", instance).isEqualTo(generation);
                assertThat(back.memberId()).as("a restarted static member gets a new member id")
                        .isNotEqualTo(oldMemberId);
                if (protocol == GroupProtocol.CLASSIC) {
                    // The classic coordinator names members after their instance; KIP-848 clients pick a UUID.
                    assertThat(back.memberId()).startsWith(instance + "-");
                }

                // Several heartbeat intervals: a rebalance, had one been started, would reach the others by now.
                Thread.sleep(2_000);
                for (Map.Entry<GroupMember, Integer> e : othersEvents.entrySet()) {
                    GroupMember other = e.getKey();
                    other.checkAlive();
                    assertThat(other.events().subList(e.getValue(), other.events().size()))
                            .as("rebalance callbacks of %s while %s restarted", other.name(), instance).isEmpty();
                    assertThat(other.generation()).isEqualTo(generation);
                    assertThat(other.assignment()).isEqualTo(owners.get(instanceOf(other.name())));
                }
            }

            GroupClients.produce(broker.bootstrap(), topic, partitions, perRound, produced / partitions);
            long total = produced + perRound;
            Await.until(Clients.TIMEOUT, "the last round to be consumed", () -> ledger.count() >= total);
            Map<Integer, Long> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(p, total / partitions);
            }
            // Each restarted member resumed exactly at what its predecessor committed.
            ledger.assertExactlyOnceInOrder(ends);
        } finally {
            GroupMember.closeAll(members);
        }
    }

    private static GroupMember startStatic(String instance, int incarnation, String group, GroupProtocol protocol,
                                           String topic, Ledger ledger) {
        Map<String, Object> overrides = new HashMap<>(protocol.session(SESSION_TIMEOUT_MS, 500));
        overrides.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
        return GroupMember.start(instance + "/" + incarnation,
                GroupClients.consumerProps(broker.bootstrap(), group, protocol, overrides),
                topic, (m, r) -> ledger.record(m.name(), r));
    }

    private static String instanceOf(String memberName) {
        return memberName.substring(0, memberName.indexOf('/'));
    }
}
