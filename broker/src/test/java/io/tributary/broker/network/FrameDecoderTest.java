package io.tributary.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    @Test
    void splitsPipelinedAndFragmentedFrames() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf in = Unpooled.buffer();
        in.writeInt(3).writeBytes(new byte[] {1, 2, 3}).writeInt(2).writeBytes(new byte[] {4, 5}).writeInt(4).writeByte(6);
        ch.writeInbound(in);
        ByteBuf first = ch.readInbound();
        ByteBuf second = ch.readInbound();
        assertThat(first.readableBytes()).isEqualTo(3);
        assertThat(second.readableBytes()).isEqualTo(2);
        assertThat(second.getByte(1)).isEqualTo((byte) 5);
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {7, 8, 9}));
        ByteBuf third = ch.readInbound();
        assertThat(third.readableBytes()).isEqualTo(4);
        assertThat(third.getByte(3)).isEqualTo((byte) 9);
        first.release();
        second.release();
        third.release();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void closesOnOversizedOrNegativeSizeBeforeBuffering() {
        EmbeddedChannel big = new EmbeddedChannel(new FrameDecoder(1024));
        big.writeInbound(Unpooled.buffer().writeInt(1025).writeByte(1));
        assertThat((Object) big.readInbound()).isNull();
        assertThat(big.isOpen()).isFalse();

        EmbeddedChannel negative = new EmbeddedChannel(new FrameDecoder(1024));
        negative.writeInbound(Unpooled.buffer().writeInt(-7));
        assertThat(negative.isOpen()).isFalse();
    }
}
