package io.tributary.broker.network;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Handles one API. Handlers run on the connection's event loop; anything they keep after returning must
 * be copied out of the request, because the request's buffer is released when {@code handle} returns.
 */
@FunctionalInterface
public interface ApiHandler {
    void handle(RequestContext context, ApiMessage request, ResponseSlot slot);
}
