package io.tributary.broker.group;

import static io.tributary.broker.group.GroupResponses.joinError;
import static io.tributary.broker.group.GroupResponses.syncError;

import io.tributary.broker.group.CoordinatorRecord.GroupRecord;
import io.tributary.broker.group.CoordinatorRecord.MemberRecord;
import io.tributary.broker.group.MemberMetadata.Protocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group membership protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as a state machine over
 * {@link CoordinatorState}, with Kafka's semantics including MEMBER_ID_REQUIRED (KIP-394) and static membership
 * (KIP-345).
 *
 * <p>Every operation follows the same shape: decide from the current state which records describe the change,
 * {@link CoordinatorShard#commit commit} them (append, then replay), and only then touch the transient
 * {@link GroupRuntime} and answer. A failed append therefore leaves no trace in the state. Operations that trigger a
 * follow-up (a join that completes the join phase) commit again afterwards, reading the state the first commit left.
 * All methods run under the shard's lock.
 */
final class Membership {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /**
     * A new member's JoinGroup may wait in the join phase; if its client gave up, it would otherwise hold up the
     * rebalance forever. Kafka's value.
     */
    static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

    private final CoordinatorShard shard;

    Membership(CoordinatorShard shard) {
        this.shard = shard;
    }

    // ------------------------------------------------------------------ JoinGroup

    /** What one JoinGroup asks for, with its version-derived flags. */
    private record Join(String groupId, String groupInstanceId, JoinContext context, int rebalanceTimeoutMs,
                        int sessionTimeoutMs, String protocolType, List<Protocol> protocols,
                        Consumer<JoinGroupResponseData> done) {
    }

    void join(JoinGroupRequestData request, JoinContext context, Consumer<JoinGroupResponseData> done) {
        String groupId = request.groupId();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (groupId == null || groupId.isEmpty()) {
            done.accept(joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        int sessionTimeoutMs = request.sessionTimeoutMs();
        GroupCoordinatorConfig config = shard.config;
        if (sessionTimeoutMs < config.minSessionTimeoutMs() || sessionTimeoutMs > config.maxSessionTimeoutMs()) {
            done.accept(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        // JoinGroup v0 has no rebalance timeout: the session timeout bounds the join phase, as in Kafka.
        int rebalanceTimeoutMs = request.rebalanceTimeoutMs() < 0 ? sessionTimeoutMs : request.rebalanceTimeoutMs();
        List<Protocol> protocols = new ArrayList<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : request.protocols()) {
            protocols.add(new Protocol(p.name(), Bytes.wrap(p.metadata() == null ? new byte[0] : p.metadata())));
        }
        Group group = shard.state.group(groupId);
        if (group != null && group.isConsumerGroup()) {
            // A consumer-protocol (KIP-848) group: classic members may only take it over once it is empty.
            if (!group.consumerGroup().members().isEmpty()) {
                done.accept(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
                return;
            }
            if (shard.commit(ConsumerMembership.tombstones(groupId, group.consumerGroup())) != Errors.NONE) {
                done.accept(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
                return;
            }
            group = shard.state.group(groupId);
        }
        GroupRuntime rt = shard.runtime(groupId);
        boolean unknownMember = memberId.isEmpty();
        boolean pendingMember = !unknownMember && rt.pendingMembers.contains(memberId);
        if (group == null && !unknownMember && !pendingMember) {
            done.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            shard.dropRuntimeIfIdle(groupId);
            return;
        }
        if (!acceptsJoiningMember(group, rt, memberId)) {
            done.accept(joinError("", Errors.GROUP_MAX_SIZE_REACHED));
            return;
        }
        if (!supportsProtocols(group, request.protocolType(), protocols)) {
            done.accept(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            shard.dropRuntimeIfIdle(groupId);
            return;
        }
        Join join = new Join(groupId, request.groupInstanceId(), context, rebalanceTimeoutMs, sessionTimeoutMs,
                request.protocolType(), protocols, done);
        if (unknownMember) {
            joinNewMember(join, group, rt);
        } else if (pendingMember) {
            if (join.groupInstanceId != null) {
                // Pending ids are only handed to dynamic members; a static member never has one.
                done.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            rt.pendingMembers.remove(memberId);
            addMemberAndRebalance(join, memberId, rt);
        } else {
            joinCurrentMember(join, memberId, group, rt);
        }
        maybeCompleteJoin(groupId);
    }

    private void joinNewMember(Join join, Group group, GroupRuntime rt) {
        String prefix = join.groupInstanceId != null ? join.groupInstanceId : join.context.clientId();
        String newMemberId = prefix + "-" + UUID.randomUUID();
        if (join.groupInstanceId != null) {
            String oldMemberId = group == null ? null : group.staticMemberId(join.groupInstanceId);
            if (oldMemberId != null) {
                replaceStaticMember(join, group, rt, oldMemberId, newMemberId);
            } else {
                addMemberAndRebalance(join, newMemberId, rt);
            }
        } else if (join.context.requireKnownMemberId()) {
            rt.pendingMembers.add(newMemberId);
            String groupId = join.groupId;
            shard.schedule(join.sessionTimeoutMs, () -> expirePendingMember(groupId, newMemberId));
            join.done.accept(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberAndRebalance(join, newMemberId, rt);
        }
    }

    private void joinCurrentMember(Join join, String memberId, Group group, GroupRuntime rt) {
        Errors error = validateMember(group, memberId, join.groupInstanceId);
        if (error != Errors.NONE) {
            join.done.accept(joinError(memberId, error));
            return;
        }
        MemberMetadata member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(join, memberId, group, rt);
            case COMPLETING_REBALANCE -> {
                if (member.protocols().equals(join.protocols)) {
                    // Same metadata: probably a retry after a lost response. Answer with the current generation.
                    join.done.accept(generationResponse(group, memberId, group.isLeader(memberId), group.metadata().leaderId(), false));
                } else {
                    updateMemberAndRebalance(join, memberId, group, rt);
                }
            }
            case STABLE -> {
                // The leader rejoining forces a rebalance: that is how it reacts to changes the coordinator cannot
                // see (new partitions of a subscribed topic). A follower without changes just gets the generation.
                if (group.isLeader(memberId) || !member.protocols().equals(join.protocols)) {
                    updateMemberAndRebalance(join, memberId, group, rt);
                } else {
                    join.done.accept(generationResponse(group, memberId, false, group.metadata().leaderId(), false));
                }
            }
            default -> join.done.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void addMemberAndRebalance(Join join, String memberId, GroupRuntime rt) {
        Group group = shard.state.group(join.groupId);
        GroupMetadata before = group == null ? GroupMetadata.INITIAL : group.metadata();
        GroupMetadata after = before;
        if (group == null || group.members().isEmpty()) {
            after = after.withProtocolType(join.protocolType);
        }
        GroupState previous = before.state();
        boolean rebalance = previous != GroupState.PREPARING_REBALANCE;
        if (rebalance) {
            after = after.withState(GroupState.PREPARING_REBALANCE, shard.time.milliseconds());
        }
        List<CoordinatorRecord> records = new ArrayList<>(2);
        if (!after.equals(before) || group == null || !group.hasMetadataRecord()) {
            records.add(new GroupRecord(join.groupId, after));
        }
        records.add(new MemberRecord(join.groupId, memberId, new MemberMetadata(join.groupInstanceId,
                join.context.clientId(), join.context.clientHost(), join.rebalanceTimeoutMs, join.sessionTimeoutMs,
                join.protocols, MemberMetadata.NO_ASSIGNMENT)));
        if (shard.commit(records) != Errors.NONE) {
            join.done.accept(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!rebalance && rt.initialDelayActive) {
            rt.newMemberAdded = true;
        }
        rt.newMembers.add(memberId);
        park(rt, memberId, join.done);
        touch(join.groupId, memberId, NEW_MEMBER_JOIN_TIMEOUT_MS);
        if (rebalance) {
            rebalancePrepared(join.groupId, previous,
                    "member " + memberId + " joined" + (join.groupInstanceId == null ? "" : " (instance " + join.groupInstanceId + ")"));
        }
    }

    private void updateMemberAndRebalance(Join join, String memberId, Group group, GroupRuntime rt) {
        MemberMetadata before = group.member(memberId);
        MemberMetadata after = before.rejoined(join.protocols, join.rebalanceTimeoutMs, join.sessionTimeoutMs);
        GroupState previous = group.state();
        boolean rebalance = previous == GroupState.STABLE || previous == GroupState.COMPLETING_REBALANCE;
        List<CoordinatorRecord> records = new ArrayList<>(2);
        if (rebalance) {
            records.add(new GroupRecord(join.groupId, group.metadata().withState(GroupState.PREPARING_REBALANCE,
                    shard.time.milliseconds())));
        }
        if (!after.equals(before)) {
            records.add(new MemberRecord(join.groupId, memberId, after));
        }
        if (shard.commit(records) != Errors.NONE) {
            join.done.accept(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        park(rt, memberId, join.done);
        if (rebalance) {
            rebalancePrepared(join.groupId, previous, "member " + memberId + " rejoined");
        }
    }

    /**
     * A static member restarted: its instance id is known but it comes with no member id. It takes over the old
     * member (and its assignment) under a new id; the old id is fenced. In a stable group nothing else changes unless
     * the new protocols would change the group's protocol, so a rolling restart causes no rebalance.
     */
    private void replaceStaticMember(Join join, Group group, GroupRuntime rt, String oldMemberId, String newMemberId) {
        MemberMetadata old = group.member(oldMemberId);
        MemberMetadata replacement = new MemberMetadata(join.groupInstanceId, join.context.clientId(),
                join.context.clientHost(), join.rebalanceTimeoutMs, join.sessionTimeoutMs, join.protocols, old.assignment());
        GroupMetadata before = group.metadata();
        String previousLeader = before.leaderId();
        GroupMetadata after = oldMemberId.equals(previousLeader) ? before.withLeader(newMemberId) : before;
        GroupState state = before.state();
        boolean rebalance = switch (state) {
            case STABLE -> {
                Map<String, MemberMetadata> next = new HashMap<>(group.members());
                next.remove(oldMemberId);
                next.put(newMemberId, replacement);
                yield !selectProtocol(next.values()).equals(before.protocolName());
            }
            // The leader may already have computed an assignment naming the old id: start over.
            case COMPLETING_REBALANCE -> true;
            case PREPARING_REBALANCE -> false;
            default -> throw new IllegalStateException("group " + join.groupId + " has static member " + oldMemberId
                    + " but is " + state);
        };
        if (rebalance) {
            after = after.withState(GroupState.PREPARING_REBALANCE, shard.time.milliseconds());
        }
        List<CoordinatorRecord> records = new ArrayList<>(3);
        if (!after.equals(before)) {
            records.add(new GroupRecord(join.groupId, after));
        }
        // The tombstone first, so the instance id is free when the new member record is replayed.
        records.add(new MemberRecord(join.groupId, oldMemberId, null));
        records.add(new MemberRecord(join.groupId, newMemberId, replacement));
        if (shard.commit(records) != Errors.NONE) {
            join.done.accept(joinError("", Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        log.info("Static member {} of group {} rejoined as {} (was {}) in state {}", join.groupInstanceId, join.groupId,
                newMemberId, oldMemberId, state.displayName());
        Consumer<JoinGroupResponseData> oldJoin = rt.pendingJoins.remove(oldMemberId);
        if (oldJoin != null) {
            oldJoin.accept(joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
        }
        Consumer<SyncGroupResponseData> oldSync = rt.pendingSyncs.remove(oldMemberId);
        if (oldSync != null) {
            oldSync.accept(syncError(Errors.FENCED_INSTANCE_ID));
        }
        boolean awaitedSync = rt.pendingSyncMembers.contains(oldMemberId);
        rt.forget(oldMemberId);
        if (awaitedSync) {
            rt.pendingSyncMembers.add(newMemberId);
        }
        touch(join.groupId, newMemberId, join.sessionTimeoutMs);
        if (state == GroupState.STABLE && !rebalance) {
            Group current = shard.state.group(join.groupId);
            if (join.context.supportSkippingAssignment()) {
                // v9+: tell a static leader it leads, but that it must not run the assignor (the group is stable).
                boolean leader = current.isLeader(newMemberId);
                join.done.accept(generationResponse(current, newMemberId, leader, current.metadata().leaderId(), leader));
            } else {
                // Older clients: report the previous leader id, so a returning leader does not think it leads and
                // compute an assignment a stable group would never distribute.
                join.done.accept(generationResponse(current, newMemberId, false, previousLeader, false));
            }
            return;
        }
        park(rt, newMemberId, join.done);
        if (rebalance) {
            rebalancePrepared(join.groupId, state, "static member " + join.groupInstanceId + " rejoined with new protocols");
        }
    }

    private void park(GroupRuntime rt, String memberId, Consumer<JoinGroupResponseData> done) {
        Consumer<JoinGroupResponseData> previous = rt.pendingJoins.put(memberId, done);
        if (previous != null && previous != done) {
            // A second JoinGroup replaced the first (the client retried); the first will never be the answer.
            previous.accept(joinError(memberId, Errors.REBALANCE_IN_PROGRESS));
        }
    }

    /** group.max.size: a full group refuses new members but never its own. */
    private boolean acceptsJoiningMember(Group group, GroupRuntime rt, String memberId) {
        if (group == null) {
            return true;
        }
        int maxSize = shard.config.maxGroupSize();
        return switch (group.state()) {
            case PREPARING_REBALANCE -> (group.member(memberId) != null && rt.pendingJoins.containsKey(memberId))
                    || rt.pendingJoins.size() < maxSize;
            case COMPLETING_REBALANCE, STABLE -> group.member(memberId) != null || group.members().size() < maxSize;
            default -> true;
        };
    }

    /** A member may join if it supports a protocol that every current member supports (any, in an empty group). */
    private static boolean supportsProtocols(Group group, String protocolType, List<Protocol> protocols) {
        if (protocolType == null || protocolType.isEmpty() || protocols.isEmpty()) {
            return false;
        }
        if (group == null || group.members().isEmpty()) {
            return true;
        }
        if (!protocolType.equals(group.metadata().protocolType())) {
            return false;
        }
        for (Protocol p : protocols) {
            boolean all = true;
            for (MemberMetadata m : group.members().values()) {
                if (!m.supports(p.name())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /**
     * Kafka's choice: among the protocols every member supports, each member votes for the one it prefers most,
     * and the most votes win; ties go to the candidate listed first by the first member (members are sorted by id,
     * so the choice is deterministic).
     */
    static String selectProtocol(Collection<MemberMetadata> members) {
        List<String> candidates = new ArrayList<>();
        MemberMetadata first = members.iterator().next();
        for (Protocol p : first.protocols()) {
            boolean all = true;
            for (MemberMetadata m : members) {
                all &= m.supports(p.name());
            }
            if (all && !candidates.contains(p.name())) {
                candidates.add(p.name());
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalStateException("the members share no protocol; supportsProtocols should have refused one");
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        candidates.forEach(c -> votes.put(c, 0));
        for (MemberMetadata m : members) {
            for (Protocol p : m.protocols()) {
                if (votes.containsKey(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /** Static members are validated by instance id (FENCED_INSTANCE_ID for a stale member id), others by member id. */
    static Errors validateMember(Group group, String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = group.staticMemberId(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return current.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        return group.member(memberId) != null ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    private static JoinGroupResponseData generationResponse(Group group, String memberId, boolean includeMembers,
                                                            String leaderId, boolean skipAssignment) {
        GroupMetadata meta = group.metadata();
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(meta.generationId())
                .setProtocolType(meta.protocolType())
                .setProtocolName(meta.protocolName())
                .setLeader(leaderId == null ? "" : leaderId)
                .setSkipAssignment(skipAssignment)
                .setMemberId(memberId);
        if (includeMembers) {
            for (Map.Entry<String, MemberMetadata> e : group.members().entrySet()) {
                response.members().add(new JoinGroupResponseData.JoinGroupResponseMember()
                        .setMemberId(e.getKey())
                        .setGroupInstanceId(e.getValue().groupInstanceId())
                        .setMetadata(e.getValue().metadataFor(meta.protocolName()).get()));
            }
        }
        return response;
    }

    // ------------------------------------------------------------------ rebalance phases

    /**
     * After a commit moved the group to PreparingRebalance: abort a sync phase in progress and arm the join deadline.
     * The first rebalance of an empty group waits group.initial.rebalance.delay.ms (extended while members keep
     * arriving, up to the rebalance timeout) so that a group starting many consumers rebalances once, not per consumer.
     */
    private void rebalancePrepared(String groupId, GroupState previous, String reason) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.runtime(groupId);
        log.info("Preparing to rebalance group {} (generation {}, partition {}): {}", groupId,
                group.metadata().generationId(), shard.partitionId, reason);
        int seq = ++rt.rebalanceSeq;
        if (previous == GroupState.COMPLETING_REBALANCE) {
            failPendingSyncs(rt, Errors.REBALANCE_IN_PROGRESS);
        }
        rt.pendingSyncMembers.clear();
        rt.cancelSyncTimer();
        rt.cancelJoinTimer();
        int rebalanceTimeoutMs = group.rebalanceTimeoutMs();
        if (previous == GroupState.EMPTY) {
            int delayMs = Math.min(shard.config.initialRebalanceDelayMs(), rebalanceTimeoutMs);
            int remainingMs = Math.max(rebalanceTimeoutMs - shard.config.initialRebalanceDelayMs(), 0);
            rt.initialDelayActive = true;
            rt.newMemberAdded = false;
            rt.joinTimer = shard.schedule(delayMs, () -> initialDelayElapsed(groupId, seq, remainingMs));
        } else {
            rt.joinTimer = shard.schedule(rebalanceTimeoutMs, () -> joinTimedOut(groupId, seq));
            maybeCompleteJoin(groupId);
        }
    }

    private void initialDelayElapsed(String groupId, int seq, int remainingMs) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.existingRuntime(groupId);
        if (group == null || rt == null || rt.rebalanceSeq != seq || group.state() != GroupState.PREPARING_REBALANCE) {
            return;
        }
        rt.joinTimer = null;
        if (rt.newMemberAdded && remainingMs > 0) {
            rt.newMemberAdded = false;
            int delayMs = Math.min(shard.config.initialRebalanceDelayMs(), remainingMs);
            rt.joinTimer = shard.schedule(delayMs, () -> initialDelayElapsed(groupId, seq, remainingMs - delayMs));
            return;
        }
        rt.initialDelayActive = false;
        completeJoin(groupId);
    }

    private void joinTimedOut(String groupId, int seq) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.existingRuntime(groupId);
        if (group == null || rt == null || rt.rebalanceSeq != seq || group.state() != GroupState.PREPARING_REBALANCE) {
            return;
        }
        rt.joinTimer = null;
        completeJoin(groupId);
    }

    /** Completes the join phase once every member has rejoined and no handed-out member id is still outstanding. */
    private void maybeCompleteJoin(String groupId) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.existingRuntime(groupId);
        if (group == null || rt == null || group.state() != GroupState.PREPARING_REBALANCE || rt.initialDelayActive
                || !rt.pendingMembers.isEmpty()) {
            return;
        }
        for (String memberId : group.members().keySet()) {
            if (!rt.pendingJoins.containsKey(memberId)) {
                return;
            }
        }
        completeJoin(groupId);
    }

    /**
     * Ends the join phase: dynamic members that did not rejoin are removed (static ones stay until their session
     * expires), the generation is bumped, a protocol and leader are chosen, and every parked JoinGroup is answered
     * (the leader with all members' metadata). The group is then CompletingRebalance, or Empty if nobody is left.
     */
    private void completeJoin(String groupId) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.runtime(groupId);
        GroupMetadata meta = group.metadata();
        assert meta.state() == GroupState.PREPARING_REBALANCE : "completing the join of a group in " + meta.state();
        rt.cancelJoinTimer();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Map<String, MemberMetadata> remaining = new TreeMap<>();
        boolean anyJoined = false;
        for (Map.Entry<String, MemberMetadata> e : group.members().entrySet()) {
            boolean joined = rt.pendingJoins.containsKey(e.getKey());
            if (!joined && e.getValue().groupInstanceId() == null) {
                removed.add(e.getKey());
                records.add(new MemberRecord(groupId, e.getKey(), null));
            } else {
                remaining.put(e.getKey(), e.getValue());
                anyJoined |= joined;
            }
        }
        if (!remaining.isEmpty() && !anyJoined) {
            // Only static members that have not rejoined are left: wait for them, or for their sessions to expire.
            if (shard.commit(records) == Errors.NONE) {
                removed.forEach(rt::forget);
            }
            int seq = rt.rebalanceSeq;
            rt.joinTimer = shard.schedule(group.rebalanceTimeoutMs(), () -> joinTimedOut(groupId, seq));
            return;
        }
        String leader = meta.leaderId();
        if (leader == null || !rt.pendingJoins.containsKey(leader)) {
            leader = null;
            for (String candidate : rt.pendingJoins.keySet()) {
                if (remaining.containsKey(candidate)) {
                    leader = candidate;
                    break;
                }
            }
        }
        long nowMs = shard.time.milliseconds();
        GroupMetadata next = remaining.isEmpty()
                ? new GroupMetadata(meta.protocolType(), meta.generationId() + 1, null, null, GroupState.EMPTY, nowMs)
                : new GroupMetadata(meta.protocolType(), meta.generationId() + 1, selectProtocol(remaining.values()),
                        leader, GroupState.COMPLETING_REBALANCE, nowMs);
        records.add(new GroupRecord(groupId, next));
        if (shard.commit(records) != Errors.NONE) {
            // Nothing changed; let the members retry and try again after another rebalance timeout.
            List<Consumer<JoinGroupResponseData>> parked = new ArrayList<>(rt.pendingJoins.values());
            List<String> ids = new ArrayList<>(rt.pendingJoins.keySet());
            rt.pendingJoins.clear();
            for (int i = 0; i < parked.size(); i++) {
                parked.get(i).accept(joinError(ids.get(i), Errors.COORDINATOR_NOT_AVAILABLE));
            }
            int seq = rt.rebalanceSeq;
            rt.joinTimer = shard.schedule(group.rebalanceTimeoutMs(), () -> joinTimedOut(groupId, seq));
            return;
        }
        removed.forEach(rt::forget);
        Group current = shard.state.group(groupId);
        if (next.state() == GroupState.EMPTY) {
            log.info("Group {} is empty at generation {}", groupId, next.generationId());
            shard.dropRuntimeIfIdle(groupId);
            return;
        }
        log.info("Group {} completed the join phase: generation {}, protocol {}, leader {}, {} members", groupId,
                next.generationId(), next.protocolName(), next.leaderId(), current.members().size());
        Map<String, Consumer<JoinGroupResponseData>> parked = new LinkedHashMap<>(rt.pendingJoins);
        rt.pendingJoins.clear();
        for (Map.Entry<String, Consumer<JoinGroupResponseData>> e : parked.entrySet()) {
            String memberId = e.getKey();
            e.getValue().accept(generationResponse(current, memberId, current.isLeader(memberId), next.leaderId(), false));
            rt.newMembers.remove(memberId);
            touch(groupId, memberId, current.member(memberId).sessionTimeoutMs());
        }
        rt.pendingSyncMembers.clear();
        rt.pendingSyncMembers.addAll(current.members().keySet());
        int generation = next.generationId();
        rt.cancelSyncTimer();
        rt.syncTimer = shard.schedule(current.rebalanceTimeoutMs(), () -> syncTimedOut(groupId, generation));
    }

    /** Members that never sent SyncGroup within the rebalance timeout are removed, which starts a new rebalance. */
    private void syncTimedOut(String groupId, int generation) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.existingRuntime(groupId);
        if (group == null || rt == null || group.metadata().generationId() != generation) {
            return;
        }
        rt.syncTimer = null;
        GroupState state = group.state();
        if ((state == GroupState.COMPLETING_REBALANCE || state == GroupState.STABLE) && !rt.pendingSyncMembers.isEmpty()) {
            removeMembers(groupId, new ArrayList<>(rt.pendingSyncMembers), "members did not sync in time");
        }
    }

    // ------------------------------------------------------------------ SyncGroup

    void sync(SyncGroupRequestData request, Consumer<SyncGroupResponseData> done) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            done.accept(syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        Group group = shard.state.group(groupId);
        if (group == null) {
            done.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        String memberId = request.memberId();
        Errors error = validateMember(group, memberId, request.groupInstanceId());
        GroupMetadata meta = group.metadata();
        if (error == Errors.NONE && request.generationId() != meta.generationId()) {
            error = Errors.ILLEGAL_GENERATION;
        }
        if (error == Errors.NONE && request.protocolType() != null && !request.protocolType().equals(meta.protocolType())) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error == Errors.NONE && request.protocolName() != null && !request.protocolName().equals(meta.protocolName())) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error != Errors.NONE) {
            done.accept(syncError(error));
            return;
        }
        GroupRuntime rt = shard.runtime(groupId);
        switch (meta.state()) {
            case PREPARING_REBALANCE -> done.accept(syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE -> {
                Consumer<SyncGroupResponseData> previous = rt.pendingSyncs.put(memberId, done);
                if (previous != null && previous != done) {
                    previous.accept(syncError(Errors.REBALANCE_IN_PROGRESS));
                }
                synced(rt, memberId);
                if (group.isLeader(memberId)) {
                    applyAssignment(groupId, request);
                }
            }
            case STABLE -> {
                synced(rt, memberId);
                done.accept(syncResponse(meta, group.member(memberId)));
                touch(groupId, memberId, group.member(memberId).sessionTimeoutMs());
            }
            default -> done.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /** The leader's assignment: stored (members it left out get an empty one), then handed to every waiting member. */
    private void applyAssignment(String groupId, SyncGroupRequestData request) {
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.runtime(groupId);
        Map<String, byte[]> assignments = new HashMap<>();
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : request.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        records.add(new GroupRecord(groupId, group.metadata().withState(GroupState.STABLE, shard.time.milliseconds())));
        for (Map.Entry<String, MemberMetadata> e : group.members().entrySet()) {
            byte[] bytes = assignments.get(e.getKey());
            Bytes assignment = bytes == null ? MemberMetadata.NO_ASSIGNMENT : Bytes.wrap(bytes);
            if (bytes == null) {
                log.warn("Leader of group {} assigned nothing to member {}", groupId, e.getKey());
            }
            if (!assignment.equals(e.getValue().assignment())) {
                records.add(new MemberRecord(groupId, e.getKey(), e.getValue().withAssignment(assignment)));
            }
        }
        if (shard.commit(records) != Errors.NONE) {
            failPendingSyncs(rt, Errors.COORDINATOR_NOT_AVAILABLE);
            GroupMetadata meta = shard.state.group(groupId).metadata();
            if (shard.commit(List.of(new GroupRecord(groupId, meta.withState(GroupState.PREPARING_REBALANCE,
                    shard.time.milliseconds())))) == Errors.NONE) {
                rebalancePrepared(groupId, GroupState.COMPLETING_REBALANCE, "storing the assignment failed");
            }
            return;
        }
        Group current = shard.state.group(groupId);
        log.info("Group {} is stable at generation {} with {} members", groupId, current.metadata().generationId(),
                current.members().size());
        Map<String, Consumer<SyncGroupResponseData>> parked = new HashMap<>(rt.pendingSyncs);
        rt.pendingSyncs.clear();
        for (Map.Entry<String, Consumer<SyncGroupResponseData>> e : parked.entrySet()) {
            MemberMetadata member = current.member(e.getKey());
            e.getValue().accept(syncResponse(current.metadata(), member));
            touch(groupId, e.getKey(), member.sessionTimeoutMs());
        }
    }

    private static SyncGroupResponseData syncResponse(GroupMetadata meta, MemberMetadata member) {
        return new SyncGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProtocolType(meta.protocolType())
                .setProtocolName(meta.protocolName())
                .setAssignment(member.assignment().get());
    }

    private static void synced(GroupRuntime rt, String memberId) {
        if (rt.pendingSyncMembers.remove(memberId) && rt.pendingSyncMembers.isEmpty()) {
            rt.cancelSyncTimer();
        }
    }

    private static void failPendingSyncs(GroupRuntime rt, Errors error) {
        List<Consumer<SyncGroupResponseData>> parked = new ArrayList<>(rt.pendingSyncs.values());
        rt.pendingSyncs.clear();
        parked.forEach(cb -> cb.accept(syncError(error)));
    }

    // ------------------------------------------------------------------ Heartbeat and sessions

    Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        Group group = shard.state.group(groupId);
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        Errors error = validateMember(group, memberId, groupInstanceId);
        if (error != Errors.NONE) {
            return error;
        }
        if (generationId != group.metadata().generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> {
                // Consumers may heartbeat between their JoinGroup and SyncGroup responses: a normal heartbeat.
                touch(groupId, memberId, group.member(memberId).sessionTimeoutMs());
                yield Errors.NONE;
            }
            case PREPARING_REBALANCE -> {
                touch(groupId, memberId, group.member(memberId).sessionTimeoutMs());
                yield Errors.REBALANCE_IN_PROGRESS;
            }
            default -> Errors.UNKNOWN_MEMBER_ID;
        };
    }

    /**
     * Keeps a member alive for another {@code timeoutMs}. Each member has at most one live session check, scheduled
     * no later than its deadline; a superseded check recognises itself by its scheduled time and does nothing.
     */
    void touch(String groupId, String memberId, long timeoutMs) {
        GroupRuntime rt = shard.runtime(groupId);
        long deadlineMs = shard.time.milliseconds() + timeoutMs;
        rt.heartbeatDeadlinesMs.put(memberId, deadlineMs);
        Long checkAtMs = rt.heartbeatCheckAtMs.get(memberId);
        if (checkAtMs == null || checkAtMs > deadlineMs) {
            scheduleSessionCheck(groupId, rt, memberId, deadlineMs);
        }
    }

    private void scheduleSessionCheck(String groupId, GroupRuntime rt, String memberId, long atMs) {
        rt.heartbeatCheckAtMs.put(memberId, atMs);
        shard.schedule(atMs - shard.time.milliseconds(), () -> checkSession(groupId, memberId, atMs));
    }

    private void checkSession(String groupId, String memberId, long scheduledAtMs) {
        GroupRuntime rt = shard.existingRuntime(groupId);
        Long live = rt == null ? null : rt.heartbeatCheckAtMs.get(memberId);
        if (live == null || live != scheduledAtMs) {
            return;
        }
        rt.heartbeatCheckAtMs.remove(memberId);
        Long deadline = rt.heartbeatDeadlinesMs.get(memberId);
        Group group = shard.state.group(groupId);
        if (deadline == null || group == null || group.member(memberId) == null) {
            rt.heartbeatDeadlinesMs.remove(memberId);
            shard.dropRuntimeIfIdle(groupId);
            return;
        }
        long nowMs = shard.time.milliseconds();
        if (nowMs < deadline) {
            scheduleSessionCheck(groupId, rt, memberId, deadline);
            return;
        }
        MemberMetadata member = group.member(memberId);
        boolean parked = rt.pendingJoins.containsKey(memberId) || rt.pendingSyncs.containsKey(memberId);
        if (parked && !rt.newMembers.contains(memberId)) {
            // A member waiting on the coordinator cannot heartbeat; the rebalance timeout bounds that wait instead.
            touch(groupId, memberId, member.sessionTimeoutMs());
            return;
        }
        log.info("Member {} of group {} timed out (session {} ms)", memberId, groupId, member.sessionTimeoutMs());
        if (removeMembers(groupId, List.of(memberId), "member " + memberId + " session expired") != Errors.NONE) {
            touch(groupId, memberId, member.sessionTimeoutMs());
        }
    }

    private void expirePendingMember(String groupId, String memberId) {
        GroupRuntime rt = shard.existingRuntime(groupId);
        if (rt != null && rt.pendingMembers.remove(memberId)) {
            log.debug("Pending member {} of group {} never joined", memberId, groupId);
            maybeCompleteJoin(groupId);
            shard.dropRuntimeIfIdle(groupId);
        }
    }

    // ------------------------------------------------------------------ LeaveGroup and removal

    List<MemberResponse> leave(String groupId, List<MemberIdentity> leaving) {
        List<MemberResponse> responses = new ArrayList<>(leaving.size());
        Group group = shard.state.group(groupId);
        GroupRuntime rt = shard.existingRuntime(groupId);
        Set<String> toRemove = new LinkedHashSet<>();
        List<MemberResponse> removing = new ArrayList<>();
        boolean pendingLeft = false;
        for (MemberIdentity identity : leaving) {
            MemberResponse response = new MemberResponse()
                    .setMemberId(identity.memberId())
                    .setGroupInstanceId(identity.groupInstanceId());
            responses.add(response);
            String memberId = identity.memberId() == null ? "" : identity.memberId();
            Errors error;
            if (memberId.isEmpty()) {
                // Admin removal of a static member by instance id alone (kafka-consumer-groups --remove-members).
                String current = group == null || identity.groupInstanceId() == null
                        ? null : group.staticMemberId(identity.groupInstanceId());
                error = current == null ? Errors.UNKNOWN_MEMBER_ID : Errors.NONE;
                if (current != null) {
                    toRemove.add(current);
                    removing.add(response);
                }
            } else if (rt != null && rt.pendingMembers.remove(memberId)) {
                pendingLeft = true;
                error = Errors.NONE;
            } else if (group == null) {
                error = Errors.UNKNOWN_MEMBER_ID;
            } else {
                error = validateMember(group, memberId, identity.groupInstanceId());
                if (error == Errors.NONE) {
                    toRemove.add(memberId);
                    removing.add(response);
                }
            }
            response.setErrorCode(error.code());
        }
        if (!toRemove.isEmpty()) {
            Errors error = removeMembers(groupId, toRemove, "members left: " + toRemove);
            if (error != Errors.NONE) {
                removing.forEach(r -> r.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
            }
        } else if (pendingLeft) {
            maybeCompleteJoin(groupId);
        }
        shard.dropRuntimeIfIdle(groupId);
        return responses;
    }

    /**
     * Removes members in one commit. A stable or completing group starts a rebalance; a rebalancing group may now
     * have everyone it waits for. A removed member's parked JoinGroup gets UNKNOWN_MEMBER_ID so its client rejoins.
     */
    Errors removeMembers(String groupId, Collection<String> memberIds, String reason) {
        Group group = shard.state.group(groupId);
        GroupState previous = group.state();
        boolean rebalance = previous == GroupState.STABLE || previous == GroupState.COMPLETING_REBALANCE;
        List<CoordinatorRecord> records = new ArrayList<>(memberIds.size() + 1);
        if (rebalance) {
            records.add(new GroupRecord(groupId, group.metadata().withState(GroupState.PREPARING_REBALANCE,
                    shard.time.milliseconds())));
        }
        for (String memberId : memberIds) {
            if (group.member(memberId) != null) {
                records.add(new MemberRecord(groupId, memberId, null));
            }
        }
        Errors error = shard.commit(records);
        if (error != Errors.NONE) {
            return error;
        }
        GroupRuntime rt = shard.runtime(groupId);
        for (String memberId : memberIds) {
            Consumer<JoinGroupResponseData> join = rt.pendingJoins.get(memberId);
            Consumer<SyncGroupResponseData> sync = rt.pendingSyncs.get(memberId);
            rt.forget(memberId);
            if (join != null) {
                join.accept(joinError("", Errors.UNKNOWN_MEMBER_ID));
            }
            if (sync != null) {
                sync.accept(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
        }
        if (rebalance) {
            rebalancePrepared(groupId, previous, reason);
        } else if (previous == GroupState.PREPARING_REBALANCE) {
            maybeCompleteJoin(groupId);
        }
        return Errors.NONE;
    }

    // ------------------------------------------------------------------ loading and unloading

    /**
     * After a load: every member gets a fresh session, and a rebalance that was in flight gets its deadline back.
     * Its parked requests died with the old process; the clients resend them to this one.
     */
    void onLoaded() {
        for (Group group : shard.state.groups()) {
            String groupId = group.groupId();
            for (Map.Entry<String, MemberMetadata> e : group.members().entrySet()) {
                touch(groupId, e.getKey(), e.getValue().sessionTimeoutMs());
            }
            GroupRuntime rt = shard.runtime(groupId);
            int generation = group.metadata().generationId();
            switch (group.state()) {
                case PREPARING_REBALANCE -> {
                    int seq = ++rt.rebalanceSeq;
                    rt.joinTimer = shard.schedule(group.rebalanceTimeoutMs(), () -> joinTimedOut(groupId, seq));
                }
                case COMPLETING_REBALANCE -> {
                    rt.pendingSyncMembers.addAll(group.members().keySet());
                    rt.syncTimer = shard.schedule(group.rebalanceTimeoutMs(), () -> syncTimedOut(groupId, generation));
                }
                default -> {
                }
            }
            shard.dropRuntimeIfIdle(groupId);
        }
    }

    /** The shard is going away: everything parked is told to find the new coordinator. */
    void onUnloaded(GroupRuntime rt) {
        rt.cancelJoinTimer();
        rt.cancelSyncTimer();
        List<Map.Entry<String, Consumer<JoinGroupResponseData>>> joins = new ArrayList<>(rt.pendingJoins.entrySet());
        rt.pendingJoins.clear();
        joins.forEach(e -> e.getValue().accept(joinError(e.getKey(), Errors.NOT_COORDINATOR)));
        failPendingSyncs(rt, Errors.NOT_COORDINATOR);
    }
}
