package io.tributary.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Serializes a response (size prefix, header, body) straight into pooled Netty buffers.
 *
 * <p>The generated message classes call {@link #writeRecords} for every record-set field. Records that
 * live in a segment file end the current buffer and become a {@link SharedFileRegion}, so a fetch
 * response is a few small header buffers interleaved with zero-copy file regions.
 */
public final class ResponseEncoder implements Writable {
    private final ByteBufAllocator alloc;
    private final List<Object> parts = new ArrayList<>(4);
    private ByteBuf current;

    private ResponseEncoder(ByteBufAllocator alloc, int initialBytes) {
        this.alloc = alloc;
        this.current = alloc.directBuffer(initialBytes);
    }

    /** Encodes a whole response frame and writes its parts to the channel; flushing is the caller's choice. */
    public static void write(ChannelHandlerContext ctx, int correlationId, short headerVersion, ApiMessage body,
                             short version, ChannelPromise promise) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int bodySize = body.size(cache, version);
        int headerSize = headerVersion >= 1 ? 5 : 4;
        int frameSize = headerSize + bodySize;
        boolean hasFileParts = body instanceof org.apache.kafka.common.message.FetchResponseData;
        ResponseEncoder encoder = new ResponseEncoder(ctx.alloc(), hasFileParts ? 256 : 4 + frameSize);
        encoder.writeInt(frameSize);
        encoder.writeInt(correlationId);
        if (headerVersion >= 1) {
            encoder.writeUnsignedVarint(0); // no tagged fields
        }
        body.write(encoder, cache, version);
        encoder.finish();
        List<Object> parts = encoder.parts;
        int last = parts.size() - 1;
        for (int i = 0; i < last; i++) {
            ctx.write(parts.get(i), ctx.voidPromise());
        }
        ctx.write(parts.get(last), promise);
    }

    private void finish() {
        if (current.isReadable() || parts.isEmpty()) {
            parts.add(current);
        } else {
            current.release();
        }
        current = null;
    }

    private void ensure(int bytes) {
        current.ensureWritable(bytes);
    }

    @Override
    public void writeByte(byte val) {
        current.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        current.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        current.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        current.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        current.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        current.writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        ensure(5);
        while ((i & 0xffffff80) != 0) {
            current.writeByte((i & 0x7f) | 0x80);
            i >>>= 7;
        }
        current.writeByte(i);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        current.writeBytes(buf.duplicate());
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long v) {
        long i = (v << 1) ^ (v >> 63);
        ensure(10);
        while ((i & 0xffffffffffffff80L) != 0L) {
            current.writeByte(((int) i & 0x7f) | 0x80);
            i >>>= 7;
        }
        current.writeByte((int) i);
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileSliceRecords fileRecords) {
            var slice = fileRecords.slice();
            if (slice.sizeInBytes() == 0) {
                return;
            }
            parts.add(current);
            parts.add(new SharedFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
            current = alloc.directBuffer(256);
        } else if (records instanceof MemoryRecords memoryRecords) {
            writeByteBuffer(memoryRecords.buffer());
        } else {
            throw new IllegalArgumentException("Unsupported record set type " + records.getClass().getName());
        }
    }
}
