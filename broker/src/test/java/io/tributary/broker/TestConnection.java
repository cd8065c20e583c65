package io.tributary.broker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.broker.network.ConnectionHandler;
import io.tributary.broker.network.FrameDecoder;
import io.tributary.broker.network.InFlightRequests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A client connection to a {@link TestBroker}: an {@link EmbeddedChannel} running the real frame decoder and
 * connection handler. Requests are encoded with kafka-clients' generated classes; everything the broker writes
 * (buffers and zero-copy file regions alike) is concatenated into one byte stream and cut into response frames,
 * which are decoded with kafka-clients' generated response classes, so the test sees exactly what a client would.
 */
public final class TestConnection implements AutoCloseable {
    /** One decoded response frame. */
    public record Response(int correlationId, ApiMessage body) {
    }

    private record Sent(ApiKeys key, short version) {
    }

    private final EmbeddedChannel channel;
    private final Map<Integer, Sent> awaiting = new HashMap<>();
    private final ArrayDeque<Response> decoded = new ArrayDeque<>();
    private final ByteArrayOutputStream stream = new ByteArrayOutputStream();
    private final WritableByteChannel streamChannel = Channels.newChannel(stream);
    private int nextCorrelationId = 1;

    TestConnection(ApiRegistry registry) {
        channel = new EmbeddedChannel(new FrameDecoder(64 << 20), new ConnectionHandler(registry, new InFlightRequests()));
        // Scheduled tasks (fetch timeouts) run only when a test advances this clock.
        channel.freezeTime();
    }

    public EmbeddedChannel channel() {
        return channel;
    }

    /** Writes one request frame into the connection and returns its correlation id; does not wait. */
    public int send(ApiKeys key, short version, ApiMessage body) {
        int correlationId = nextCorrelationId++;
        awaiting.put(correlationId, new Sent(key, version));
        channel.writeInbound(frame(key, version, correlationId, body));
        return correlationId;
    }

    /** Sends a request that must be answered at once, and returns the decoded response body. */
    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T call(ApiKeys key, short version, ApiMessage body) {
        int correlationId = send(key, version, body);
        Response response = poll();
        if (response == null) {
            throw new AssertionError(key + " v" + version + " request " + correlationId + " got no response");
        }
        if (response.correlationId() != correlationId) {
            throw new AssertionError("Expected the response to " + correlationId + " but got " + response.correlationId());
        }
        return (T) response.body();
    }

    /** Runs the channel's due tasks, then returns the next complete response, or null if none has been written. */
    public Response poll() {
        channel.runPendingTasks();
        drainOutbound();
        return decoded.pollFirst();
    }

    /** Moves the channel's clock forward and runs the scheduled tasks that became due (fetch timeouts). */
    public void advanceTime(long ms) {
        channel.advanceTimeBy(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Requests sent and not answered yet, as far as this client can tell. */
    public int awaitingResponses() {
        drainOutbound();
        return awaiting.size();
    }

    private void drainOutbound() {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            try {
                if (msg instanceof ByteBuf buf) {
                    buf.readBytes(stream, buf.readableBytes());
                    buf.release();
                } else {
                    FileRegion region = (FileRegion) msg;
                    while (region.transferred() < region.count()) {
                        region.transferTo(streamChannel, region.transferred());
                    }
                    region.release();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        decodeFrames();
    }

    private void decodeFrames() {
        ByteBuffer all = ByteBuffer.wrap(stream.toByteArray());
        while (all.remaining() >= 4 && all.remaining() >= 4 + all.getInt(all.position())) {
            int size = all.getInt();
            ByteBuffer frame = all.slice(all.position(), size);
            all.position(all.position() + size);
            int correlationId = frame.getInt();
            Sent sent = awaiting.remove(correlationId);
            if (sent == null) {
                throw new AssertionError("Response with unknown or repeated correlation id " + correlationId);
            }
            ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
            if (sent.key.responseHeaderVersion(sent.version) >= 1) {
                int taggedFields = accessor.readUnsignedVarint();
                if (taggedFields != 0) {
                    throw new AssertionError("Unexpected tagged fields in a response header");
                }
            }
            ApiMessage body = ApiMessageType.fromApiKey(sent.key.id).newResponse();
            body.read(accessor, sent.version);
            if (frame.hasRemaining()) {
                throw new AssertionError(frame.remaining() + " bytes left after the " + sent.key + " v" + sent.version
                        + " response body; the declared frame size is wrong");
            }
            decoded.addLast(new Response(correlationId, body));
        }
        byte[] rest = new byte[all.remaining()];
        all.get(rest);
        stream.reset();
        stream.writeBytes(rest);
    }

    private static ByteBuf frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(key, version, "test-client", correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = key.requestHeaderVersion(version);
        int size = header.data().size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buf);
        header.data().write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buf.flip();
        return Unpooled.wrappedBuffer(buf);
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
