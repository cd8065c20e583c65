package io.tributary.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Sets topic configs with IncrementalAlterConfigs and waits until DescribeConfigs reports the new values.
 *
 * <p>The log cleaner benchmark holds the cleaner off while it produces (a long {@code min.compaction.lag.ms})
 * and then releases it with this tool, so the moment cleaning may start is the moment it returns. Waiting for
 * DescribeConfigs to agree means a broker that accepts the request but does not apply it shows up as a timeout
 * here rather than as a cleaner that never runs.
 *
 * <p>With {@code --go-file PATH} the tool first connects and checks the topic, prints {@code ready}, and sends the
 * request only once PATH exists: the script then starts its CPU and clock sample after this JVM's start-up,
 * which on a busy 2-core box can take seconds, and right before the broker gets the request.
 *
 * <p>Usage: {@code AlterTopicConfig --bootstrap-server HOST:PORT --topic TOPIC [--go-file PATH] KEY=VALUE...}
 */
public final class AlterTopicConfig {

    private static final long TIMEOUT_MS = 30_000;
    private static final long GO_TIMEOUT_MS = 600_000;

    private AlterTopicConfig() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        String topic = null;
        Path goFile = null;
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-server" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                case "--go-file" -> goFile = Path.of(args[++i]);
                default -> CreateTopics.putConfig(values, args[i]);
            }
        }
        if (bootstrap == null || topic == null || values.isEmpty()) {
            throw new IllegalArgumentException("usage: AlterTopicConfig --bootstrap-server HOST:PORT --topic TOPIC [--go-file PATH] KEY=VALUE...");
        }
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "tributary-bench-alter-config");
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(config)) {
            if (goFile != null) {
                admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                System.out.println("ready");
                System.out.flush();
                awaitFile(goFile);
            }
            List<AlterConfigOp> ops = new ArrayList<>();
            values.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            awaitApplied(admin, resource, values);
        }
        System.out.println("set " + values + " on topic " + topic);
    }

    private static void awaitFile(Path goFile) throws InterruptedException {
        long deadline = System.currentTimeMillis() + GO_TIMEOUT_MS;
        while (!Files.exists(goFile)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no " + goFile + " after " + GO_TIMEOUT_MS + " ms");
            }
            Thread.sleep(5);
        }
    }

    private static void awaitApplied(Admin admin, ConfigResource resource, Map<String, String> values)
            throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (true) {
            Config current = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(resource);
            String differing = null;
            for (var wanted : values.entrySet()) {
                ConfigEntry entry = current.get(wanted.getKey());
                String actual = entry == null ? null : entry.value();
                if (!sameValue(wanted.getValue(), actual)) {
                    differing = wanted.getKey() + " is " + actual + ", not " + wanted.getValue();
                    break;
                }
            }
            if (differing == null) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("topic " + resource.name() + " not reconfigured after " + TIMEOUT_MS
                        + " ms: " + differing);
            }
            Thread.sleep(100);
        }
    }

    /** Numbers may come back normalised ("0.5" set, "0.50" shown), so compare them as numbers. */
    static boolean sameValue(String wanted, String actual) {
        if (wanted.equals(actual)) {
            return true;
        }
        if (actual == null) {
            return false;
        }
        try {
            return Double.parseDouble(wanted) == Double.parseDouble(actual);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
