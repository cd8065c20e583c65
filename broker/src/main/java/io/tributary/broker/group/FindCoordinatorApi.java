package io.tributary.broker.group;

import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * FindCoordinator (v0+, batched keys from v4). This single node coordinates every group and every transactional
 * id. A group key first makes sure {@code __consumer_offsets} exists (created through the controller on first use),
 * so the client's next request finds the coordinator loading or ready. Transaction keys are only located: there is
 * no transaction coordinator yet. Other key types (share groups) get INVALID_REQUEST.
 */
public final class FindCoordinatorApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    public FindCoordinatorApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        FindCoordinatorRequestData request = (FindCoordinatorRequestData) message;
        short version = context.apiVersion();
        List<String> keys = version >= 4 ? new ArrayList<>(request.coordinatorKeys()) : List.of(nullToEmpty(request.key()));
        byte keyType = request.keyType();
        CompletableFuture<Errors> ready;
        if (keyType == CoordinatorType.GROUP.id()) {
            ready = coordinator.ensureOffsetsTopic();
        } else if (keyType == CoordinatorType.TRANSACTION.id()) {
            ready = CompletableFuture.completedFuture(Errors.NONE);
        } else {
            ready = CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        ready.whenComplete((error, failure) -> slot.complete(respond(version, keys,
                failure != null ? Errors.COORDINATOR_NOT_AVAILABLE : error)));
    }

    private FindCoordinatorResponseData respond(short version, List<String> keys, Errors error) {
        Endpoint endpoint = coordinator.endpoint();
        if (error == Errors.NONE && endpoint == null) {
            error = Errors.COORDINATOR_NOT_AVAILABLE;
        }
        String message = error == Errors.INVALID_REQUEST ? "unsupported coordinator key type" : null;
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        boolean ok = error == Errors.NONE;
        if (version < 4) {
            return response.setErrorCode(error.code()).setErrorMessage(ok ? null : message)
                    .setNodeId(ok ? coordinator.nodeId() : -1).setHost(ok ? endpoint.host() : "")
                    .setPort(ok ? endpoint.port() : -1);
        }
        for (String key : keys) {
            response.coordinators().add(new FindCoordinatorResponseData.Coordinator()
                    .setKey(key).setErrorCode(error.code()).setErrorMessage(ok ? null : message)
                    .setNodeId(ok ? coordinator.nodeId() : -1).setHost(ok ? endpoint.host() : "")
                    .setPort(ok ? endpoint.port() : -1));
        }
        return response;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
