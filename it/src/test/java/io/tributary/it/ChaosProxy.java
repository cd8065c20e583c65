package io.tributary.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a broker that cuts connections after the broker has answered but before the
 * client has read the whole answer: the broker appended the batch, the producer never saw the ack, so it retries
 * the same batch. That is the situation idempotent producing exists for, produced on demand.
 *
 * <p>The broker advertises the proxy's port, so every client connection (bootstrap and after) goes through it.
 * Cutting starts on {@link #unleash} and stops after {@code cutsMax} cuts or on {@link #calm()}, so a test
 * always finishes.
 */
final class ChaosProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private Random random;
    private volatile InetSocketAddress target;
    private volatile boolean chaos;
    private int cutsMax;
    private int budgetBytesMin;
    private int budgetBytesMax;

    private ChaosProxy(ServerSocket server) {
        this.server = server;
    }

    /** Binds now, so the broker can be configured to advertise {@link #port()} before it starts. */
    static ChaosProxy bind() throws IOException {
        return new ChaosProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return server.getLocalPort();
    }

    /** Starts forwarding to {@code target}, faithfully until {@link #unleash} is called. */
    void start(InetSocketAddress target) {
        this.target = target;
        Thread acceptor = new Thread(this::acceptLoop, "chaos-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * From now on each connection (open or new) is cut after a random number of broker-to-client bytes in
     * [budgetBytesMin, budgetBytesMax], until {@code cutsMax} connections have been cut.
     */
    synchronized void unleash(long seed, int cutsMax, int budgetBytesMin, int budgetBytesMax) {
        this.random = new Random(seed);
        this.cutsMax = cutsMax;
        this.budgetBytesMin = budgetBytesMin;
        this.budgetBytesMax = budgetBytesMax;
        this.chaos = true;
    }

    void calm() {
        chaos = false;
    }

    int cuts() {
        return cuts.get();
    }

    int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket();
                broker.connect(target, 10_000);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                connections.incrementAndGet();
                daemon(() -> pump(client, broker, false), "chaos-up");
                daemon(() -> pump(broker, client, true), "chaos-down");
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("chaos proxy: " + e);
                }
            }
        }
    }

    private synchronized long nextBudget() {
        return budgetBytesMin + random.nextInt(budgetBytesMax - budgetBytesMin + 1);
    }

    private synchronized boolean tryCut() {
        if (!chaos) {
            return false;
        }
        if (cuts.get() >= cutsMax) {
            return false;
        }
        cuts.incrementAndGet();
        return true;
    }

    /**
     * Copies from one socket to the other. A cuttable direction draws its byte budget when chaos starts (also on
     * connections opened before), and is cut mid-chunk once the budget is spent.
     */
    private void pump(Socket from, Socket to, boolean cuttable) {
        byte[] buf = new byte[8192];
        long copied = 0;
        long budget = -1;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (cuttable && chaos && budget < 0) {
                    budget = copied + nextBudget();
                }
                if (budget >= 0 && copied + n > budget && tryCut()) {
                    // Forward only part of this chunk so the client sees a torn response, then drop both sides.
                    out.write(buf, 0, (int) Math.max(0, Math.min(n, budget - copied)));
                    out.flush();
                    break;
                }
                out.write(buf, 0, n);
                out.flush();
                copied += n;
            }
        } catch (IOException e) {
            // the other direction closed the pair
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
