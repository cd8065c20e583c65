package io.tributary.broker.group;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.broker.network.ConnectionHandler;
import io.tributary.broker.network.FrameDecoder;
import io.tributary.broker.network.InFlightRequests;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A client connection through the broker's real frame decoder and connection handler on an embedded channel:
 * requests and responses are encoded at the version under test, so a field a version cannot carry fails here.
 */
final class WireClient implements AutoCloseable {
    private final EmbeddedChannel channel;
    private final Map<Integer, ApiKeys> keys = new HashMap<>();
    private final Map<Integer, Short> versions = new HashMap<>();
    private final Map<Integer, ApiMessage> responses = new HashMap<>();
    private final ByteArrayOutputStream stream = new ByteArrayOutputStream();
    private int nextCorrelationId = 1;

    WireClient(ApiRegistry registry) {
        channel = new EmbeddedChannel(new FrameDecoder(64 << 20), new ConnectionHandler(registry, new InFlightRequests()));
    }

    int send(ApiKeys key, int version, ApiMessage body) {
        int correlationId = nextCorrelationId++;
        keys.put(correlationId, key);
        versions.put(correlationId, (short) version);
        RequestHeader header = new RequestHeader(key, (short) version, "wire-client", correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = key.requestHeaderVersion((short) version);
        int size = header.data().size(cache, headerVersion) + body.size(cache, (short) version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buf);
        header.data().write(accessor, cache, headerVersion);
        body.write(accessor, cache, (short) version);
        buf.flip();
        channel.writeInbound(Unpooled.wrappedBuffer(buf));
        return correlationId;
    }

    /** The response to a request, or null if it has not been written yet. */
    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T response(int correlationId) {
        channel.runPendingTasks();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            stream.writeBytes(bytes);
        }
        ByteBuffer all = ByteBuffer.wrap(stream.toByteArray());
        while (all.remaining() >= 4 && all.remaining() >= 4 + all.getInt(all.position())) {
            int size = all.getInt();
            ByteBuffer frame = all.slice(all.position(), size);
            all.position(all.position() + size);
            int id = frame.getInt();
            ApiKeys key = keys.get(id);
            short version = versions.get(id);
            ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
            if (key.responseHeaderVersion(version) >= 1) {
                accessor.readUnsignedVarint();
            }
            ApiMessage body = ApiMessageType.fromApiKey(key.id).newResponse();
            body.read(accessor, version);
            responses.put(id, body);
        }
        byte[] rest = new byte[all.remaining()];
        all.get(rest);
        stream.reset();
        stream.writeBytes(rest);
        return (T) responses.remove(correlationId);
    }

    <T extends ApiMessage> T call(ApiKeys key, int version, ApiMessage body) {
        int id = send(key, version, body);
        T response = response(id);
        if (response == null) {
            throw new AssertionError(key + " v" + version + " was not answered at once");
        }
        return response;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
