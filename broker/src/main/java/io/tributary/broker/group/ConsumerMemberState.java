package io.tributary.broker.group;

/**
 * Where a member of a consumer-protocol group is in reconciling towards its target assignment (KIP-848).
 * STABLE: it has its target (at the target epoch); UNREVOKED_PARTITIONS: it must first give up partitions, and
 * stays at its epoch until its heartbeat shows it did; UNRELEASED_PARTITIONS: it is at the target epoch but waits
 * for partitions that their previous owners have not revoked yet.
 */
public enum ConsumerMemberState {
    STABLE((byte) 0, "stable"),
    UNREVOKED_PARTITIONS((byte) 1, "unrevoked_partitions"),
    UNRELEASED_PARTITIONS((byte) 2, "unreleased_partitions");

    /** The id in the record encoding: fixed, so reordering the enum never changes stored data. */
    final byte id;
    private final String displayName;

    ConsumerMemberState(byte id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    static ConsumerMemberState fromId(byte id) {
        for (ConsumerMemberState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown consumer member state id " + id);
    }
}
