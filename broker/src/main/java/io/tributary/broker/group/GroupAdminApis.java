package io.tributary.broker.group;

import io.tributary.broker.network.ApiHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/** ListGroups (state and type filters), DescribeGroups and DeleteGroups, across this node's shards. */
public final class GroupAdminApis {
    /** Every group operation, as the authorized-operations bit field: there are no ACLs yet. */
    static final int GROUP_OPERATIONS = (1 << AclOperation.READ.code()) | (1 << AclOperation.DESCRIBE.code())
            | (1 << AclOperation.DELETE.code());

    private GroupAdminApis() {
    }

    public static ApiHandler listGroups(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            ListGroupsRequestData request = (ListGroupsRequestData) message;
            short version = context.apiVersion();
            ListGroupsResponseData response = new ListGroupsResponseData();
            Set<String> states = version >= 4 ? new HashSet<>(request.statesFilter()) : Set.of();
            Set<String> types = new HashSet<>();
            if (version >= 5) {
                request.typesFilter().forEach(t -> types.add(t.toLowerCase(Locale.ROOT)));
            }
            Errors error = Errors.NONE;
            List<ListedGroup> groups = new ArrayList<>();
            for (CoordinatorShard shard : coordinator.shards()) {
                List<ListedGroup> listed = shard.listGroups(states);
                if (listed == null) {
                    // Kafka lists what it has and says some partitions are still loading.
                    error = Errors.COORDINATOR_LOAD_IN_PROGRESS;
                } else {
                    for (ListedGroup g : listed) {
                        if (types.isEmpty() || types.contains(g.groupType())) {
                            groups.add(g);
                        }
                    }
                }
            }
            slot.complete(response.setErrorCode(error.code()).setGroups(groups));
        };
    }

    public static ApiHandler describeGroups(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            DescribeGroupsRequestData request = (DescribeGroupsRequestData) message;
            short version = context.apiVersion();
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (String groupId : request.groups()) {
                DescribedGroup described;
                if (groupId == null) {
                    described = new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.INVALID_GROUP_ID.code());
                } else {
                    GroupCoordinator.Lookup lookup = coordinator.shardFor(groupId);
                    described = lookup.error() != Errors.NONE
                            ? new DescribedGroup().setGroupId(groupId).setErrorCode(lookup.error().code())
                            : lookup.shard().describeGroup(groupId);
                }
                if (described.errorCode() == Errors.NONE.code() && version >= 6
                        && GroupState.DEAD.displayName().equals(described.groupState())) {
                    described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(
                            described.errorMessage() != null ? described.errorMessage() : "Group " + groupId + " not found.");
                }
                if (version < 6) {
                    described.setErrorMessage(null); // v6+ only
                }
                if (version >= 3 && request.includeAuthorizedOperations() && described.errorCode() == Errors.NONE.code()) {
                    described.setAuthorizedOperations(GROUP_OPERATIONS);
                }
                response.groups().add(described);
            }
            slot.complete(response);
        };
    }

    public static ApiHandler deleteGroups(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            DeleteGroupsRequestData request = (DeleteGroupsRequestData) message;
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            for (String groupId : request.groupsNames()) {
                Errors error;
                if (groupId == null) {
                    error = Errors.INVALID_GROUP_ID;
                } else {
                    GroupCoordinator.Lookup lookup = coordinator.shardFor(groupId);
                    error = lookup.error() != Errors.NONE ? lookup.error() : lookup.shard().deleteGroup(groupId);
                }
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult()
                        .setGroupId(groupId).setErrorCode(error.code()));
            }
            slot.complete(response);
        };
    }
}
