package io.tributary.it;

import io.tributary.broker.Broker;
import io.tributary.broker.BrokerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared in-process fixture: one broker on 127.0.0.1 with an ephemeral port and its data under a test's
 * {@code @TempDir}. Tests that need to see what survives a restart stop and start it on the same directory; the
 * port may change across a restart, so clients are always created from {@link #bootstrap()} afterwards.
 */
public final class TestBroker implements AutoCloseable {
    public static final int NODE_ID = 1;

    /**
     * Group coordinator settings for tests that form groups: few {@code __consumer_offsets} partitions (they load
     * and replay quickly), no initial rebalance delay (tests wait for their groups themselves; 3 s per new group
     * would dominate the run time), a low minimum session so a classic member may pick a short one, and a short
     * broker-side session and heartbeat for consumer-protocol (KIP-848) members, which cannot choose their own.
     */
    public static final Map<String, String> QUICK_GROUPS = Map.of(
            "offsets.topic.num.partitions", "3",
            "group.initial.rebalance.delay.ms", "0",
            "group.min.session.timeout.ms", "1000",
            "group.consumer.session.timeout.ms", "6000",
            "group.consumer.heartbeat.interval.ms", "500");

    private final Path dataDir;
    private final Map<String, String> overrides;
    private Broker broker;

    private TestBroker(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
    }

    public static TestBroker start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    /** Starts a broker whose settings are the test defaults below, with {@code overrides} winning. */
    public static TestBroker start(Path dataDir, Map<String, String> overrides) throws Exception {
        TestBroker b = new TestBroker(dataDir, overrides);
        b.startAgain();
        return b;
    }

    public Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put("listeners", "PLAINTEXT://127.0.0.1:0");
        c.put("log.dirs", logDir().toString());
        c.put("node.id", Integer.toString(NODE_ID));
        c.put("num.partitions", "1");
        c.putAll(overrides);
        return c;
    }

    /** The single log directory; partition directories and the clean-shutdown marker live directly in it. */
    public Path logDir() {
        return dataDir.resolve("logs");
    }

    public String bootstrap() {
        var a = running().boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    public Broker running() {
        if (broker == null) {
            throw new IllegalStateException("broker is stopped");
        }
        return broker;
    }

    /** Clean shutdown: the next start must not need log recovery. */
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public void startAgain() throws Exception {
        if (broker != null) {
            throw new IllegalStateException("broker is already running");
        }
        broker = Broker.start(BrokerConfig.from(config()));
    }

    public void restart() throws Exception {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        stop();
    }
}
