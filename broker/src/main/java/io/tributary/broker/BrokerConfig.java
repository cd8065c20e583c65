package io.tributary.broker;

import io.tributary.metadata.BrokerConfigKeys;
import io.tributary.storage.CleanerConfig;
import io.tributary.storage.LogConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Broker settings, read from Kafka {@code server.properties} keys wherever they mean the same thing here,
 * so an operator's existing file works. Unknown keys are kept (DescribeConfigs shows them) but ignored.
 */
public final class BrokerConfig {
    public static final int DEFAULT_PORT = 9092;

    private final Map<String, String> values;
    public final int nodeId;
    public final String listenerHost;
    public final int listenerPort;
    public final String advertisedHost;
    public final int advertisedPortConfigured;
    public final List<Path> logDirs;
    public final Path metadataDir;
    public final String controllerHost;
    public final int controllerPort;
    public final int numPartitions;
    public final short defaultReplicationFactor;
    public final boolean autoCreateTopics;
    public final int messageBytesMax;
    public final int requestBytesMax;
    public final int ioThreads;
    public final long retentionCheckIntervalMs;
    public final long recoveryCheckpointIntervalMs;
    public final int fetchSessionCacheSlots;
    public final LogConfig logDefaults;
    /** The log.cleaner.* settings (threads, memory, I/O budget) under Kafka's names and defaults. */
    public final CleanerConfig cleanerConfig;

    private BrokerConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
        nodeId = intValue("node.id", intValue("broker.id", 1));
        Endpoint listener = Endpoint.parse(firstListener(get("listeners", "PLAINTEXT://127.0.0.1:" + DEFAULT_PORT), "listeners"));
        listenerHost = listener.host.isEmpty() ? "0.0.0.0" : listener.host;
        listenerPort = listener.port;
        String advertised = get("advertised.listeners", null);
        if (advertised != null) {
            Endpoint a = Endpoint.parse(firstListener(advertised, "advertised.listeners"));
            advertisedHost = a.host;
            advertisedPortConfigured = a.port;
        } else {
            advertisedHost = listener.host.isEmpty() || listener.host.equals("0.0.0.0") ? "127.0.0.1" : listener.host;
            advertisedPortConfigured = -1;
        }
        String dirs = get("log.dirs", get("log.dir", "./data"));
        List<Path> parsed = new ArrayList<>();
        for (String d : dirs.split(",")) {
            if (!d.isBlank()) {
                parsed.add(Path.of(d.trim()).toAbsolutePath().normalize());
            }
        }
        if (parsed.isEmpty()) {
            throw new ConfigException("log.dirs", dirs, "at least one log directory is required");
        }
        logDirs = List.copyOf(parsed);
        metadataDir = Path.of(get("metadata.log.dir", logDirs.get(0).resolve("__cluster_metadata").toString())).toAbsolutePath();
        Endpoint controller = controllerEndpoint(listener);
        controllerHost = controller.host;
        controllerPort = controller.port;
        numPartitions = intValue("num.partitions", 1);
        defaultReplicationFactor = (short) intValue("default.replication.factor", 1);
        autoCreateTopics = Boolean.parseBoolean(get("auto.create.topics.enable", "true"));
        messageBytesMax = intValue("message.max.bytes", 1048588);
        requestBytesMax = intValue("socket.request.max.bytes", 104857600);
        ioThreads = intValue("num.io.threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
        retentionCheckIntervalMs = longValue("log.retention.check.interval.ms", 300_000L);
        recoveryCheckpointIntervalMs = longValue("log.flush.offset.checkpoint.interval.ms", 60_000L);
        fetchSessionCacheSlots = intValue("max.incremental.fetch.session.cache.slots", 1000);
        logDefaults = LogConfig.from(topicDefaults(), LogConfig.DEFAULTS);
        cleanerConfig = CleanerConfig.from(values);
    }

    public static BrokerConfig from(Properties props) {
        Map<String, String> map = new HashMap<>();
        for (String name : props.stringPropertyNames()) {
            map.put(name.trim(), props.getProperty(name).trim());
        }
        return new BrokerConfig(map);
    }

    public static BrokerConfig from(Map<String, String> map) {
        return new BrokerConfig(map);
    }

    /** Every key as given, for DescribeConfigs. */
    public Map<String, String> originals() {
        return values;
    }

    /**
     * The static broker-level defaults translated to topic-config names (log.segment.bytes becomes segment.bytes,
     * log.retention.hours becomes retention.ms...). Dynamic broker configs are layered on top by
     * {@link BrokerConfigLayers}, which uses the same translation.
     */
    public Map<String, String> topicDefaults() {
        return BrokerConfigKeys.toTopicConfigs(values);
    }

    private Endpoint controllerEndpoint(Endpoint listener) {
        String all = get("listeners", "");
        for (String l : all.split(",")) {
            if (l.trim().startsWith("CONTROLLER://")) {
                return Endpoint.parse(l.trim());
            }
        }
        String voters = get("controller.quorum.voters", null);
        if (voters != null) {
            for (String v : voters.split(",")) {
                String[] idAndAddress = v.trim().split("@", 2);
                if (idAndAddress.length == 2 && Integer.parseInt(idAndAddress[0]) == nodeId) {
                    return Endpoint.parse("CONTROLLER://" + idAndAddress[1]);
                }
            }
        }
        String host = listener.host.isEmpty() || listener.host.equals("0.0.0.0") ? "127.0.0.1" : listener.host;
        return new Endpoint(host, listener.port == 0 ? 0 : listener.port + 1);
    }

    /** The Raft voters string "id@host:port,...": the configured quorum, or this node alone. */
    public String controllerVoters(int boundControllerPort) {
        return get("controller.quorum.voters", nodeId + "@" + controllerHost + ":" + boundControllerPort);
    }

    private static String firstListener(String listeners, String key) {
        for (String l : listeners.split(",")) {
            String s = l.trim();
            if (!s.isEmpty() && !s.startsWith("CONTROLLER://")) {
                return s;
            }
        }
        throw new ConfigException(key, listeners, "no client listener");
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    private int intValue(String key, int defaultValue) {
        String v = values.get(key);
        try {
            return v == null ? defaultValue : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "not an integer");
        }
    }

    private long longValue(String key, long defaultValue) {
        String v = values.get(key);
        try {
            return v == null ? defaultValue : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "not a long");
        }
    }

    /** host:port of a listener URL such as PLAINTEXT://127.0.0.1:9092 or PLAINTEXT://:9092. */
    record Endpoint(String host, int port) {
        static Endpoint parse(String url) {
            int scheme = url.indexOf("://");
            String hostPort = scheme >= 0 ? url.substring(scheme + 3) : url;
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException("listeners", url, "expected host:port");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return new Endpoint(host, Integer.parseInt(hostPort.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new ConfigException("listeners", url, "bad port");
            }
        }
    }

}
