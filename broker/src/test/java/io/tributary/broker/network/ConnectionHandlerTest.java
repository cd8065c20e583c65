package io.tributary.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {
    private final List<ResponseSlot> parked = new ArrayList<>();

    private EmbeddedChannel channel() {
        ApiRegistry registry = new ApiRegistry()
                .register(ApiKeys.METADATA, (ctx, req, slot) -> parked.add(slot))
                .register(ApiKeys.API_VERSIONS, (ctx, req, slot) -> slot.complete(new ApiVersionsResponseData()));
        return new EmbeddedChannel(new FrameDecoder(1 << 20), new ConnectionHandler(registry, new InFlightRequests()));
    }

    private static ByteBuf frame(ApiKeys key, short version, int correlationId, org.apache.kafka.common.protocol.ApiMessage body) {
        RequestHeader header = new RequestHeader(key, version, "test", correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short hv = key.requestHeaderVersion(version);
        int size = header.data().size(cache, hv) + body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor acc = new ByteBufferAccessor(buf);
        header.data().write(acc, cache, hv);
        body.write(acc, cache, version);
        buf.flip();
        return Unpooled.wrappedBuffer(buf);
    }

    private static int correlationOf(ByteBuf out) {
        return out.getInt(4);
    }

    @Test
    void responsesLeaveInRequestOrderEvenWhenCompletedOutOfOrder() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(frame(ApiKeys.METADATA, (short) 12, 1, new MetadataRequestData()));
        ch.writeInbound(frame(ApiKeys.METADATA, (short) 12, 2, new MetadataRequestData()));
        ch.writeInbound(frame(ApiKeys.API_VERSIONS, (short) 3, 3, new org.apache.kafka.common.message.ApiVersionsRequestData()
                .setClientSoftwareName("t").setClientSoftwareVersion("1")));
        assertThat((Object) ch.readOutbound()).as("nothing may overtake request 1").isNull();
        parked.get(1).complete(new MetadataResponseData());
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        parked.get(0).complete(new MetadataResponseData());
        ch.runPendingTasks();
        List<Integer> order = new ArrayList<>();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            order.add(correlationOf(out));
            out.release();
        }
        assertThat(order).containsExactly(1, 2, 3);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void tooNewApiVersionsGetsV0UnsupportedVersion() {
        EmbeddedChannel ch = channel();
        ByteBuf f = Unpooled.buffer();
        f.writeInt(10).writeShort(ApiKeys.API_VERSIONS.id).writeShort(999).writeInt(77).writeShort(-1);
        ch.writeInbound(f);
        ByteBuf out = ch.readOutbound();
        ByteBuffer buf = out.nioBuffer();
        buf.getInt();
        assertThat(buf.getInt()).isEqualTo(77);
        ApiVersionsResponseData r = new ApiVersionsResponseData(new ByteBufferAccessor(buf), (short) 0);
        assertThat(r.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(r.apiKeys().find(ApiKeys.API_VERSIONS.id)).isNotNull();
        out.release();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void unknownKeysUnimplementedApisAndGarbageCloseTheConnection() {
        EmbeddedChannel unknown = channel();
        unknown.writeInbound(Unpooled.buffer().writeInt(10).writeShort(999).writeShort(0).writeInt(1).writeShort(-1));
        assertThat(unknown.isOpen()).isFalse();

        EmbeddedChannel unimplemented = channel();
        unimplemented.writeInbound(frame(ApiKeys.JOIN_GROUP, (short) 5, 1, new org.apache.kafka.common.message.JoinGroupRequestData()));
        assertThat(unimplemented.isOpen()).isFalse();

        EmbeddedChannel garbage = channel();
        garbage.writeInbound(Unpooled.buffer().writeInt(12).writeShort(ApiKeys.METADATA.id).writeShort(12).writeInt(5)
                .writeShort(30000).writeShort(1));
        assertThat(garbage.isOpen()).isFalse();
    }
}
