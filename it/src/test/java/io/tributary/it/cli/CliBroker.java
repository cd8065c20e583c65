package io.tributary.it.cli;

import io.tributary.broker.Broker;
import io.tributary.broker.BrokerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One in-process broker per test class, set up like the shared it fixture (127.0.0.1, ephemeral port, data under a
 * {@code @TempDir}), with group settings that keep the CLI tests quick: a handful of {@code __consumer_offsets}
 * partitions and no initial rebalance delay, since each test waits for its own group.
 */
final class CliBroker implements AutoCloseable {
    static final int NODE_ID = 1;

    private final Broker broker;

    private CliBroker(Broker broker) {
        this.broker = broker;
    }

    static CliBroker start(Path dataDir) throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put("listeners", "PLAINTEXT://127.0.0.1:0");
        c.put("log.dirs", dataDir.resolve("logs").toString());
        c.put("node.id", Integer.toString(NODE_ID));
        c.put("num.partitions", "1");
        c.put("offsets.topic.num.partitions", "3");
        c.put("group.initial.rebalance.delay.ms", "0");
        return new CliBroker(Broker.start(BrokerConfig.from(c)));
    }

    String bootstrap() {
        var a = broker.boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        broker.close();
    }
}
