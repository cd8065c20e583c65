package io.tributary.broker.group;

import io.tributary.broker.group.CoordinatorRecord.GroupRecord;
import io.tributary.broker.group.CoordinatorRecord.OffsetRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/** ListGroups, DescribeGroups and DeleteGroups over one shard's groups. Runs under the shard's lock. */
final class GroupAdmin {
    static final String CLASSIC_GROUP_TYPE = "classic";
    static final String CONSUMER_GROUP_TYPE = "consumer";

    private final CoordinatorShard shard;

    GroupAdmin(CoordinatorShard shard) {
        this.shard = shard;
    }

    /** Groups whose state matches one of {@code states} (any if empty), sorted by id. */
    List<ListedGroup> list(Set<String> states) {
        List<ListedGroup> out = new ArrayList<>();
        for (Group group : shard.state.groups()) {
            if (group.isConsumerGroup()) {
                String state = group.consumerGroup().state().displayName();
                if (states.isEmpty() || states.stream().anyMatch(state::equalsIgnoreCase)) {
                    out.add(new ListedGroup().setGroupId(group.groupId()).setProtocolType(CONSUMER_GROUP_TYPE)
                            .setGroupState(state).setGroupType(CONSUMER_GROUP_TYPE));
                }
                continue;
            }
            GroupState state = group.state();
            if (!states.isEmpty() && states.stream().noneMatch(state::matches)) {
                continue;
            }
            String protocolType = group.metadata().protocolType();
            out.add(new ListedGroup().setGroupId(group.groupId()).setProtocolType(protocolType == null ? "" : protocolType)
                    .setGroupState(state.displayName()).setGroupType(CLASSIC_GROUP_TYPE));
        }
        out.sort((a, b) -> a.groupId().compareTo(b.groupId()));
        return out;
    }

    /**
     * Kafka's description: member metadata and assignments only in a stable group (elsewhere they are stale or not
     * yet decided); an unknown group is reported as Dead with no error, and the API layer adds GROUP_ID_NOT_FOUND
     * for v6+.
     */
    DescribedGroup describe(String groupId) {
        Group group = shard.state.group(groupId);
        DescribedGroup described = new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.NONE.code());
        if (group == null || group.isConsumerGroup()) {
            // Kafka describes only classic groups here; a consumer-protocol group is "not found" (ConsumerGroupDescribe).
            return described.setGroupState(GroupState.DEAD.displayName()).setProtocolType("").setProtocolData("")
                    .setErrorMessage(group == null ? null : "Group " + groupId + " is not a classic group.");
        }
        GroupMetadata meta = group.metadata();
        boolean stable = meta.state() == GroupState.STABLE;
        described.setGroupState(meta.state().displayName())
                .setProtocolType(meta.protocolType() == null ? "" : meta.protocolType())
                .setProtocolData(meta.protocolName() == null ? "" : meta.protocolName());
        for (Map.Entry<String, MemberMetadata> e : group.members().entrySet()) {
            MemberMetadata m = e.getValue();
            described.members().add(new DescribedGroupMember()
                    .setMemberId(e.getKey())
                    .setGroupInstanceId(m.groupInstanceId())
                    .setClientId(m.clientId())
                    .setClientHost(m.clientHost())
                    .setMemberMetadata(stable ? m.metadataFor(meta.protocolName()).get() : new byte[0])
                    .setMemberAssignment(stable ? m.assignment().get() : new byte[0]));
        }
        return described;
    }

    /** Deletes an empty group with all its offsets (NON_EMPTY_GROUP while it has members). */
    Errors delete(String groupId) {
        Group group = shard.state.group(groupId);
        if (group == null) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (group.state() != GroupState.EMPTY || !group.members().isEmpty()
                || !group.consumerGroup().members().isEmpty()) {
            return Errors.NON_EMPTY_GROUP;
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        for (TopicPartition tp : group.offsets().keySet()) {
            records.add(new OffsetRecord(groupId, tp, null));
        }
        if (group.hasMetadataRecord()) {
            records.add(new GroupRecord(groupId, null));
        }
        records.addAll(ConsumerMembership.tombstones(groupId, group.consumerGroup()));
        Errors error = shard.commit(records);
        if (error != Errors.NONE) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        shard.forgetRuntime(groupId);
        return Errors.NONE;
    }
}
