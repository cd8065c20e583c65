package io.tributary.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: parses each frame's header and body, hands it to the API's handler and writes
 * responses back in request order.
 *
 * <p>Clients pipeline requests (the Java producer keeps up to five in flight), and some responses are
 * delayed (long-poll fetches, metadata changes that wait for Raft), so responses queue in arrival order
 * and leave only from the head. The queue is bounded: past {@code inFlightMax} unanswered requests the
 * connection stops reading until responses drain, which pushes back on the client through TCP.
 *
 * <p>Anything that cannot be parsed, an unknown API key or a version this broker does not serve closes
 * the connection with a log line, except a too-new ApiVersions request, which is answered in v0 with
 * UNSUPPORTED_VERSION so the client can downgrade, as KIP-511 describes.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final int IN_FLIGHT_MAX = 100;

    private final ApiRegistry registry;
    private final InFlightRequests inFlight;
    private final ArrayDeque<ResponseSlot> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean closing;

    public ConnectionHandler(ApiRegistry registry, InFlightRequests inFlight) {
        this.registry = registry;
        this.inFlight = inFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!closing) {
                handleFrame(frame);
            }
        } finally {
            frame.release();
        }
    }

    private void handleFrame(ByteBuf frame) {
        if (frame.readableBytes() < 8) {
            closeFor("request frame of " + frame.readableBytes() + " bytes is too short for a request header");
            return;
        }
        ByteBuffer buffer = frame.nioBuffer();
        short apiKeyId = buffer.getShort(0);
        short apiVersion = buffer.getShort(2);
        int correlationId = buffer.getInt(4);
        if (!ApiKeys.hasId(apiKeyId)) {
            closeFor("unknown API key " + apiKeyId + " (correlation id " + correlationId + ")");
            return;
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        ApiRegistry.Entry entry = registry.entry(apiKey);
        if (entry == null) {
            closeFor("API " + apiKey + " is not implemented by this broker");
            return;
        }
        if (apiVersion < entry.minServed() || apiVersion > entry.max()) {
            if (apiKey == ApiKeys.API_VERSIONS && apiVersion > entry.max()) {
                answerUnsupportedApiVersions(correlationId);
            } else {
                closeFor(apiKey + " v" + apiVersion + " is not supported (served " + entry.minServed() + ".." + entry.max() + ")");
            }
            return;
        }
        RequestContext context;
        ApiMessage request;
        try {
            ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
            buffer.position(8);
            short headerVersion = entry.requestHeaderVersion(apiVersion);
            String clientId = readClientId(accessor, buffer);
            if (headerVersion >= 2) {
                skipTaggedFields(accessor);
            }
            request = entry.newRequest();
            request.read(accessor, apiVersion);
            context = new RequestContext(apiKey, apiVersion, correlationId, clientId, ctx.channel(), System.nanoTime());
        } catch (RuntimeException e) {
            closeFor("malformed " + apiKey + " v" + apiVersion + " request: " + e);
            return;
        }
        ResponseSlot slot = new ResponseSlot(this, correlationId, entry.responseHeaderVersion(apiVersion), apiVersion);
        pending.addLast(slot);
        inFlight.started();
        if (pending.size() >= IN_FLIGHT_MAX) {
            ctx.channel().config().setAutoRead(false);
        }
        try {
            entry.handler().handle(context, request, slot);
        } catch (RuntimeException e) {
            log.error("Unexpected error handling {} v{} from {}; closing the connection", apiKey, apiVersion,
                    ctx.channel().remoteAddress(), e);
            closeFor("internal error handling " + apiKey);
        }
    }

    private static String readClientId(ByteBufferAccessor accessor, ByteBuffer buffer) {
        short length = buffer.getShort();
        if (length < 0) {
            return null;
        }
        byte[] bytes = accessor.readArray(length);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void skipTaggedFields(ByteBufferAccessor accessor) {
        int count = accessor.readUnsignedVarint();
        for (int i = 0; i < count; i++) {
            accessor.readUnsignedVarint();
            int size = accessor.readUnsignedVarint();
            accessor.readArray(size);
        }
    }

    private void answerUnsupportedApiVersions(int correlationId) {
        var data = new org.apache.kafka.common.message.ApiVersionsResponseData()
                .setErrorCode(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION.code());
        ApiRegistry.Entry self = registry.entry(ApiKeys.API_VERSIONS);
        data.apiKeys().add(new org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion()
                .setApiKey(ApiKeys.API_VERSIONS.id).setMinVersion(self.minAdvertised()).setMaxVersion(self.max()));
        ResponseSlot slot = new ResponseSlot(this, correlationId, (short) 0, (short) 0);
        pending.addLast(slot);
        inFlight.started();
        slot.complete(data);
    }

    /** Called by a slot when it completes, from any thread. */
    void slotCompleted() {
        if (ctx.executor().inEventLoop()) {
            drain();
        } else {
            ctx.executor().execute(this::drain);
        }
    }

    private void drain() {
        boolean wrote = false;
        int finished = 0;
        ResponseSlot head;
        while ((head = pending.peekFirst()) != null && head.done) {
            pending.pollFirst();
            finished++;
            if (head.body != null && !closing) {
                ResponseEncoder.write(ctx, head.correlationId, head.headerVersion, head.body, head.apiVersion, ctx.voidPromise());
                wrote = true;
            }
        }
        inFlight.finished(finished);
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < IN_FLIGHT_MAX / 2 && !closing && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Closes the connection after logging why; called for protocol violations. */
    void closeFor(String reason) {
        if (ctx.executor().inEventLoop()) {
            doClose(reason);
        } else {
            ctx.executor().execute(() -> doClose(reason));
        }
    }

    private void doClose(String reason) {
        if (!closing) {
            closing = true;
            log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Responses that can no longer be delivered no longer hold up shutdown.
        inFlight.finished(pending.size());
        pending.clear();
        closing = true;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("Connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        closing = true;
        ctx.close();
    }
}
