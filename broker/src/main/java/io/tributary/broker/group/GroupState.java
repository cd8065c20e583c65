package io.tributary.broker.group;

import java.util.Locale;

/**
 * The classic rebalance protocol's group states, with the names Kafka shows in DescribeGroups and ListGroups.
 *
 * <pre>
 * Empty --join--> PreparingRebalance --all joined / rebalance timeout--> CompletingRebalance --leader sync--> Stable
 *   ^                    ^  |                                                    |                            |
 *   |                    |  +--no member left---> Empty                          +--join/leave/expiry---------+
 * </pre>
 * Dead is only ever reported for a group that does not exist; a deleted group simply disappears.
 */
public enum GroupState {
    EMPTY((byte) 0, "Empty"),
    PREPARING_REBALANCE((byte) 1, "PreparingRebalance"),
    COMPLETING_REBALANCE((byte) 2, "CompletingRebalance"),
    STABLE((byte) 3, "Stable"),
    DEAD((byte) 4, "Dead");

    /** The id in the record encoding: fixed, so reordering the enum never changes stored data. */
    final byte id;
    private final String displayName;

    GroupState(byte id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    /** Kafka's name for the state, e.g. "PreparingRebalance". */
    public String displayName() {
        return displayName;
    }

    static GroupState fromId(byte id) {
        for (GroupState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown group state id " + id);
    }

    /** Case-insensitive match against the display name, as ListGroups state filters are. */
    boolean matches(String filter) {
        return displayName.toLowerCase(Locale.ROOT).equals(filter.toLowerCase(Locale.ROOT));
    }
}
