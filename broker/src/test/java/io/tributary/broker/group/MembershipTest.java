package io.tributary.broker.group;

import static io.tributary.broker.group.ShardHarness.INITIAL_DELAY_MS;
import static io.tributary.broker.group.ShardHarness.REBALANCE_MS;
import static io.tributary.broker.group.ShardHarness.SESSION_MS;
import static io.tributary.broker.group.ShardHarness.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.group.ShardHarness.Stable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/** The classic rebalance protocol on one shard, driven by hand with a manual clock. */
class MembershipTest {
    private final ShardHarness h = new ShardHarness();

    private static Errors error(JoinGroupResponseData r) {
        return Errors.forCode(r.errorCode());
    }

    private static Errors error(SyncGroupResponseData r) {
        return Errors.forCode(r.errorCode());
    }

    @Test
    void threeMembersJoinSyncAndHeartbeat() {
        List<String> ids = List.of(h.newMemberId(), h.newMemberId(), h.newMemberId());
        assertThat(h.state()).as("handing out ids creates no group").isEqualTo(GroupState.DEAD);

        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        for (String id : ids) {
            joins.add(h.join(id, null));
        }
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        h.clock.advance(INITIAL_DELAY_MS);
        // Members arrived during the initial delay, so it was extended once more.
        assertThat(joins).noneMatch(CompletableFuture::isDone);
        h.clock.advance(INITIAL_DELAY_MS);
        assertThat(joins).allMatch(CompletableFuture::isDone);

        String leader = ids.get(0);
        for (int i = 0; i < 3; i++) {
            JoinGroupResponseData r = joins.get(i).join();
            assertThat(error(r)).isEqualTo(Errors.NONE);
            assertThat(r.memberId()).isEqualTo(ids.get(i));
            assertThat(r.generationId()).isEqualTo(1);
            assertThat(r.leader()).as("the first member to join leads").isEqualTo(leader);
            assertThat(r.protocolType()).isEqualTo("consumer");
            assertThat(r.protocolName()).isEqualTo("range");
            assertThat(r.members()).hasSize(i == 0 ? 3 : 0);
        }
        assertThat(joins.get(0).join().members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(h.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);

        CompletableFuture<SyncGroupResponseData> syncB = h.sync(ids.get(1), 1);
        CompletableFuture<SyncGroupResponseData> syncC = h.sync(ids.get(2), 1);
        assertThat(syncB).as("followers wait for the leader's assignment").isNotDone();
        assertThat(h.heartbeat(ids.get(0), 1)).as("heartbeats between join and sync are fine").isEqualTo(Errors.NONE);
        CompletableFuture<SyncGroupResponseData> syncA = h.sync(leader, null, 1, Map.of(
                ids.get(0), new byte[] {0}, ids.get(1), new byte[] {1}, ids.get(2), new byte[] {2}));
        assertThat(syncA.join().assignment()).containsExactly(0);
        assertThat(syncB.join().assignment()).containsExactly(1);
        assertThat(syncC.join().assignment()).containsExactly(2);
        assertThat(syncC.join().protocolName()).isEqualTo("range");
        assertThat(h.state()).isEqualTo(GroupState.STABLE);

        for (int round = 0; round < 5; round++) {
            h.clock.advance(SESSION_MS / 2);
            for (String id : ids) {
                assertThat(h.heartbeat(id, 1)).isEqualTo(Errors.NONE);
            }
        }
        assertThat(h.state()).as("live members keep the group stable").isEqualTo(GroupState.STABLE);
        // A late sync in a stable group gets the stored assignment.
        assertThat(h.sync(ids.get(2), 1).join().assignment()).containsExactly(2);
    }

    @Test
    void memberIdRequiredOnlyFromV4ForDynamicMembers() {
        JoinGroupResponseData first = h.join(joinRequest("", null), 4).join();
        assertThat(error(first)).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        assertThat(h.group()).isNull();

        CompletableFuture<JoinGroupResponseData> v3 = h.join(joinRequest("", null), 3);
        assertThat(v3).as("v3 clients are added at once").isNotDone();
        assertThat(h.group().members()).hasSize(1);

        CompletableFuture<JoinGroupResponseData> rejoined = h.join(joinRequest(first.memberId(), null), 4);
        h.clock.advance(INITIAL_DELAY_MS * 3L);
        assertThat(error(rejoined.join())).isEqualTo(Errors.NONE);
        assertThat(error(v3.join())).isEqualTo(Errors.NONE);
        assertThat(h.group().members()).containsKeys(first.memberId(), v3.join().memberId());

        JoinGroupResponseData unknown = h.join(joinRequest("made-up-id", null), 5).join();
        assertThat(error(unknown)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void anOutstandingMemberIdHoldsTheJoinPhaseUntilItsSessionExpires() {
        Stable stable = h.stableGroup(1);
        String a = stable.members().get(0);
        String pending = h.newMemberId();
        // The leader rejoining starts a rebalance; the handed-out id is waited for.
        CompletableFuture<JoinGroupResponseData> joinA = h.join(a, null);
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(joinA).isNotDone();
        h.clock.advance(SESSION_MS);
        assertThat(error(joinA.join())).isEqualTo(Errors.NONE);
        assertThat(joinA.join().generationId()).isEqualTo(stable.generation() + 1);
        assertThat(h.group().members()).containsOnlyKeys(a);
        assertThat(error(h.join(pending, null).join())).as("an expired pending id is unknown")
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void sessionExpiryRemovesTheMemberAndRebalances() {
        Stable stable = h.stableGroup(3);
        String dead = stable.members().get(2);
        List<String> alive = stable.members().subList(0, 2);
        for (int t = 0; t < SESSION_MS + 2_000; t += 2_000) {
            h.clock.advance(2_000);
            if (h.state() == GroupState.STABLE) {
                alive.forEach(id -> assertThat(h.heartbeat(id, stable.generation())).isEqualTo(Errors.NONE));
            }
        }
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(h.group().members()).doesNotContainKey(dead);
        assertThat(h.heartbeat(alive.get(0), stable.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(h.heartbeat(dead, stable.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        alive.forEach(id -> joins.add(h.join(id, null)));
        assertThat(joins).allMatch(CompletableFuture::isDone);
        Stable next = h.syncAll(alive, joins, null);
        assertThat(next.generation()).isEqualTo(stable.generation() + 1);
        assertThat(h.state()).isEqualTo(GroupState.STABLE);
    }

    @Test
    void theRebalanceTimeoutDropsMembersThatDoNotRejoin() {
        Stable stable = h.stableGroup(2);
        String a = stable.members().get(0);
        String b = stable.members().get(1);
        CompletableFuture<JoinGroupResponseData> joinA = h.join(a, null);
        // b is alive (it heartbeats) but never rejoins.
        for (int i = 0; i < REBALANCE_MS / 5_000 - 1; i++) {
            h.clock.advance(5_000);
            assertThat(h.heartbeat(b, stable.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        }
        assertThat(joinA).isNotDone();
        h.clock.advance(5_000);
        assertThat(error(joinA.join())).isEqualTo(Errors.NONE);
        assertThat(h.group().members()).containsOnlyKeys(a);
        assertThat(h.heartbeat(b, stable.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void membersThatDoNotSyncInTimeAreRemoved() {
        List<String> ids = List.of(h.newMemberId(), h.newMemberId());
        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        ids.forEach(id -> joins.add(h.join(id, null)));
        h.clock.advance(INITIAL_DELAY_MS * 3L);
        int generation = joins.get(0).join().generationId();
        String leader = joins.get(0).join().leader();
        String follower = ids.get(0).equals(leader) ? ids.get(1) : ids.get(0);
        h.sync(leader, null, generation, Map.of(leader, new byte[] {1}, follower, new byte[] {2}));
        assertThat(h.state()).isEqualTo(GroupState.STABLE);
        // The follower heartbeats but never sends SyncGroup: after the rebalance timeout it is removed.
        for (int t = 0; t < REBALANCE_MS; t += 5_000) {
            h.heartbeat(leader, generation);
            h.heartbeat(follower, generation);
            h.clock.advance(5_000);
        }
        assertThat(h.group().members()).containsOnlyKeys(leader);
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
    }

    @Test
    void staleGenerationsAndUnknownMembersAreFenced() {
        Stable stable = h.stableGroup(2);
        String a = stable.members().get(0);
        String b = stable.members().get(1);
        int gen = stable.generation();
        assertThat(h.heartbeat(a, gen - 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(h.heartbeat("nobody", gen)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(h.sync(a, gen + 1).join())).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ShardHarness.commitError(h.commit(a, gen - 1, "t", 0, 5))).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ShardHarness.commitError(h.commit("nobody", gen, "t", 0, 5))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ShardHarness.commitError(h.commit("", -1, "t", 0, 5)))
                .as("a simple commit into a live group").isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ShardHarness.commitError(h.commit(a, gen, "t", 0, 5))).isEqualTo(Errors.NONE);

        // b changes its subscription: a rebalance starts. Commits of the old generation still count meanwhile.
        JoinGroupRequestData changed = joinRequest(b, null, "roundrobin");
        CompletableFuture<JoinGroupResponseData> joinB = h.join(changed, 5);
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(h.heartbeat(a, gen)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(error(h.sync(a, gen).join())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(ShardHarness.commitError(h.commit(a, gen, "t", 0, 6))).isEqualTo(Errors.NONE);

        CompletableFuture<JoinGroupResponseData> joinA = h.join(a, null);
        assertThat(joinA.join().generationId()).isEqualTo(gen + 1);
        assertThat(joinB.join().protocolName()).as("the protocol both support").isEqualTo("roundrobin");
        assertThat(h.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
        assertThat(ShardHarness.commitError(h.commit(a, gen + 1, "t", 0, 7))).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(ShardHarness.commitError(h.commit(a, gen, "t", 0, 7))).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(h.fetch("t", 0).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(6);
    }

    @Test
    void inconsistentProtocolsAreRefused() {
        h.stableGroup(1);
        JoinGroupRequestData other = joinRequest("", null, "sticky-only");
        assertThat(error(h.join(other, 3).join())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        JoinGroupRequestData otherType = joinRequest("", null).setProtocolType("connect");
        assertThat(error(h.join(otherType, 3).join())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    }

    @Test
    void protocolSelectionPrefersWhatMembersPreferAmongCommonProtocols() {
        MemberMetadata a = member("x", "y", "z");
        MemberMetadata b = member("y", "x");
        MemberMetadata c = member("y", "z", "x");
        assertThat(Membership.selectProtocol(List.of(a, b, c))).isEqualTo("y");
        assertThat(Membership.selectProtocol(List.of(a, member("x", "y")))).isEqualTo("x");
        // A tie goes to the first member's order.
        assertThat(Membership.selectProtocol(List.of(member("x", "y"), member("y", "x")))).isEqualTo("x");
    }

    private static MemberMetadata member(String... protocols) {
        List<MemberMetadata.Protocol> list = new ArrayList<>();
        for (String p : protocols) {
            list.add(new MemberMetadata.Protocol(p, Bytes.wrap(new byte[0])));
        }
        return new MemberMetadata(null, "c", "h", 1, 1, list, MemberMetadata.NO_ASSIGNMENT);
    }

    @Test
    void aRestartedStaticMemberKeepsItsAssignmentWithoutARebalance() {
        List<String> instances = List.of("i1", "i2");
        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        instances.forEach(i -> joins.add(h.join(joinRequest("", i), 5)));
        h.clock.advance(INITIAL_DELAY_MS * 3L);
        List<String> ids = new ArrayList<>();
        joins.forEach(j -> ids.add(j.join().memberId()));
        assertThat(ids.get(0)).startsWith("i1-");
        Stable stable = h.syncAll(ids, joins, instances);
        String oldB = ids.get(1);
        int batchesBefore = h.log.batchCount();

        // i2 restarts: same instance id, no member id, same protocols.
        JoinGroupResponseData rejoin = h.join(joinRequest("", "i2"), 5).join();
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.memberId()).isNotEqualTo(oldB).startsWith("i2-");
        assertThat(rejoin.generationId()).isEqualTo(stable.generation());
        assertThat(rejoin.leader()).isEqualTo(stable.leader());
        assertThat(rejoin.members()).isEmpty();
        assertThat(h.state()).isEqualTo(GroupState.STABLE);
        assertThat(h.log.batchCount()).as("one batch swaps the member ids").isEqualTo(batchesBefore + 1);

        SyncGroupResponseData sync = h.sync(rejoin.memberId(), "i2", stable.generation(), Map.of()).join();
        assertThat(sync.assignment()).containsExactly(stable.assignments().get(oldB));
        assertThat(h.heartbeat(oldB, "i2", stable.generation())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(h.heartbeat(rejoin.memberId(), "i2", stable.generation())).isEqualTo(Errors.NONE);
        assertThat(h.heartbeat(ids.get(0), "i1", stable.generation())).isEqualTo(Errors.NONE);

        // The static leader restarting with v9 learns it leads but must skip the assignment.
        JoinGroupResponseData leader = h.join(joinRequest("", "i1"), 9).join();
        assertThat(leader.skipAssignment()).isTrue();
        assertThat(leader.leader()).isEqualTo(leader.memberId());
        assertThat(leader.members()).hasSize(2);
        assertThat(h.state()).isEqualTo(GroupState.STABLE);
    }

    @Test
    void aStaticMemberRejoiningWithOtherProtocolsTriggersARebalance() {
        List<CompletableFuture<JoinGroupResponseData>> joins = List.of(h.join(joinRequest("", "i1", "range"), 5));
        h.clock.advance(INITIAL_DELAY_MS * 3L);
        String id = joins.get(0).join().memberId();
        Stable stable = h.syncAll(List.of(id), joins, List.of("i1"));
        CompletableFuture<JoinGroupResponseData> rejoin = h.join(joinRequest("", "i1", "roundrobin", "range"), 5);
        // Alone in the group, it is immediately the whole join phase of the new generation.
        assertThat(rejoin.join().generationId()).isEqualTo(stable.generation() + 1);
        assertThat(rejoin.join().protocolName()).isEqualTo("roundrobin");
        assertThat(h.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
    }

    @Test
    void leavingTriggersARebalanceAndTheLastOneOutEmptiesTheGroup() {
        Stable stable = h.stableGroup(3);
        String a = stable.members().get(0);
        String b = stable.members().get(1);
        String c = stable.members().get(2);
        List<MemberResponse> left = h.leave(new MemberIdentity().setMemberId(b), new MemberIdentity().setMemberId("nobody"));
        assertThat(left).extracting(MemberResponse::errorCode)
                .containsExactly(Errors.NONE.code(), Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(h.heartbeat(a, stable.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        List<CompletableFuture<JoinGroupResponseData>> joins = List.of(h.join(a, null), h.join(c, null));
        Stable next = h.syncAll(List.of(a, c), joins, null);
        assertThat(next.generation()).isEqualTo(stable.generation() + 1);

        h.leave(new MemberIdentity().setMemberId(a), new MemberIdentity().setMemberId(c));
        assertThat(h.state()).isEqualTo(GroupState.EMPTY);
        assertThat(h.group().metadata().generationId()).isEqualTo(next.generation() + 1);
        assertThat(h.group().metadata().protocolName()).isNull();
    }

    @Test
    void leaveByInstanceIdRemovesTheStaticMember() {
        List<CompletableFuture<JoinGroupResponseData>> joins = List.of(h.join(joinRequest("", "i1"), 5));
        h.clock.advance(INITIAL_DELAY_MS * 3L);
        h.syncAll(List.of(joins.get(0).join().memberId()), joins, List.of("i1"));
        List<MemberResponse> left = h.leave(new MemberIdentity().setMemberId("").setGroupInstanceId("i1"));
        assertThat(left.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(h.state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void aNewLeaderIsChosenWhenTheLeaderDoesNotRejoin() {
        Stable stable = h.stableGroup(2);
        String follower = stable.members().stream().filter(m -> !m.equals(stable.leader())).findFirst().orElseThrow();
        CompletableFuture<JoinGroupResponseData> join = h.join(joinRequest(follower, null, "roundrobin"), 5);
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        h.clock.advance(REBALANCE_MS);
        assertThat(join.join().leader()).isEqualTo(follower);
        assertThat(join.join().members()).hasSize(1);
    }

    @Test
    void theInitialDelayEndsAtTheRebalanceTimeoutEvenWhileMembersKeepComing() {
        JoinGroupRequestData first = joinRequest("", null).setRebalanceTimeoutMs(INITIAL_DELAY_MS * 2);
        CompletableFuture<JoinGroupResponseData> a = h.join(first, 3);
        h.clock.advance(INITIAL_DELAY_MS / 2);
        CompletableFuture<JoinGroupResponseData> b = h.join(joinRequest("", null).setRebalanceTimeoutMs(INITIAL_DELAY_MS * 2), 3);
        h.clock.advance(INITIAL_DELAY_MS / 2);
        assertThat(a).as("b extended the delay").isNotDone();
        h.clock.advance(INITIAL_DELAY_MS / 2);
        CompletableFuture<JoinGroupResponseData> c = h.join(joinRequest("", null).setRebalanceTimeoutMs(INITIAL_DELAY_MS * 2), 3);
        h.clock.advance(INITIAL_DELAY_MS / 2 - 1);
        assertThat(a).isNotDone();
        h.clock.advance(1);
        assertThat(List.of(a, b, c)).as("c arrived, but the rebalance timeout is reached").allMatch(CompletableFuture::isDone);
        assertThat(a.join().generationId()).isEqualTo(1);
        assertThat(c.join().generationId()).isEqualTo(1);
    }

    @Test
    void appendFailuresLeaveTheStateUntouched() {
        Stable stable = h.stableGroup(2);
        String a = stable.members().get(0);
        CoordinatorState before = replayed();
        h.log.failNextAppends(1);
        assertThat(error(h.join(a, null).join())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(h.state()).isEqualTo(GroupState.STABLE);
        assertThat(h.shard.state()).isEqualTo(before);
        h.log.failNextAppends(1);
        assertThat(ShardHarness.commitError(h.commit(a, stable.generation(), "t", 0, 1)))
                .isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(h.group().offsets()).isEmpty();
        assertThat(h.heartbeat(a, stable.generation())).isEqualTo(Errors.NONE);
    }

    private CoordinatorState replayed() {
        CoordinatorState s = new CoordinatorState();
        h.log.records().forEach(s::replay);
        return s;
    }

    @Test
    void aShardStillLoadingAsksClientsToWait() {
        CoordinatorShard loading = new CoordinatorShard(0, new InMemoryCoordinatorLog(), ShardHarness.CONFIG, h.clock, h.clock);
        CompletableFuture<JoinGroupResponseData> join = new CompletableFuture<>();
        loading.joinGroup(joinRequest("", null), new JoinContext("c", "h", true, false), join::complete);
        assertThat(error(join.join())).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        CompletableFuture<SyncGroupResponseData> sync = new CompletableFuture<>();
        loading.syncGroup(new org.apache.kafka.common.message.SyncGroupRequestData().setGroupId("g").setMemberId("m"),
                sync::complete);
        assertThat(error(sync.join())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(loading.heartbeat("g", "m", null, 1)).isEqualTo(Errors.NONE);
        loading.load();
        assertThat(loading.heartbeat("g", "m", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }
}
