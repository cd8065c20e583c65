package io.tributary.broker.group;

/**
 * The group-level part of a classic group's durable state: what one GroupMetadata record holds.
 *
 * @param protocolType     the members' protocol type ("consumer", "connect"...), fixed by the first member; null
 *                         for a group that only has committed offsets
 * @param generationId     bumped every time a join phase completes (also when it leaves the group empty)
 * @param protocolName     the protocol chosen for the current generation; null while there is none
 * @param leaderId         the member that computes the assignment for the current generation; null if none
 * @param state            the rebalance state
 * @param stateTimestampMs when the group entered {@code state}; -1 for a group known only from its offsets.
 *                         Offsets of an empty group expire relative to it.
 */
public record GroupMetadata(String protocolType, int generationId, String protocolName, String leaderId,
                            GroupState state, long stateTimestampMs) {

    /** What a group that has never had a GroupMetadata record (a "simple" offsets-only group) looks like. */
    public static final GroupMetadata INITIAL = new GroupMetadata(null, 0, null, null, GroupState.EMPTY, -1L);

    public GroupMetadata {
        if (state == null || state == GroupState.DEAD) {
            throw new IllegalArgumentException("a stored group is never " + state);
        }
        if (generationId < 0) {
            throw new IllegalArgumentException("negative generation " + generationId);
        }
    }

    GroupMetadata withState(GroupState newState, long nowMs) {
        return new GroupMetadata(protocolType, generationId, protocolName, leaderId, newState, nowMs);
    }

    GroupMetadata withProtocolType(String type) {
        return new GroupMetadata(type, generationId, protocolName, leaderId, state, stateTimestampMs);
    }

    GroupMetadata withLeader(String leader) {
        return new GroupMetadata(protocolType, generationId, protocolName, leader, state, stateTimestampMs);
    }
}
