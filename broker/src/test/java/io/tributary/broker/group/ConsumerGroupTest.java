package io.tributary.broker.group;

import static io.tributary.broker.group.ConsumerHarness.GROUP;
import static io.tributary.broker.group.ConsumerHarness.HEARTBEAT_MS;
import static io.tributary.broker.group.ConsumerHarness.SESSION_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.group.ConsumerHarness.Client;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The consumer rebalance protocol (KIP-848) on one shard, driven by simulated consumers and a manual clock. */
class ConsumerGroupTest {
    private final ConsumerHarness h = new ConsumerHarness();

    private List<Client> stableGroup(int size, String topic) {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Client c = h.client(topic);
            c.join();
            assertThat(c.lastError).isEqualTo(Errors.NONE);
            clients.add(c);
        }
        h.converge(clients);
        return clients;
    }

    @Test
    void threeMembersConvergeWithEachPartitionOwnedOnce() {
        h.createTopic("t", 12);
        List<Client> clients = stableGroup(3, "t");
        Set<String> all = new HashSet<>();
        for (Client c : clients) {
            assertThat(c.ownedCount()).isEqualTo(4);
            all.addAll(c.ownedKeys());
            assertThat(c.epoch).isEqualTo(h.group().targetEpoch());
        }
        assertThat(all).hasSize(12);
        assertThat(h.group().groupEpoch()).isEqualTo(3);
        assertThat(h.group().state()).isEqualTo(ConsumerGroup.State.STABLE);
        Client a = clients.get(0);
        ConsumerGroupHeartbeatResponseData steady = h.send(a.request().setTopicPartitions(null));
        assertThat(steady.errorCode()).isZero();
        assertThat(steady.heartbeatIntervalMs()).isEqualTo(HEARTBEAT_MS);
        assertThat(steady.assignment()).as("nothing changed: no assignment sent").isNull();
    }

    @Test
    void aFourthMemberTakesOnlyWhatMustMoveAndNobodyRevokesWhatItKeeps() {
        h.createTopic("t", 12);
        List<Client> clients = stableGroup(3, "t");
        List<Set<String>> before = new ArrayList<>();
        clients.forEach(c -> before.add(c.ownedKeys()));
        clients.forEach(c -> c.revoked.clear());
        Client fourth = h.client("t");
        ConsumerGroupHeartbeatResponseData joined = fourth.join();
        assertThat(joined.assignment().topicPartitions()).as("everything is still owned by others").isEmpty();
        assertThat(h.group().member(fourth.memberId)).isNotNull();
        assertThat(h.group().current(fourth.memberId).state()).isEqualTo(ConsumerMemberState.UNRELEASED_PARTITIONS);
        clients.add(fourth);
        h.converge(clients);
        int moved = 0;
        for (int i = 0; i < 3; i++) {
            Client c = clients.get(i);
            assertThat(c.ownedCount()).isEqualTo(3);
            assertThat(before.get(i)).containsAll(c.ownedKeys());
            Set<String> lost = new TreeSet<>(before.get(i));
            lost.removeAll(c.ownedKeys());
            assertThat(c.revoked).as("revoked only what it lost").containsExactlyInAnyOrderElementsOf(lost);
            moved += lost.size();
        }
        assertThat(moved).isEqualTo(3);
        assertThat(fourth.ownedCount()).isEqualTo(3);
        assertThat(fourth.revoked).isEmpty();
    }

    @Test
    void membersMustRevokeBeforeOthersGetTheirPartitions() {
        h.createTopic("t", 4);
        List<Client> clients = stableGroup(1, "t");
        Client a = clients.get(0);
        Client b = h.client("t");
        b.join();
        // a has not heartbeat yet: b gets nothing, a is not yet told anything.
        assertThat(b.ownedCount()).isZero();
        ConsumerGroupHeartbeatResponseData r = a.heartbeat();
        assertThat(h.group().current(a.memberId).state()).isEqualTo(ConsumerMemberState.UNREVOKED_PARTITIONS);
        assertThat(r.memberEpoch()).as("stays at its epoch while revoking").isEqualTo(1);
        assertThat(a.ownedCount()).isEqualTo(2);
        b.heartbeat();
        assertThat(b.ownedCount()).as("a's revocation is not acknowledged yet").isZero();
        a.heartbeat();
        assertThat(h.group().current(a.memberId).state()).isEqualTo(ConsumerMemberState.STABLE);
        assertThat(a.epoch).isEqualTo(2);
        b.heartbeat();
        assertThat(b.ownedCount()).isEqualTo(2);
        ConsumerHarness.assertExclusive(List.of(a, b));
        assertThat(h.group().state()).isEqualTo(ConsumerGroup.State.STABLE);
    }

    @Test
    void aMemberThatStopsHeartbeatingExpiresAndItsPartitionsAreReassigned() {
        h.createTopic("t", 6);
        List<Client> clients = stableGroup(3, "t");
        Client dead = clients.remove(2);
        for (int t = 0; t < SESSION_MS; t += HEARTBEAT_MS) {
            h.clock.advance(HEARTBEAT_MS);
            clients.forEach(Client::heartbeat);
        }
        h.clock.advance(HEARTBEAT_MS);
        assertThat(h.group().member(dead.memberId)).isNull();
        h.converge(clients);
        assertThat(clients.get(0).ownedCount() + clients.get(1).ownedCount()).isEqualTo(6);
        assertThat(dead.heartbeat().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aMemberThatDoesNotRevokeWithinTheRebalanceTimeoutIsFenced() {
        h.createTopic("t", 4);
        Client a = stableGroup(1, "t").get(0);
        Client b = h.client("t");
        b.join();
        h.send(a.request().setTopicPartitions(null)); // told to revoke, never confirms
        assertThat(h.group().current(a.memberId).state()).isEqualTo(ConsumerMemberState.UNREVOKED_PARTITIONS);
        for (int t = 0; t < ConsumerHarness.REBALANCE_MS; t += HEARTBEAT_MS) {
            h.clock.advance(HEARTBEAT_MS);
            h.send(a.request().setTopicPartitions(null));
            b.heartbeat();
        }
        assertThat(h.group().member(a.memberId)).isNull();
        b.heartbeat();
        assertThat(b.ownedCount()).isEqualTo(4);
    }

    @Test
    void epochsAreFencedAsKafkaDoes() {
        h.createTopic("t", 4);
        List<Client> clients = stableGroup(2, "t");
        Client a = clients.get(0);
        int epoch = a.epoch;
        ConsumerGroupHeartbeatResponseData ahead = h.send(a.request().setMemberEpoch(epoch + 1));
        assertThat(Errors.forCode(ahead.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        ConsumerGroupHeartbeatResponseData behind = h.send(a.request().setMemberEpoch(epoch - 1).setTopicPartitions(null));
        assertThat(Errors.forCode(behind.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        ConsumerGroupHeartbeatResponseData unknown = h.send(a.request().setMemberId("nobody"));
        assertThat(Errors.forCode(unknown.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // A fenced member rejoins with epoch 0 under the same id and gets its assignment back.
        ConsumerGroupHeartbeatResponseData rejoin = a.join();
        assertThat(rejoin.errorCode()).isZero();
        assertThat(rejoin.memberEpoch()).isEqualTo(epoch);
        assertThat(a.ownedCount()).isEqualTo(2);
        // Offset commits: by member epoch.
        assertThat(commit(a.memberId, a.epoch, (short) 9)).isEqualTo(Errors.NONE);
        assertThat(commit(a.memberId, a.epoch - 1, (short) 9)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit(a.memberId, a.epoch + 1, (short) 9)).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(commit(a.memberId, a.epoch - 1, (short) 8)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commit("nobody", a.epoch, (short) 9)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commit("", -1, (short) 9)).as("admin commit into a live group").isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // Offset fetches (v9+): by member epoch too, and open to callers outside the group.
        assertThat(fetch(a.memberId, a.epoch)).isEqualTo(Errors.NONE);
        assertThat(fetch(a.memberId, a.epoch - 1)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(fetch(a.memberId, a.epoch + 1)).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(fetch("nobody", a.epoch)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(fetch(null, -1)).as("admin or classic fetch").isEqualTo(Errors.NONE);
        assertThat(h.shard.fetchOffsets(GROUP, a.memberId, a.epoch, Map.of("t", List.of(0))).topics().get(0)
                .partitions().get(0).committedOffset()).isEqualTo(5);
    }

    @Test
    void aLostResponseIsForgivenWhenTheOwnedPartitionsMatch() {
        h.createTopic("t", 4);
        Client a = stableGroup(1, "t").get(0);
        Client b = h.client("t");
        b.join();
        int before = a.epoch;
        a.heartbeat(); // asked to revoke
        a.heartbeat(); // revoked: moves to the new epoch
        assertThat(a.epoch).isEqualTo(before + 1);
        // The client never saw that response: it heartbeats with the old epoch and what it owns.
        ConsumerGroupHeartbeatResponseData retry = h.send(a.request().setMemberEpoch(before).setTopicPartitions(
                List.of(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(a.owned.keySet().iterator().next())
                        .setPartitions(new ArrayList<>(a.owned.values().iterator().next())))));
        assertThat(retry.errorCode()).isZero();
        assertThat(retry.memberEpoch()).isEqualTo(before + 1);
    }

    @Test
    void joinValidationAndLimits() {
        h.createTopic("t", 4);
        ConsumerGroupHeartbeatRequestData base = new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP)
                .setMemberId("m").setMemberEpoch(0).setRebalanceTimeoutMs(1000).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of());
        assertThat(error(base.duplicate().setGroupId(""))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setMemberId(""))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setRebalanceTimeoutMs(-1))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setTopicPartitions(null))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setSubscribedTopicNames(null))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setMemberEpoch(-3))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setMemberEpoch(-2))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(base.duplicate().setServerAssignor("sticky"))).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
        assertThat(error(base.duplicate().setSubscribedTopicNames(null).setSubscribedTopicRegex("(")))
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
        assertThat(h.group()).as("no refused request leaves a trace").isNull();
        for (int i = 0; i < 5; i++) {
            assertThat(h.client("t").join().errorCode()).isZero();
        }
        assertThat(Errors.forCode(h.client("t").join().errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void staticMembersLeaveTemporarilyAndComeBackToTheirPartitions() {
        h.createTopic("t", 6);
        Client s = h.new Client(Uuid.randomUuid().toString(), "instance-1", List.of("t"), null, null);
        Client d = h.client("t");
        s.join();
        d.join();
        List<Client> clients = new ArrayList<>(List.of(s, d));
        h.converge(clients);
        Set<String> staticOwned = s.ownedKeys();
        int groupEpoch = h.group().groupEpoch();
        // Another process with the same instance id cannot join while the member is active.
        Client impostor = h.new Client(Uuid.randomUuid().toString(), "instance-1", List.of("t"), null, null);
        assertThat(Errors.forCode(impostor.join().errorCode())).isEqualTo(Errors.UNRELEASED_INSTANCE_ID);
        // The static member leaves for a restart: nothing is reassigned.
        assertThat(s.leave(-2).memberEpoch()).isEqualTo(-2);
        assertThat(h.group().groupEpoch()).isEqualTo(groupEpoch);
        d.heartbeat();
        assertThat(d.ownedCount()).isEqualTo(3);
        // It comes back under a new member id and gets the same partitions, without a rebalance.
        Client restarted = h.new Client(Uuid.randomUuid().toString(), "instance-1", List.of("t"), null, null);
        ConsumerGroupHeartbeatResponseData back = restarted.join();
        assertThat(back.errorCode()).isZero();
        assertThat(restarted.ownedKeys()).isEqualTo(staticOwned);
        assertThat(h.group().groupEpoch()).isEqualTo(groupEpoch);
        assertThat(h.group().member(s.memberId)).isNull();
        assertThat(Errors.forCode(s.heartbeat().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        // The old id with the instance id is fenced.
        ConsumerGroupHeartbeatResponseData fenced = h.send(s.request().setMemberEpoch(back.memberEpoch())
                .setInstanceId("instance-1"));
        assertThat(Errors.forCode(fenced.errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        // A static member that does not come back expires with its session.
        restarted.leave(-2);
        for (int t = 0; t <= SESSION_MS; t += HEARTBEAT_MS) {
            h.clock.advance(HEARTBEAT_MS);
            d.heartbeat();
        }
        assertThat(h.group().members()).containsOnlyKeys(d.memberId);
        h.converge(List.of(d));
        assertThat(d.ownedCount()).isEqualTo(6);
    }

    @Test
    void aLeavingMemberHandsItsPartitionsOver() {
        h.createTopic("t", 4);
        List<Client> clients = stableGroup(2, "t");
        ConsumerGroupHeartbeatResponseData left = clients.get(1).leave(-1);
        assertThat(left.errorCode()).isZero();
        assertThat(left.memberEpoch()).isEqualTo(-1);
        assertThat(h.group().members()).hasSize(1);
        h.converge(clients.subList(0, 1));
        assertThat(clients.get(0).ownedCount()).isEqualTo(4);
        clients.get(0).leave(-1);
        assertThat(h.group().state()).isEqualTo(ConsumerGroup.State.EMPTY);
        assertThat(Errors.forCode(clients.get(0).leave(-1).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aRegexSubscriptionPicksUpNewTopics() {
        Uuid foo1 = h.createTopic("foo1", 2);
        h.createTopic("bar", 2);
        Client c = h.new Client(Uuid.randomUuid().toString(), null, List.of(), "foo.*", null);
        c.join();
        h.converge(List.of(c));
        assertThat(c.owned).containsOnlyKeys(foo1);
        int epoch = h.group().groupEpoch();
        Uuid foo2 = h.createTopic("foo2", 3);
        c.heartbeat();
        assertThat(h.group().groupEpoch()).isEqualTo(epoch + 1);
        h.converge(List.of(c));
        assertThat(c.owned).containsOnlyKeys(foo1, foo2);
        assertThat(c.ownedCount()).isEqualTo(5);
    }

    @Test
    void theRangeAssignorIsUsedWhenMembersAskForIt() {
        Uuid t = h.createTopic("t", 5);
        List<Client> clients = new ArrayList<>();
        for (String id : List.of("a", "b")) {
            Client c = h.new Client(id, null, List.of("t"), null, "range");
            c.join();
            clients.add(c);
        }
        h.converge(clients);
        assertThat(clients.get(0).owned.get(t)).containsExactly(0, 1, 2);
        assertThat(clients.get(1).owned.get(t)).containsExactly(3, 4);
        ConsumerGroupDescribeResponseData.DescribedGroup described = h.shard.describeConsumerGroup(GROUP, h.image);
        assertThat(described.assignorName()).isEqualTo("range");
        assertThat(described.groupState()).isEqualTo("Stable");
        assertThat(described.members()).hasSize(2);
        assertThat(described.members().get(0).assignment().topicPartitions().get(0).topicName()).isEqualTo("t");
    }

    @Test
    void classicAndConsumerGroupsDoNotMix() {
        h.createTopic("t", 2);
        Client c = h.client("t");
        c.join();
        CompletableFuture<JoinGroupResponseData> join = new CompletableFuture<>();
        h.shard.joinGroup(new JoinGroupRequestData().setGroupId(GROUP).setMemberId("").setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000).setProtocolType("consumer").setProtocols(
                        new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                                new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                                        .setMetadata(new byte[0])).iterator())),
                new JoinContext("c", "/h", false, true), join::complete);
        assertThat(Errors.forCode(join.join().errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        List<ListedGroup> listed = h.shard.listGroups(Set.of());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).groupType()).isEqualTo("consumer");
        assertThat(listed.get(0).groupState()).isEqualTo("Stable");
        assertThat(h.shard.describeGroup(GROUP).groupState()).isEqualTo("Dead");
        assertThat(h.shard.deleteGroup(GROUP)).isEqualTo(Errors.NON_EMPTY_GROUP);

        // A classic group with members refuses consumer-protocol members.
        ShardHarness classic = new ShardHarness();
        classic.stableGroup(1);
        ConsumerGroupHeartbeatResponseData refused = classic.shard.consumerGroupHeartbeat(
                new ConsumerGroupHeartbeatRequestData().setGroupId(ShardHarness.GROUP).setMemberId("m").setMemberEpoch(0)
                        .setRebalanceTimeoutMs(1000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()),
                (short) 1, "c", "/h", h.image);
        assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);

        // An empty consumer group can be deleted, offsets and all.
        c.leave(-1);
        assertThat(h.shard.deleteGroup(GROUP)).isEqualTo(Errors.NONE);
        assertThat(h.shard.state().group(GROUP)).isNull();
    }

    private Errors error(ConsumerGroupHeartbeatRequestData r) {
        return Errors.forCode(h.send(r).errorCode());
    }

    private Errors fetch(String memberId, int epoch) {
        return Errors.forCode(h.shard.fetchOffsets(GROUP, memberId, epoch, Map.of("t", List.of(0))).errorCode());
    }

    private Errors commit(String memberId, int epoch, short version) {
        OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId(GROUP).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch);
        r.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5))));
        return ShardHarness.commitError(h.shard.commitOffsets(r, version));
    }
}
