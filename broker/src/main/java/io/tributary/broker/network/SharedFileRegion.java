package io.tributary.broker.network;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A {@link DefaultFileRegion} over a segment's channel that the segment, not the region, owns.
 *
 * <p>Netty's epoll transport only uses native {@code sendfile} for {@code DefaultFileRegion}, which
 * closes its channel when released. Segments share one channel across all concurrent fetches, so the
 * release here leaves it open; the storage layer closes it after {@code file.delete.delay.ms}.
 */
final class SharedFileRegion extends DefaultFileRegion {
    SharedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The segment owns the channel.
    }
}
