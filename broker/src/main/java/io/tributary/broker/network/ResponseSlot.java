package io.tributary.broker.network;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The place a request's response goes. Kafka requires responses in request order on a connection, so
 * each request takes a slot in its connection's queue when it arrives; a handler may fill it at once or
 * later from any thread (long-polling fetches, Raft-committed admin operations), and the connection
 * writes slots out strictly from the head.
 */
public final class ResponseSlot {
    final int correlationId;
    final short headerVersion;
    final short apiVersion;
    private final ConnectionHandler connection;
    volatile ApiMessage body;
    volatile boolean done;

    ResponseSlot(ConnectionHandler connection, int correlationId, short headerVersion, short apiVersion) {
        this.connection = connection;
        this.correlationId = correlationId;
        this.headerVersion = headerVersion;
        this.apiVersion = apiVersion;
    }

    /** Completes with a response body, encoded at {@link #apiVersion()}. */
    public void complete(ApiMessage response) {
        finish(response);
    }

    /** Completes without a response, as for acks=0 produce requests. */
    public void completeWithoutResponse() {
        finish(null);
    }

    /** Completes by closing the connection, for requests that cannot be answered in their own format. */
    public void closeConnection(String reason) {
        connection.closeFor(reason);
    }

    public short apiVersion() {
        return apiVersion;
    }

    private void finish(ApiMessage response) {
        if (done) {
            throw new IllegalStateException("Response slot for correlation id " + correlationId + " completed twice");
        }
        body = response;
        done = true;
        connection.slotCompleted();
    }
}
