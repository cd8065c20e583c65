package io.tributary.broker.group;

import io.tributary.broker.network.ApiHandler;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;

/** ConsumerGroupHeartbeat and ConsumerGroupDescribe (KIP-848): route each group to its shard. */
public final class ConsumerGroupApis {
    private ConsumerGroupApis() {
    }

    public static ApiHandler heartbeat(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            ConsumerGroupHeartbeatRequestData request = (ConsumerGroupHeartbeatRequestData) message;
            if (request.groupId() == null || request.groupId().isEmpty()) {
                slot.complete(ConsumerMembership.error(Errors.INVALID_REQUEST, "GroupId can't be empty."));
                return;
            }
            GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
            if (lookup.error() != Errors.NONE) {
                slot.complete(ConsumerMembership.error(lookup.error(), null));
                return;
            }
            slot.complete(lookup.shard().consumerGroupHeartbeat(request, context.apiVersion(),
                    context.clientId() == null ? "" : context.clientId(), MembershipApis.clientHost(context),
                    coordinator.image()));
        };
    }

    public static ApiHandler describe(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            ConsumerGroupDescribeRequestData request = (ConsumerGroupDescribeRequestData) message;
            ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
            for (String groupId : request.groupIds()) {
                ConsumerGroupDescribeResponseData.DescribedGroup described;
                if (groupId == null || groupId.isEmpty()) {
                    described = new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId == null ? "" : groupId)
                            .setErrorCode(Errors.INVALID_GROUP_ID.code()).setGroupState("");
                } else {
                    GroupCoordinator.Lookup lookup = coordinator.shardFor(groupId);
                    described = lookup.error() != Errors.NONE
                            ? new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                                    .setErrorCode(lookup.error().code()).setGroupState("")
                            : lookup.shard().describeConsumerGroup(groupId, coordinator.image());
                }
                if (request.includeAuthorizedOperations() && described.errorCode() == Errors.NONE.code()) {
                    described.setAuthorizedOperations(GroupAdminApis.GROUP_OPERATIONS);
                }
                response.groups().add(described);
            }
            slot.complete(response);
        };
    }
}
