package io.tributary.broker.group;

import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup: route the group to its shard and shape the per-version response.
 * JoinGroup and SyncGroup responses may come much later, from the thread that completes the rebalance.
 */
public final class MembershipApis {
    private MembershipApis() {
    }

    public static ApiHandler joinGroup(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            JoinGroupRequestData request = (JoinGroupRequestData) message;
            short version = context.apiVersion();
            Consumer<JoinGroupResponseData> done = response -> slot.complete(adapt(response, version));
            if (request.groupId() == null || request.groupId().isEmpty()) {
                done.accept(GroupResponses.joinError(request.memberId(), Errors.INVALID_GROUP_ID));
                return;
            }
            GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
            if (lookup.error() != Errors.NONE) {
                done.accept(GroupResponses.joinError(request.memberId(), lookup.error()));
                return;
            }
            JoinContext join = new JoinContext(context.clientId() == null ? "" : context.clientId(), clientHost(context),
                    version >= 4 && request.groupInstanceId() == null, version >= 9);
            lookup.shard().joinGroup(request, join, done);
        };
    }

    private static JoinGroupResponseData adapt(JoinGroupResponseData response, short version) {
        if (version < 7 && response.protocolName() == null) {
            response.setProtocolName(""); // nullable only from v7
        }
        if (version < 9) {
            response.setSkipAssignment(false);
        }
        return response;
    }

    public static ApiHandler syncGroup(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            SyncGroupRequestData request = (SyncGroupRequestData) message;
            if (request.groupId() == null || request.groupId().isEmpty()) {
                slot.complete(GroupResponses.syncError(Errors.INVALID_GROUP_ID));
                return;
            }
            GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
            if (lookup.error() != Errors.NONE) {
                slot.complete(GroupResponses.syncError(lookup.error()));
                return;
            }
            lookup.shard().syncGroup(request, slot::complete);
        };
    }

    public static ApiHandler heartbeat(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            HeartbeatRequestData request = (HeartbeatRequestData) message;
            Errors error;
            if (request.groupId() == null || request.groupId().isEmpty()) {
                error = Errors.INVALID_GROUP_ID;
            } else {
                GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
                error = lookup.error() != Errors.NONE ? lookup.error() : lookup.shard().heartbeat(request.groupId(),
                        request.memberId(), request.groupInstanceId(), request.generationId());
            }
            slot.complete(new HeartbeatResponseData().setErrorCode(error.code()));
        };
    }

    /** v0-2 name one member and report its error at the top level; v3+ carry a batch of members. */
    public static ApiHandler leaveGroup(GroupCoordinator coordinator) {
        return (context, message, slot) -> {
            LeaveGroupRequestData request = (LeaveGroupRequestData) message;
            short version = context.apiVersion();
            List<MemberIdentity> members = version >= 3 ? request.members()
                    : List.of(new MemberIdentity().setMemberId(request.memberId()));
            LeaveGroupResponseData response = new LeaveGroupResponseData();
            Errors topLevel = Errors.NONE;
            List<MemberResponse> results = List.of();
            if (request.groupId() == null || request.groupId().isEmpty()) {
                topLevel = Errors.INVALID_GROUP_ID;
            } else {
                GroupCoordinator.Lookup lookup = coordinator.shardFor(request.groupId());
                Errors shardError = lookup.error() != Errors.NONE ? lookup.error() : lookup.shard().availability();
                if (shardError != Errors.NONE) {
                    topLevel = shardError;
                } else {
                    results = lookup.shard().leaveGroup(request.groupId(), members);
                }
            }
            if (version >= 3) {
                response.setErrorCode(topLevel.code()).setMembers(new ArrayList<>(results));
            } else {
                Errors error = topLevel != Errors.NONE || results.isEmpty() ? topLevel : Errors.forCode(results.get(0).errorCode());
                response.setErrorCode(error.code());
            }
            slot.complete(response);
        };
    }

    /** The client's address as Kafka shows it ("/127.0.0.1"). */
    static String clientHost(RequestContext context) {
        SocketAddress address = context.channel() == null ? null : context.channel().remoteAddress();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().toString();
        }
        return address == null ? "" : address.toString();
    }
}
