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
final class TestBroker implements AutoCloseable {
    static final int NODE_ID = 1;

    private final Path dataDir;
    private final Map<String, String> overrides;
    private Broker broker;

    private TestBroker(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
    }

    static TestBroker start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    /** Starts a broker whose settings are the test defaults below, with {@code overrides} winning. */
    static TestBroker start(Path dataDir, Map<String, String> overrides) throws Exception {
        TestBroker b = new TestBroker(dataDir, overrides);
        b.startAgain();
        return b;
    }

    Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put("listeners", "PLAINTEXT://127.0.0.1:0");
        c.put("log.dirs", logDir().toString());
        c.put("node.id", Integer.toString(NODE_ID));
        c.put("num.partitions", "1");
        c.putAll(overrides);
        return c;
    }

    /** The single log directory; partition directories and the clean-shutdown marker live directly in it. */
    Path logDir() {
        return dataDir.resolve("logs");
    }

    String bootstrap() {
        var a = running().boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    Broker running() {
        if (broker == null) {
            throw new IllegalStateException("broker is stopped");
        }
        return broker;
    }

    /** Clean shutdown: the next start must not need log recovery. */
    void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    void startAgain() throws Exception {
        if (broker != null) {
            throw new IllegalStateException("broker is already running");
        }
        broker = Broker.start(BrokerConfig.from(config()));
    }

    void restart() throws Exception {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        stop();
    }
}
