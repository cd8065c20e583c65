package io.tributary.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into Kafka request frames: a 4-byte big-endian size, then that many bytes.
 *
 * <p>The declared size is checked against {@code socket.request.max.bytes} before a single byte of the
 * body is buffered, so a hostile or broken client cannot make the broker allocate a huge buffer. Such a
 * connection is closed with a log line, as Kafka does; other connections are unaffected.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);
    private final int requestBytesMax;

    public FrameDecoder(int requestBytesMax) {
        this.requestBytesMax = requestBytesMax;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            if (size < 0 || size > requestBytesMax) {
                log.warn("Closing connection from {}: declared request size {} is outside [0, {}] (socket.request.max.bytes)",
                        ctx.channel().remoteAddress(), size, requestBytesMax);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < 4 + size) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice(size));
        }
    }
}
