package io.tributary.broker.group;

import static io.tributary.broker.group.ShardHarness.INITIAL_DELAY_MS;
import static io.tributary.broker.group.ShardHarness.SESSION_MS;
import static io.tributary.broker.group.ShardHarness.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.group.ShardHarness.Stable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Records + replay: the state a shard builds live is exactly what replaying its log builds, also after compaction,
 * and a shard loaded from the log carries on where the old one stopped.
 */
class ReplayTest {
    private final ShardHarness h = new ShardHarness();

    /** A history touching every kind of record: joins, a static swap, a leave, commits, a deletion, a rebalance. */
    private Stable busyHistory() {
        h.commit("", -1, "t", 0, 1);
        Stable stable = h.stableGroup(3);
        String a = stable.members().get(0);
        h.commit(a, stable.generation(), "t", 0, 10);
        h.commit(a, stable.generation(), "t", 1, 11);
        h.commit(a, stable.generation(), "t", 0, 12);
        // A static member joins, then restarts.
        h.join(joinRequest(stable.members().get(1), null, "roundrobin"), 5);
        CompletableFuture<JoinGroupResponseData> staticJoin = h.join(joinRequest("", "s1", "roundrobin"), 5);
        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        joins.add(h.join(a, null));
        joins.add(h.join(stable.members().get(2), null));
        joins.add(staticJoin);
        assertThat(staticJoin).as("the last member to rejoin completes the join phase").isDone();
        List<String> ids = List.of(a, stable.members().get(2), staticJoin.join().memberId());
        // Member 1 changed protocols and was parked: answer it too.
        Stable next = h.syncAll(ids, joins, java.util.Arrays.asList(null, null, "s1"));
        h.join(joinRequest("", "s1", "roundrobin"), 5).join();
        h.leave(new MemberIdentity().setMemberId(stable.members().get(2)));
        // Another group comes and goes.
        h.shard.commitOffsets(new org.apache.kafka.common.message.OffsetCommitRequestData().setGroupId("gone")
                .setMemberId("").setGenerationIdOrMemberEpoch(-1).setTopics(List.of(
                        new org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic().setName("x")
                                .setPartitions(List.of(new org.apache.kafka.common.message.OffsetCommitRequestData
                                        .OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(3))))), (short) 8);
        assertThat(h.shard.deleteGroup("gone")).isEqualTo(Errors.NONE);
        return next;
    }

    @Test
    void replayingTheLogReproducesTheLiveState() {
        busyHistory();
        assertThat(h.shard.state().groups()).isNotEmpty();
        assertThat(h.group().members()).isNotEmpty();
        assertThat(h.group().offsets()).hasSize(2);

        CoordinatorState replayed = new CoordinatorState();
        h.log.records().forEach(replayed::replay);
        assertThat(replayed).isEqualTo(h.shard.state());

        CoordinatorState compacted = new CoordinatorState();
        List<CoordinatorRecord> kept = h.log.compacted();
        assertThat(kept.size()).isLessThan(h.log.records().size());
        kept.forEach(compacted::replay);
        assertThat(compacted).as("compaction does not change the replayed state").isEqualTo(h.shard.state());
    }

    @Test
    void everyIntermediateStateIsReproducedByItsPrefixOfTheLog() {
        List<CoordinatorState> live = new ArrayList<>();
        // Replays after each batch must equal the live state after that batch; check at a few points.
        h.commit("", -1, "t", 0, 1);
        live.add(snapshot());
        Stable stable = h.stableGroup(2);
        live.add(snapshot());
        h.join(stable.members().get(0), null);
        live.add(snapshot());
        int checked = 0;
        for (CoordinatorState expected : live) {
            CoordinatorState replayed = new CoordinatorState();
            List<CoordinatorRecord> records = h.log.records();
            // Find the shortest prefix whose replay equals the snapshot: it must exist.
            boolean found = false;
            for (CoordinatorRecord r : records) {
                replayed.replay(r);
                if (replayed.equals(expected)) {
                    found = true;
                    break;
                }
            }
            assertThat(found).isTrue();
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    private CoordinatorState snapshot() {
        CoordinatorState s = new CoordinatorState();
        h.log.records().forEach(s::replay);
        assertThat(s).isEqualTo(h.shard.state());
        return s;
    }

    @Test
    void aReloadedShardCarriesOn() {
        busyHistory();
        ShardHarness restartedBusy = new ShardHarness(h.config, h.log);
        assertThat(restartedBusy.shard.state()).isEqualTo(h.shard.state());

        ShardHarness other = new ShardHarness();
        Stable stable = other.stableGroup(2);
        String a = stable.members().get(0);
        other.commit(a, stable.generation(), "t", 0, 12);
        other.shard.close();
        ShardHarness restarted = new ShardHarness(other.config, other.log);
        assertThat(restarted.shard.state()).isEqualTo(other.shard.state());
        assertThat(restarted.state()).isEqualTo(GroupState.STABLE);
        assertThat(restarted.heartbeat(a, stable.generation())).isEqualTo(Errors.NONE);
        assertThat(restarted.fetch("t", 0).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(12);
        // Members that never come back expire: sessions were re-armed on load.
        restarted.clock.advance(SESSION_MS + 1);
        assertThat(restarted.group().members()).isEmpty();
        assertThat(restarted.state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void aRebalanceInterruptedByARestartCompletesAfterTheReload() {
        Stable stable = h.stableGroup(2);
        String a = stable.members().get(0);
        String b = stable.members().get(1);
        h.join(a, null);
        assertThat(h.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        h.shard.close();

        ShardHarness restarted = new ShardHarness(h.config, h.log);
        assertThat(restarted.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        // The clients resend their JoinGroups to the new coordinator.
        CompletableFuture<JoinGroupResponseData> joinA = restarted.join(a, null);
        CompletableFuture<JoinGroupResponseData> joinB = restarted.join(b, null);
        assertThat(joinA.join().generationId()).isEqualTo(stable.generation() + 1);
        restarted.syncAll(List.of(a, b), List.of(joinA, joinB), null);
        assertThat(restarted.state()).isEqualTo(GroupState.STABLE);
    }

    @Test
    void loadingAnEmptyLogGivesAnEmptyState() {
        ShardHarness fresh = new ShardHarness(h.config, new InMemoryCoordinatorLog());
        assertThat(fresh.shard.state().groups()).isEmpty();
        fresh.clock.advance(INITIAL_DELAY_MS);
        assertThat(fresh.shard.listGroups(java.util.Set.of())).isEmpty();
    }
}
