package io.tributary.it.groups;

import io.tributary.broker.Broker;
import io.tributary.broker.BrokerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An in-process broker tuned for group tests: a small {@code __consumer_offsets} (5 partitions load and replay
 * quickly), no initial rebalance delay (the tests wait for the group themselves, a 3 s delay per new group would
 * dominate the run time) and a low minimum session timeout so a test may pick short sessions. Like the package's
 * parent fixture it restarts on the same data directory, possibly on another port, so clients are created from
 * {@link #bootstrap()} after a restart.
 */
final class GroupBroker implements AutoCloseable {
    static final int NODE_ID = 1;

    private final Path dataDir;
    private final Map<String, String> overrides;
    private Broker broker;

    private GroupBroker(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
    }

    static GroupBroker start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    static GroupBroker start(Path dataDir, Map<String, String> overrides) throws Exception {
        GroupBroker b = new GroupBroker(dataDir, overrides);
        b.startAgain();
        return b;
    }

    /** The settings a test broker runs with; also what a child broker process would be given. */
    static Map<String, String> groupDefaults() {
        return Map.of(
                "offsets.topic.num.partitions", "5",
                "group.initial.rebalance.delay.ms", "0",
                "group.min.session.timeout.ms", "1000");
    }

    private Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put("listeners", "PLAINTEXT://127.0.0.1:0");
        c.put("log.dirs", dataDir.resolve("logs").toString());
        c.put("node.id", Integer.toString(NODE_ID));
        c.put("num.partitions", "1");
        c.putAll(groupDefaults());
        c.putAll(overrides);
        return c;
    }

    String bootstrap() {
        if (broker == null) {
            throw new IllegalStateException("broker is stopped");
        }
        var a = broker.boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    /** Clean shutdown. */
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
