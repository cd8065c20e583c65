package io.tributary.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One coordinator shard over an in-memory log with a manual clock, plus the client side of the classic protocol in
 * a few calls, so a test reads like the conversation between consumers and the coordinator.
 */
final class ShardHarness {
    static final String GROUP = "g";
    static final int SESSION_MS = 10_000;
    static final int REBALANCE_MS = 30_000;
    static final int INITIAL_DELAY_MS = 100;
    static final GroupCoordinatorConfig CONFIG = new GroupCoordinatorConfig(1, (short) 1, 1 << 20, 64, 1 << 16,
            60 * 60_000L, 60_000L, 1_000, 600_000, INITIAL_DELAY_MS, 100);

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final InMemoryCoordinatorLog log;
    final GroupCoordinatorConfig config;
    final CoordinatorShard shard;

    ShardHarness() {
        this(CONFIG, new InMemoryCoordinatorLog());
    }

    ShardHarness(GroupCoordinatorConfig config, InMemoryCoordinatorLog log) {
        this.config = config;
        this.log = log;
        this.shard = new CoordinatorShard(0, log, config, clock, clock);
        shard.load();
    }

    /** The consumer protocol's subscription bytes, so metadata looks like a real consumer's. */
    static byte[] subscription(String... topics) {
        ByteBuffer b = ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topics)));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static JoinGroupRequestData joinRequest(String memberId, String instanceId, String... protocolNames) {
        JoinGroupRequestData r = new JoinGroupRequestData().setGroupId(GROUP).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setSessionTimeoutMs(SESSION_MS).setRebalanceTimeoutMs(REBALANCE_MS)
                .setProtocolType("consumer");
        String[] names = protocolNames.length == 0 ? new String[] {"range", "roundrobin"} : protocolNames;
        for (String name : names) {
            r.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(name)
                    .setMetadata(subscription("t")));
        }
        return r;
    }

    /** JoinGroup at the given request version's semantics. */
    CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData request, int version) {
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        shard.joinGroup(request, new JoinContext("client", "/127.0.0.1",
                version >= 4 && request.groupInstanceId() == null, version >= 9), f::complete);
        return f;
    }

    CompletableFuture<JoinGroupResponseData> join(String memberId, String instanceId) {
        return join(joinRequest(memberId, instanceId), 5);
    }

    /** A dynamic member's first JoinGroup (v5): it is handed a member id and must come back with it. */
    String newMemberId() {
        JoinGroupResponseData r = join("", null).join();
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        return r.memberId();
    }

    CompletableFuture<SyncGroupResponseData> sync(String memberId, String instanceId, int generation,
                                                  Map<String, byte[]> assignments) {
        SyncGroupRequestData r = new SyncGroupRequestData().setGroupId(GROUP).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation).setProtocolType("consumer");
        assignments.forEach((m, a) -> r.assignments().add(
                new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(m).setAssignment(a)));
        CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
        shard.syncGroup(r, f::complete);
        return f;
    }

    CompletableFuture<SyncGroupResponseData> sync(String memberId, int generation) {
        return sync(memberId, null, generation, Map.of());
    }

    Errors heartbeat(String memberId, int generation) {
        return shard.heartbeat(GROUP, memberId, null, generation);
    }

    Errors heartbeat(String memberId, String instanceId, int generation) {
        return shard.heartbeat(GROUP, memberId, instanceId, generation);
    }

    List<MemberResponse> leave(MemberIdentity... members) {
        return shard.leaveGroup(GROUP, List.of(members));
    }

    OffsetCommitResponseData commit(String memberId, int generation, String topic, int partition, long offset) {
        return commit(memberId, generation, topic, partition, offset, "", (short) 8);
    }

    OffsetCommitResponseData commit(String memberId, int generation, String topic, int partition, long offset,
                                    String metadata, short version) {
        OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId(GROUP).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation);
        r.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(partition)
                        .setCommittedOffset(offset).setCommittedLeaderEpoch(3).setCommittedMetadata(metadata))));
        return shard.commitOffsets(r, version);
    }

    static Errors commitError(OffsetCommitResponseData response) {
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    OffsetFetchResponseGroup fetch(String topic, Integer... partitions) {
        Map<String, List<Integer>> requested = new LinkedHashMap<>();
        requested.put(topic, List.of(partitions));
        return shard.fetchOffsets(GROUP, null, -1, requested);
    }

    Group group() {
        return shard.state().group(GROUP);
    }

    GroupState state() {
        Group g = group();
        return g == null ? GroupState.DEAD : g.state();
    }

    /** A group that completed a rebalance, as its members saw it. */
    record Stable(int generation, String leader, List<String> members, Map<String, byte[]> assignments) {
    }

    /**
     * Runs dynamic members through MEMBER_ID_REQUIRED, the initial delay, join and sync to a stable generation in
     * which member i is assigned the bytes {i}.
     */
    Stable stableGroup(int size) {
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String id = newMemberId();
            ids.add(id);
            joins.add(join(id, null));
        }
        clock.advance(INITIAL_DELAY_MS * 3L);
        return syncAll(ids, joins, null);
    }

    /** Completes a sync round for members whose JoinGroup responses are {@code joins}. */
    Stable syncAll(List<String> ids, List<CompletableFuture<JoinGroupResponseData>> joins, List<String> instanceIds) {
        String leader = null;
        int generation = -1;
        for (CompletableFuture<JoinGroupResponseData> f : joins) {
            JoinGroupResponseData r = f.getNow(null);
            assertThat(r).as("join response").isNotNull();
            assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
            leader = r.leader();
            generation = r.generationId();
        }
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            assignments.put(ids.get(i), new byte[] {(byte) i});
        }
        List<CompletableFuture<SyncGroupResponseData>> syncs = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String instance = instanceIds == null ? null : instanceIds.get(i);
            if (!id.equals(leader)) {
                syncs.add(sync(id, instance, generation, Map.of()));
            }
        }
        int leaderIndex = ids.indexOf(leader);
        syncs.add(sync(leader, instanceIds == null ? null : instanceIds.get(leaderIndex), generation, assignments));
        for (CompletableFuture<SyncGroupResponseData> s : syncs) {
            assertThat(s.getNow(null)).as("sync response").isNotNull();
            assertThat(Errors.forCode(s.getNow(null).errorCode())).isEqualTo(Errors.NONE);
        }
        return new Stable(generation, leader, ids, assignments);
    }
}
