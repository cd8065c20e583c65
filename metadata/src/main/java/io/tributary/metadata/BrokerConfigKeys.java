package io.tributary.metadata;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker-level config names the controller and the broker agree on: which broker key sets the broker-wide
 * default of each topic config (Kafka's "synonyms"), which broker keys may be changed at runtime, and how a map of
 * broker values becomes a map of topic-config defaults.
 *
 * <p>A broker key is dynamic here only if a running Tributary broker applies a change to it without a restart:
 * every topic-config synonym (the log defaults are re-applied to live partitions) and the log cleaner's
 * throughput settings. Everything else (listeners, thread pools, directories...) is read once at startup, so
 * accepting a dynamic value for it would be a lie; such keys are refused and reported read-only.
 */
public final class BrokerConfigKeys {
  private static final long MINUTE_MS = 60_000L;
  private static final long HOUR_MS = 3_600_000L;

  /**
   * Topic key to its broker synonyms, highest priority first. Only the first synonym of each list may be set
   * dynamically; the others are coarser units accepted in server.properties (log.retention.hours...).
   */
  public static final Map<String, List<String>> TOPIC_SYNONYMS;

  static {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("cleanup.policy", List.of("log.cleanup.policy"));
    m.put("compression.type", List.of("compression.type"));
    m.put("compression.gzip.level", List.of("compression.gzip.level"));
    m.put("compression.lz4.level", List.of("compression.lz4.level"));
    m.put("compression.zstd.level", List.of("compression.zstd.level"));
    m.put("delete.retention.ms", List.of("log.cleaner.delete.retention.ms"));
    m.put("file.delete.delay.ms", List.of("log.segment.delete.delay.ms"));
    m.put("flush.messages", List.of("log.flush.interval.messages"));
    m.put("flush.ms", List.of("log.flush.interval.ms"));
    m.put("index.interval.bytes", List.of("log.index.interval.bytes"));
    m.put("max.compaction.lag.ms", List.of("log.cleaner.max.compaction.lag.ms"));
    m.put("max.message.bytes", List.of("message.max.bytes"));
    m.put("message.timestamp.after.max.ms", List.of("log.message.timestamp.after.max.ms"));
    m.put("message.timestamp.before.max.ms", List.of("log.message.timestamp.before.max.ms"));
    m.put("message.timestamp.type", List.of("log.message.timestamp.type"));
    m.put("min.cleanable.dirty.ratio", List.of("log.cleaner.min.cleanable.ratio"));
    m.put("min.compaction.lag.ms", List.of("log.cleaner.min.compaction.lag.ms"));
    m.put("min.insync.replicas", List.of("min.insync.replicas"));
    m.put("preallocate", List.of("log.preallocate"));
    m.put("retention.bytes", List.of("log.retention.bytes"));
    m.put("retention.ms", List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"));
    m.put("segment.bytes", List.of("log.segment.bytes"));
    m.put("segment.index.bytes", List.of("log.index.size.max.bytes"));
    m.put("segment.jitter.ms", List.of("log.roll.jitter.ms", "log.roll.jitter.hours"));
    m.put("segment.ms", List.of("log.roll.ms", "log.roll.hours"));
    m.put("unclean.leader.election.enable", List.of("unclean.leader.election.enable"));
    TOPIC_SYNONYMS = Collections.unmodifiableMap(m);
  }

  /** Settings of the log cleaner that a running broker hands to it on change. */
  public static final Set<String> CLEANER = Set.of(
      "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.dedupe.buffer.size");

  /** Broker keys that may be set through IncrementalAlterConfigs / AlterConfigs and take effect live. */
  public static final Set<String> DYNAMIC;

  /**
   * Broker keys a Tributary broker reads once at startup (server.properties only), so that refusing a dynamic
   * change can say "read-only" rather than "unknown". The coarse-unit synonyms (log.retention.hours...) are here
   * too: Kafka only takes the precise key dynamically.
   */
  public static final Set<String> READ_ONLY;

  static {
    Set<String> s = new LinkedHashSet<>(List.of(
        "node.id", "broker.id", "broker.rack", "listeners", "advertised.listeners", "controller.quorum.voters",
        "log.dir", "log.dirs", "metadata.log.dir", "num.partitions", "default.replication.factor",
        "auto.create.topics.enable", "socket.request.max.bytes", "num.io.threads", "num.network.threads",
        "log.retention.check.interval.ms", "log.flush.offset.checkpoint.interval.ms",
        "max.incremental.fetch.session.cache.slots", "offsets.topic.num.partitions",
        "offsets.topic.replication.factor", "offsets.topic.segment.bytes", "offset.metadata.max.bytes",
        "offsets.load.buffer.size", "offsets.retention.minutes", "offsets.retention.check.interval.ms",
        "group.min.session.timeout.ms", "group.max.session.timeout.ms", "group.initial.rebalance.delay.ms",
        "group.max.size", "group.consumer.session.timeout.ms", "group.consumer.heartbeat.interval.ms",
        "group.consumer.max.size"));
    TOPIC_SYNONYMS.values().forEach(l -> s.addAll(l.subList(1, l.size())));
    READ_ONLY = Collections.unmodifiableSet(s);
  }

  /** Broker key to the topic key it is the default of, for dynamic keys only. */
  private static final Map<String, String> TOPIC_KEY_OF_DYNAMIC;

  static {
    Set<String> dynamic = new LinkedHashSet<>();
    Map<String, String> topicKeys = new LinkedHashMap<>();
    TOPIC_SYNONYMS.forEach((topicKey, brokerKeys) -> {
      dynamic.add(brokerKeys.get(0));
      topicKeys.put(brokerKeys.get(0), topicKey);
    });
    dynamic.addAll(CLEANER);
    DYNAMIC = Collections.unmodifiableSet(dynamic);
    TOPIC_KEY_OF_DYNAMIC = Collections.unmodifiableMap(topicKeys);
  }

  public static final ConfigValidator VALIDATOR = BrokerConfigKeys::validate;

  private BrokerConfigKeys() {
  }

  /** The topic key whose default this (dynamic) broker key sets, or null. */
  public static String topicKeyOf(String brokerKey) {
    return TOPIC_KEY_OF_DYNAMIC.get(brokerKey);
  }

  /** The broker synonyms of a topic key, highest priority first; empty if it has none. */
  public static List<String> synonymsOf(String topicKey) {
    return TOPIC_SYNONYMS.getOrDefault(topicKey, List.of());
  }

  /**
   * Validates a dynamic broker value: a topic-config synonym like its topic key (log.retention.ms like
   * retention.ms), a cleaner setting by its own rule. Returns null if valid, else the reason.
   */
  public static String validate(String key, String value) {
    if (value == null || value.isBlank()) {
      return "Value must not be blank";
    }
    String topicKey = topicKeyOf(key);
    if (topicKey != null) {
      return TopicConfigKeys.validate(topicKey, value);
    }
    String v = value.trim();
    try {
      switch (key) {
        case "log.cleaner.threads":
          // Kafka refuses to reconfigure the cleaner down to no threads at all.
          return Integer.parseInt(v) < 1 ? "Value must be at least 1" : null;
        case "log.cleaner.dedupe.buffer.size":
          return Long.parseLong(v) < 1024 * 1024 ? "Value must be at least 1048576" : null;
        case "log.cleaner.io.max.bytes.per.second": {
          double d = Double.parseDouble(v);
          return Double.isNaN(d) || d <= 0 ? "Value must be a positive number" : null;
        }
        default:
          return null;
      }
    } catch (NumberFormatException e) {
      return key.equals("log.cleaner.threads") ? "Not a number of type INT"
          : key.equals("log.cleaner.dedupe.buffer.size") ? "Not a number of type LONG" : "Not a number of type DOUBLE";
    }
  }

  /**
   * Translates broker values into the topic-config defaults they imply: log.segment.bytes becomes segment.bytes,
   * and of log.retention.ms / .minutes / .hours the most precise one present wins (converted to ms), as in Kafka.
   * Keys without a topic meaning are left out.
   *
   * @throws ConfigException naming the broker key when a time in minutes or hours is not a number
   */
  public static Map<String, String> toTopicConfigs(Map<String, String> brokerValues) {
    Map<String, String> out = new LinkedHashMap<>();
    TOPIC_SYNONYMS.forEach((topicKey, brokerKeys) -> {
      for (String brokerKey : brokerKeys) {
        String raw = brokerValues.get(brokerKey);
        if (raw != null) {
          out.put(topicKey, inMs(brokerKey, raw));
          return;
        }
      }
    });
    return out;
  }

  private static String inMs(String brokerKey, String raw) {
    long unitMs = brokerKey.endsWith(".hours") ? HOUR_MS : brokerKey.endsWith(".minutes") ? MINUTE_MS : 1;
    if (unitMs == 1) {
      return raw;
    }
    try {
      return Long.toString(Math.multiplyExact(Long.parseLong(raw.trim()), unitMs));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(brokerKey, raw, "not a valid number of " + brokerKey.substring(
          brokerKey.lastIndexOf('.') + 1));
    }
  }
}
