package io.tributary.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty listener. Native epoll where the platform has it (so fetches go out through {@code sendfile}
 * with no user-space copy), NIO elsewhere. Request handling runs on the I/O threads themselves: appends
 * and index lookups are page-cache operations, and skipping a hand-off between threads is what keeps tail
 * latency low on small machines.
 */
public final class SocketServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SocketServer.class);
    private static final int READ_BYTES_MIN = 512;
    private static final int READ_BYTES_INITIAL = 16 * 1024;
    private static final int READ_BYTES_MAX = 1024 * 1024;

    static {
        // Netty 4.2's allocator emits JFR events, and defining the first one starts JFR's event machinery: about
        // 200 ms of CPU during a broker start on a small machine, for events that nobody records by default.
        // -Dio.netty.jfr.enabled=true brings them back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ServerBootstrap bootstrap;
    private volatile Channel serverChannel;
    private final InFlightRequests inFlight = new InFlightRequests();

    /**
     * Prepares the event loops and pipeline without binding, so the broker can do this (which loads
     * Netty and its native transport) while Raft starts, and bind only once it can answer requests.
     */
    public SocketServer(int ioThreads, int requestBytesMax, ApiRegistry registry) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("trib-accept", true), factory);
        ioGroup = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("trib-io", true), factory);
        Class<? extends ServerSocketChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // Reads of up to 1 MiB, so that a produce request (often 100 KB or more) usually arrives in one
                // read. Netty's default stops at 64 KiB: each such request then took two or more reads, and the
                // frame decoder copied the first part into a grown buffer before appending the rest.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(
                        READ_BYTES_MIN, READ_BYTES_INITIAL, READ_BYTES_MAX))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.pipeline()
                                .addLast("frames", new FrameDecoder(requestBytesMax))
                                .addLast("requests", new ConnectionHandler(registry, inFlight));
                    }
                });
        // Touch the pooled allocator and the pipeline classes now rather than on the first connection.
        io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(64).release();
        log.debug("Prepared {} I/O threads ({})", ioThreads, epoll ? "epoll" : "nio");
    }

    /** Starts listening; requests are served from here on. */
    public void bind(String host, int port) throws InterruptedException {
        serverChannel = bootstrap.bind(host, port).sync().channel();
        log.debug("Listening on {}", serverChannel.localAddress());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting; existing connections keep being served until {@link #close()}. */
    public void stopAccepting() {
        Channel ch = serverChannel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    /** Stops accepting, lets in-flight requests finish for up to {@code drainMs}, then closes everything. */
    public void close(long drainMs) {
        stopAccepting();
        try {
            if (!inFlight.awaitIdle(drainMs)) {
                log.warn("{} requests still in flight after {} ms; closing their connections", inFlight.count(), drainMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        stopAccepting();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        ioGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        acceptGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
