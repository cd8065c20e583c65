package io.tributary.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tributary.storage.FetchSlice;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder's output, bytes and file regions concatenated, must be exactly what kafka-clients parses
 * as the response; checked against the client's own decoder rather than ours.
 */
class ResponseEncoderTest {
    @TempDir
    Path dir;

    @Test
    void fetchResponseWithFileRegionDecodesWithTheClientCodec() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(1L, "k1".getBytes(), "v1".getBytes()), new SimpleRecord(2L, "k2".getBytes(), "v2".getBytes()));
        Path file = dir.resolve("segment.log");
        byte[] prefix = new byte[17];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(prefix));
            ch.write(records.buffer());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FetchSlice slice = new FetchSlice(ch, prefix.length, records.sizeInBytes(), 0L);
            for (short version : new short[] {4, 12, 13, ApiKeys.FETCH.latestVersion()}) {
                FetchResponseData data = new FetchResponseData().setSessionId(version >= 7 ? 7 : 0);
                FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                        .setTopic("t").setTopicId(org.apache.kafka.common.Uuid.randomUuid());
                topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(2)
                        .setRecords(new FileSliceRecords(slice)));
                topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(1).setHighWatermark(0)
                        .setRecords(MemoryRecords.EMPTY));
                data.responses().add(topic);
                byte[] wire = encode(data, version, ApiKeys.FETCH.responseHeaderVersion(version));
                ByteBuffer buf = ByteBuffer.wrap(wire);
                assertThat(buf.getInt()).isEqualTo(wire.length - 4);
                assertThat(buf.getInt()).isEqualTo(42);
                if (ApiKeys.FETCH.responseHeaderVersion(version) >= 1) {
                    assertThat(buf.get()).isEqualTo((byte) 0);
                }
                FetchResponseData parsed = new FetchResponseData(new ByteBufferAccessor(buf), version);
                assertThat(buf.remaining()).isZero();
                MemoryRecords got = (MemoryRecords) parsed.responses().get(0).partitions().get(0).records();
                List<String> values = new ArrayList<>();
                for (Record r : got.records()) {
                    values.add(new String(org.apache.kafka.common.utils.Utils.toArray(r.value())));
                }
                assertThat(values).containsExactly("v1", "v2");
                assertThat(parsed.sessionId()).isEqualTo(version >= 7 ? 7 : 0);
            }
        }
    }

    @Test
    void plainResponseIsOneBuffer() throws Exception {
        MetadataResponseData data = new MetadataResponseData().setClusterId("c").setControllerId(1);
        byte[] wire = encode(data, (short) 12, ApiKeys.METADATA.responseHeaderVersion((short) 12));
        ByteBuffer buf = ByteBuffer.wrap(wire);
        buf.getInt();
        buf.getInt();
        buf.get();
        MetadataResponseData parsed = new MetadataResponseData(new ByteBufferAccessor(buf), (short) 12);
        assertThat(parsed.clusterId()).isEqualTo("c");
    }

    private static byte[] encode(org.apache.kafka.common.protocol.ApiMessage body, short version, short headerVersion) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                if (msg instanceof ByteBuf b) {
                    byte[] bytes = new byte[b.readableBytes()];
                    b.readBytes(bytes);
                    out.write(bytes);
                    b.release();
                } else {
                    FileRegion region = (FileRegion) msg;
                    var target = Channels.newChannel(out);
                    while (region.transferred() < region.count()) {
                        region.transferTo(target, region.transferred());
                    }
                    region.release();
                }
                promise.trySuccess();
            }
        });
        // Write from a handler behind the capturing one, so every part passes through it.
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = ch.pipeline().lastContext();
        ResponseEncoder.write(ctx, 42, headerVersion, body, version, ch.newPromise());
        ch.flush();
        return out.toByteArray();
    }

}
