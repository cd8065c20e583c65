package io.tributary.broker.group;

import io.tributary.broker.network.ApiRegistry;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Registers the group coordinator APIs at every version kafka-clients can encode: the classic protocol and the
 * KIP-848 consumer protocol (ConsumerGroupHeartbeat, ConsumerGroupDescribe).
 */
public final class GroupApis {
    private GroupApis() {
    }

    public static void register(ApiRegistry registry, GroupCoordinator coordinator) {
        registry.register(ApiKeys.FIND_COORDINATOR, new FindCoordinatorApi(coordinator))
                .register(ApiKeys.JOIN_GROUP, MembershipApis.joinGroup(coordinator))
                .register(ApiKeys.SYNC_GROUP, MembershipApis.syncGroup(coordinator))
                .register(ApiKeys.HEARTBEAT, MembershipApis.heartbeat(coordinator))
                .register(ApiKeys.LEAVE_GROUP, MembershipApis.leaveGroup(coordinator))
                .register(ApiKeys.OFFSET_COMMIT, OffsetApis.offsetCommit(coordinator))
                .register(ApiKeys.OFFSET_FETCH, OffsetApis.offsetFetch(coordinator))
                .register(ApiKeys.OFFSET_DELETE, OffsetApis.offsetDelete(coordinator))
                .register(ApiKeys.LIST_GROUPS, GroupAdminApis.listGroups(coordinator))
                .register(ApiKeys.DESCRIBE_GROUPS, GroupAdminApis.describeGroups(coordinator))
                .register(ApiKeys.DELETE_GROUPS, GroupAdminApis.deleteGroups(coordinator))
                .register(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ConsumerGroupApis.heartbeat(coordinator))
                .register(ApiKeys.CONSUMER_GROUP_DESCRIBE, ConsumerGroupApis.describe(coordinator));
    }
}
