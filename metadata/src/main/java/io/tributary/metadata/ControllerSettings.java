package io.tributary.metadata;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The broker-supplied defaults and rules the controller decides with.
 *
 * @param defaultNumPartitions       num.partitions, used when a CreateTopics request says -1
 * @param defaultReplicationFactor   default.replication.factor, used when a request says -1
 * @param topicConfigKeys            topic config names a client may set
 * @param topicConfigValidator       checks topic config values
 * @param topicConfigDefaults        the effective value of every topic config that is not overridden, reported
 *                                   in CreateTopics responses and used as the base for APPEND/SUBTRACT
 * @param brokerConfigKeys           broker config names that may be changed dynamically
 * @param brokerConfigValidator      checks broker config values
 * @param writeTimeout               how long the controller waits for a batch to be committed and applied
 */
public record ControllerSettings(int defaultNumPartitions, short defaultReplicationFactor,
                                 Set<String> topicConfigKeys, ConfigValidator topicConfigValidator,
                                 Map<String, String> topicConfigDefaults, Set<String> brokerConfigKeys,
                                 ConfigValidator brokerConfigValidator, Duration writeTimeout) {
  public ControllerSettings {
    if (defaultNumPartitions < 1) {
      throw new IllegalArgumentException("defaultNumPartitions must be at least 1: " + defaultNumPartitions);
    }
    if (defaultReplicationFactor < 1) {
      throw new IllegalArgumentException("defaultReplicationFactor must be at least 1: " + defaultReplicationFactor);
    }
    topicConfigKeys = Set.copyOf(topicConfigKeys);
    Objects.requireNonNull(topicConfigValidator, "topicConfigValidator");
    topicConfigDefaults = Map.copyOf(topicConfigDefaults);
    brokerConfigKeys = Set.copyOf(brokerConfigKeys);
    Objects.requireNonNull(brokerConfigValidator, "brokerConfigValidator");
    if (writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("writeTimeout must be positive");
    }
  }

  /** 1 partition, replication factor 1, Kafka's standard topic configs with Kafka's defaults. */
  public static ControllerSettings defaults() {
    return new ControllerSettings(1, (short) 1, TopicConfigKeys.ALL, TopicConfigKeys.VALIDATOR,
        TopicConfigKeys.DEFAULTS, BrokerConfigKeys.DYNAMIC, BrokerConfigKeys.VALIDATOR, Duration.ofSeconds(30));
  }

  public ControllerSettings withDefaults(int numPartitions, short replicationFactor) {
    return new ControllerSettings(numPartitions, replicationFactor, topicConfigKeys, topicConfigValidator,
        topicConfigDefaults, brokerConfigKeys, brokerConfigValidator, writeTimeout);
  }

  public ControllerSettings withTopicConfigs(Set<String> keys, ConfigValidator validator, Map<String, String> defaults) {
    return new ControllerSettings(defaultNumPartitions, defaultReplicationFactor, keys, validator, defaults,
        brokerConfigKeys, brokerConfigValidator, writeTimeout);
  }

  public ControllerSettings withBrokerConfigs(Set<String> keys, ConfigValidator validator) {
    return new ControllerSettings(defaultNumPartitions, defaultReplicationFactor, topicConfigKeys,
        topicConfigValidator, topicConfigDefaults, keys, validator, writeTimeout);
  }

  public ControllerSettings withWriteTimeout(Duration timeout) {
    return new ControllerSettings(defaultNumPartitions, defaultReplicationFactor, topicConfigKeys,
        topicConfigValidator, topicConfigDefaults, brokerConfigKeys, brokerConfigValidator, timeout);
  }
}
