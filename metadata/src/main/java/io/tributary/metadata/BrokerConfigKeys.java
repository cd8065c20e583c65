package io.tributary.metadata;

import java.util.Set;

/**
 * The broker configs that may be changed at runtime through IncrementalAlterConfigs (Kafka's "dynamic" broker
 * configs that a Tributary broker honours). The values are validated as the matching topic-level key where one
 * exists (log.retention.ms like retention.ms...), otherwise accepted as non-blank strings.
 */
public final class BrokerConfigKeys {
  public static final Set<String> DYNAMIC = Set.of(
      "log.retention.ms", "log.retention.bytes", "log.segment.bytes", "log.roll.ms", "log.cleanup.policy",
      "log.flush.interval.messages", "log.flush.interval.ms", "log.message.timestamp.type",
      "log.preallocate", "message.max.bytes", "min.insync.replicas", "compression.type",
      "unclean.leader.election.enable", "num.io.threads", "num.network.threads", "num.replica.fetchers",
      "max.connections", "max.connections.per.ip");

  private static final java.util.Map<String, String> TOPIC_EQUIVALENT = java.util.Map.ofEntries(
      java.util.Map.entry("log.retention.ms", "retention.ms"),
      java.util.Map.entry("log.retention.bytes", "retention.bytes"),
      java.util.Map.entry("log.segment.bytes", "segment.bytes"),
      java.util.Map.entry("log.roll.ms", "segment.ms"),
      java.util.Map.entry("log.cleanup.policy", "cleanup.policy"),
      java.util.Map.entry("log.flush.interval.messages", "flush.messages"),
      java.util.Map.entry("log.flush.interval.ms", "flush.ms"),
      java.util.Map.entry("log.message.timestamp.type", "message.timestamp.type"),
      java.util.Map.entry("log.preallocate", "preallocate"),
      java.util.Map.entry("message.max.bytes", "max.message.bytes"),
      java.util.Map.entry("min.insync.replicas", "min.insync.replicas"),
      java.util.Map.entry("compression.type", "compression.type"),
      java.util.Map.entry("unclean.leader.election.enable", "unclean.leader.election.enable"));

  private static final Set<String> POSITIVE_INTS = Set.of(
      "num.io.threads", "num.network.threads", "num.replica.fetchers", "max.connections", "max.connections.per.ip");

  public static final ConfigValidator VALIDATOR = BrokerConfigKeys::validate;

  private BrokerConfigKeys() {
  }

  public static String validate(String key, String value) {
    if (value == null || value.isBlank()) {
      return "Value must not be blank";
    }
    String topicKey = TOPIC_EQUIVALENT.get(key);
    if (topicKey != null) {
      return TopicConfigKeys.validate(topicKey, value);
    }
    if (POSITIVE_INTS.contains(key)) {
      try {
        if (Integer.parseInt(value.trim()) < 1) {
          return "Value must be at least 1";
        }
      } catch (NumberFormatException e) {
        return "Not a number of type INT";
      }
    }
    return null;
  }
}
