package io.tributary.broker.group;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The durable state of one group: exactly the latest values of its keys in the log. Only
 * {@link CoordinatorState#replay} changes it. Members are kept sorted by id so that every choice made by iterating
 * them (leader fallback, protocol tie-break) is the same after a replay, whatever order compaction left the records in.
 */
public final class Group {
    private final String groupId;
    private GroupMetadata metadata;
    private final TreeMap<String, MemberMetadata> members = new TreeMap<>();
    private final Map<String, String> memberIdByInstanceId = new HashMap<>();
    private final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    /** The consumer-protocol (KIP-848) side; empty unless the group is a consumer group. */
    private final ConsumerGroup consumerGroup = new ConsumerGroup();

    Group(String groupId) {
        this.groupId = Objects.requireNonNull(groupId, "groupId");
    }

    public String groupId() {
        return groupId;
    }

    /** The group metadata, or {@link GroupMetadata#INITIAL} for a group known only from its offsets. */
    public GroupMetadata metadata() {
        return metadata != null ? metadata : GroupMetadata.INITIAL;
    }

    boolean hasMetadataRecord() {
        return metadata != null;
    }

    public GroupState state() {
        return metadata().state();
    }

    public NavigableMap<String, MemberMetadata> members() {
        return Collections.unmodifiableNavigableMap(members);
    }

    public MemberMetadata member(String memberId) {
        return members.get(memberId);
    }

    /** The member id a static member's instance id currently maps to, or null. */
    public String staticMemberId(String groupInstanceId) {
        return memberIdByInstanceId.get(groupInstanceId);
    }

    public ConsumerGroup consumerGroup() {
        return consumerGroup;
    }

    /** True when this is a consumer-protocol group (KIP-848) rather than a classic one. */
    public boolean isConsumerGroup() {
        return consumerGroup.exists();
    }

    public Map<TopicPartition, CommittedOffset> offsets() {
        return Collections.unmodifiableMap(offsets);
    }

    /** The largest rebalance timeout of the members: how long a join or sync phase may take. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (MemberMetadata m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs());
        }
        return max;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(metadata().leaderId());
    }

    // ------------------------------------------------------------ replay only

    void setMetadata(GroupMetadata value) {
        metadata = value;
    }

    void putMember(String memberId, MemberMetadata value) {
        MemberMetadata previous = members.put(memberId, value);
        if (previous != null && previous.groupInstanceId() != null) {
            memberIdByInstanceId.remove(previous.groupInstanceId());
        }
        if (value.groupInstanceId() != null) {
            String holder = memberIdByInstanceId.putIfAbsent(value.groupInstanceId(), memberId);
            if (holder != null && !holder.equals(memberId)) {
                throw new IllegalStateException("group " + groupId + ": instance id " + value.groupInstanceId()
                        + " of member " + memberId + " already belongs to member " + holder);
            }
        }
    }

    void removeMember(String memberId) {
        MemberMetadata previous = members.remove(memberId);
        if (previous != null && previous.groupInstanceId() != null) {
            memberIdByInstanceId.remove(previous.groupInstanceId());
        }
    }

    void putOffset(TopicPartition tp, CommittedOffset value) {
        offsets.put(tp, value);
    }

    void removeOffset(TopicPartition tp) {
        offsets.remove(tp);
    }

    /** No key of this group is left in the log: the group no longer exists. */
    boolean vacant() {
        return metadata == null && members.isEmpty() && offsets.isEmpty() && consumerGroup.vacant();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Group g && groupId.equals(g.groupId) && Objects.equals(metadata, g.metadata)
                && members.equals(g.members) && offsets.equals(g.offsets) && consumerGroup.equals(g.consumerGroup);
    }

    @Override
    public int hashCode() {
        return Objects.hash(groupId, metadata, members, offsets);
    }

    @Override
    public String toString() {
        return "Group(" + groupId + ", " + metadata + ", members=" + members + ", offsets=" + offsets
                + (consumerGroup.vacant() ? "" : ", " + consumerGroup) + ")";
    }
}
