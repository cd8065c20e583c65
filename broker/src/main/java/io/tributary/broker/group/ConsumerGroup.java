package io.tributary.broker.group;

import io.tributary.broker.group.ConsumerGroupValues.CurrentAssignment;
import io.tributary.broker.group.ConsumerGroupValues.GroupEpoch;
import io.tributary.broker.group.ConsumerGroupValues.MemberSubscription;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The durable state of a consumer-protocol (KIP-848) group: exactly the latest values of its consumer-group keys.
 * Only replay changes it (through {@link ConsumerRecords}). A group exists as a consumer group while it has a group
 * epoch record; members exist while they have a subscription record.
 */
public final class ConsumerGroup {
    /** The group's state as DescribeGroups, ConsumerGroupDescribe and ListGroups name it. */
    public enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable");

        private final String displayName;

        State(String displayName) {
            this.displayName = displayName;
        }

        public String displayName() {
            return displayName;
        }
    }

    private GroupEpoch groupEpoch;
    private Integer targetEpoch;
    private final TreeMap<String, MemberSubscription> members = new TreeMap<>();
    private final Map<String, String> memberIdByInstanceId = new HashMap<>();
    private final TreeMap<String, PartitionSet> targets = new TreeMap<>();
    private final TreeMap<String, CurrentAssignment> currents = new TreeMap<>();

    /** True once the group has been created as a consumer group (and until it is deleted). */
    public boolean exists() {
        return groupEpoch != null;
    }

    public int groupEpoch() {
        return groupEpoch == null ? 0 : groupEpoch.epoch();
    }

    public GroupEpoch groupEpochValue() {
        return groupEpoch;
    }

    public int targetEpoch() {
        return targetEpoch == null ? 0 : targetEpoch;
    }

    boolean hasTargetEpochRecord() {
        return targetEpoch != null;
    }

    public NavigableMap<String, MemberSubscription> members() {
        return Collections.unmodifiableNavigableMap(members);
    }

    public MemberSubscription member(String memberId) {
        return members.get(memberId);
    }

    public String staticMemberId(String instanceId) {
        return memberIdByInstanceId.get(instanceId);
    }

    /** The member's target assignment (empty if none computed yet). */
    public PartitionSet target(String memberId) {
        return targets.getOrDefault(memberId, PartitionSet.EMPTY);
    }

    boolean hasTarget(String memberId) {
        return targets.containsKey(memberId);
    }

    public NavigableMap<String, PartitionSet> targets() {
        return Collections.unmodifiableNavigableMap(targets);
    }

    /** The member's current assignment (epoch 0, nothing, before its first one). */
    public CurrentAssignment current(String memberId) {
        return currents.getOrDefault(memberId, CurrentAssignment.INITIAL);
    }

    boolean hasCurrent(String memberId) {
        return currents.containsKey(memberId);
    }

    /**
     * The epoch of the member that holds the partition (assigned or still to revoke), or -1 if it is free. The
     * members {@code except} are not counted: a partition a member must revoke is not "unreleased" to itself.
     */
    int partitionEpoch(Uuid topicId, int partition, Set<String> except) {
        for (Map.Entry<String, CurrentAssignment> e : currents.entrySet()) {
            if (except.contains(e.getKey())) {
                continue;
            }
            CurrentAssignment c = e.getValue();
            if (c.assigned().contains(topicId, partition) || c.pendingRevocation().contains(topicId, partition)) {
                return c.memberEpoch();
            }
        }
        return -1;
    }

    public State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (targetEpoch() != groupEpoch()) {
            return State.ASSIGNING;
        }
        for (String memberId : members.keySet()) {
            CurrentAssignment c = current(memberId);
            if (c.memberEpoch() != targetEpoch() || c.state() != ConsumerMemberState.STABLE) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    // ------------------------------------------------------------ replay only

    void setGroupEpoch(GroupEpoch value) {
        groupEpoch = value;
    }

    void setTargetEpoch(Integer value) {
        targetEpoch = value;
    }

    void putMember(String memberId, MemberSubscription value) {
        MemberSubscription previous = value == null ? members.remove(memberId) : members.put(memberId, value);
        if (previous != null && previous.instanceId() != null) {
            memberIdByInstanceId.remove(previous.instanceId());
        }
        if (value != null && value.instanceId() != null) {
            String holder = memberIdByInstanceId.putIfAbsent(value.instanceId(), memberId);
            if (holder != null && !holder.equals(memberId)) {
                throw new IllegalStateException("instance id " + value.instanceId() + " of member " + memberId
                        + " already belongs to member " + holder);
            }
        }
    }

    void putTarget(String memberId, PartitionSet value) {
        if (value == null) {
            targets.remove(memberId);
        } else {
            targets.put(memberId, value);
        }
    }

    void putCurrent(String memberId, CurrentAssignment value) {
        if (value == null) {
            currents.remove(memberId);
        } else {
            currents.put(memberId, value);
        }
    }

    /** No consumer-group key is left. */
    boolean vacant() {
        return groupEpoch == null && targetEpoch == null && members.isEmpty() && targets.isEmpty() && currents.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsumerGroup g && Objects.equals(groupEpoch, g.groupEpoch)
                && Objects.equals(targetEpoch, g.targetEpoch) && members.equals(g.members) && targets.equals(g.targets)
                && currents.equals(g.currents);
    }

    @Override
    public int hashCode() {
        return Objects.hash(groupEpoch, targetEpoch, members, targets, currents);
    }

    @Override
    public String toString() {
        return "ConsumerGroup(epoch=" + groupEpoch + ", targetEpoch=" + targetEpoch + ", members=" + members
                + ", targets=" + targets + ", currents=" + currents + ")";
    }
}
