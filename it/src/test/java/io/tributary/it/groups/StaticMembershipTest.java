package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static membership (KIP-345): a member with a {@code group.instance.id} does not leave the group when it closes,
 * and when it comes back within its session timeout it takes over its old identity and assignment without a
 * rebalance. A rolling restart of every member, the leader included (whichever it is), must therefore leave the
 * others undisturbed: no rebalance callbacks, no new generation.
 */
class StaticMembershipTest {
    private static final int SESSION_TIMEOUT_MS = 15_000;

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
    void aRollingRestartOfStaticMembersKeepsAssignmentsAndCausesNoRebalance() throws Exception {
        String topic = "static";
        String group = "static-group";
        int partitions = 6;
        int perRound = 1_200;
        GroupClients.createTopic(broker.bootstrap(), topic, partitions);
        Ledger ledger = new Ledger();
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(startStatic("i" + i, 0, group, topic, ledger));
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
                GroupClients.await(GroupClients.TIMEOUT, "round " + i + " to be consumed", () -> ledger.count() >= target);

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
                GroupMember back = startStatic(instance, 1, group, topic, ledger);
                members.set(i, back);
                GroupClients.await(GroupClients.TIMEOUT, instance + " to get its partitions back", () -> {
                    back.checkAlive();
                    return !back.assignment().isEmpty();
                });
                assertThat(back.assignment()).as("%s's assignment after its restart", instance)
                        .isEqualTo(owners.get(instance));
                assertThat(back.generation()).as("generation after %s came back", instance).isEqualTo(generation);
                assertThat(back.memberId()).as("a restarted static member gets a new member id")
                        .isNotEqualTo(oldMemberId).startsWith(instance + "-");

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
            GroupClients.await(GroupClients.TIMEOUT, "the last round to be consumed", () -> ledger.count() >= total);
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

    private static GroupMember startStatic(String instance, int incarnation, String group, String topic, Ledger ledger) {
        return GroupMember.start(instance + "/" + incarnation, GroupClients.consumerProps(broker.bootstrap(), group,
                Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance,
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS)),
                topic, (m, r) -> ledger.record(m.name(), r));
    }

    private static String instanceOf(String memberName) {
        return memberName.substring(0, memberName.indexOf('/'));
    }
}
