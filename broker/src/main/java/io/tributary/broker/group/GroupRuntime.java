package io.tributary.broker.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * The transient side of one group: parked JoinGroup/SyncGroup responses, members that were only handed an id,
 * heartbeat deadlines and timers. None of it is written to the log; after a restart clients reconnect and resend
 * their requests, and {@link Membership#onLoaded} rebuilds the deadlines from the durable state.
 */
final class GroupRuntime {
    /** Members waiting for the join phase to complete, in arrival order (the first becomes leader if needed). */
    final LinkedHashMap<String, Consumer<JoinGroupResponseData>> pendingJoins = new LinkedHashMap<>();
    /** Members whose SyncGroup waits for the leader's assignment. */
    final Map<String, Consumer<SyncGroupResponseData>> pendingSyncs = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED (KIP-394) whose owners have not joined with them yet. */
    final Set<String> pendingMembers = new HashSet<>();
    /** Members added in the current join phase: they expire on the new-member join timeout, not by being parked. */
    final Set<String> newMembers = new HashSet<>();
    /** Members of the current generation that have not sent SyncGroup yet. */
    final Set<String> pendingSyncMembers = new HashSet<>();
    /** When each member's session ends unless it shows a sign of life; checked by one timer per member. */
    final Map<String, Long> heartbeatDeadlinesMs = new HashMap<>();
    /** When each member's one live session check is scheduled to run. */
    final Map<String, Long> heartbeatCheckAtMs = new HashMap<>();

    /** The first rebalance of an empty group waits group.initial.rebalance.delay.ms before completing. */
    boolean initialDelayActive;
    /** A member joined during the initial delay, so the delay is extended (up to the rebalance timeout). */
    boolean newMemberAdded;
    /** Incremented per rebalance so that a stale timer recognises it belongs to an earlier one. */
    int rebalanceSeq;
    Scheduler.Cancellable joinTimer;
    Scheduler.Cancellable syncTimer;

    boolean idle() {
        return pendingJoins.isEmpty() && pendingSyncs.isEmpty() && pendingMembers.isEmpty()
                && heartbeatDeadlinesMs.isEmpty() && heartbeatCheckAtMs.isEmpty() && joinTimer == null && syncTimer == null;
    }

    void cancelJoinTimer() {
        if (joinTimer != null) {
            joinTimer.cancel();
            joinTimer = null;
        }
    }

    void cancelSyncTimer() {
        if (syncTimer != null) {
            syncTimer.cancel();
            syncTimer = null;
        }
    }

    /** Forgets a member that left the group. */
    void forget(String memberId) {
        pendingJoins.remove(memberId);
        pendingSyncs.remove(memberId);
        newMembers.remove(memberId);
        pendingSyncMembers.remove(memberId);
        heartbeatDeadlinesMs.remove(memberId);
        heartbeatCheckAtMs.remove(memberId);
    }
}
