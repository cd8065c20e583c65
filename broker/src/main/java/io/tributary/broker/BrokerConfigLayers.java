package io.tributary.broker;

import io.tributary.metadata.BrokerConfigKeys;
import io.tributary.metadata.MetadataImage;
import io.tributary.storage.LogConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The three places a broker setting can come from, as in Kafka: server.properties ({@code staticValues}), the
 * cluster-wide dynamic default (broker resource "" in the metadata), and this broker's own dynamic configs
 * (resource "<node id>"). A key's effective value is the highest layer that sets it: own, then cluster default,
 * then static. The dynamic layers live in the replicated metadata, so a change reaches every broker and survives
 * restarts, while server.properties stays the per-machine baseline.
 *
 * <p>The log defaults every topic without its own override uses are derived from the effective values, through
 * the same broker-key-to-topic-key translation as the static file, so a dynamic log.retention.ms outranks a static
 * log.retention.hours exactly as a static log.retention.ms would.
 */
public record BrokerConfigLayers(Map<String, String> staticValues, Map<String, String> clusterDefaults,
                                 Map<String, String> brokerOverrides) {

    public BrokerConfigLayers {
        staticValues = Map.copyOf(staticValues);
        clusterDefaults = Map.copyOf(clusterDefaults);
        brokerOverrides = Map.copyOf(brokerOverrides);
    }

    /** The layers as the given image has them for broker {@code nodeId}. */
    public static BrokerConfigLayers of(Map<String, String> staticValues, MetadataImage image, int nodeId) {
        return new BrokerConfigLayers(staticValues, image.brokerConfigs(""),
                image.brokerConfigs(Integer.toString(nodeId)));
    }

    /** True if the dynamic layers differ (the static one never changes while the broker runs). */
    public boolean dynamicDiffers(BrokerConfigLayers other) {
        return !clusterDefaults.equals(other.clusterDefaults) || !brokerOverrides.equals(other.brokerOverrides);
    }

    /** Every key's effective value. */
    public Map<String, String> effective() {
        Map<String, String> m = new HashMap<>(staticValues);
        m.putAll(clusterDefaults);
        m.putAll(brokerOverrides);
        return m;
    }

    /** The effective value of one key, or null if no layer sets it. */
    public String effective(String key) {
        String v = brokerOverrides.get(key);
        if (v == null) {
            v = clusterDefaults.get(key);
        }
        return v != null ? v : staticValues.get(key);
    }

    /** The effective broker defaults in topic-config names (segment.bytes, retention.ms...). */
    public Map<String, String> topicDefaults() {
        return BrokerConfigKeys.toTopicConfigs(effective());
    }

    /**
     * The log defaults of topics without overrides: the effective values over {@code base} (what server.properties
     * already gave, or Kafka's defaults).
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key if an effective value is invalid
     */
    public LogConfig logDefaults(LogConfig base) {
        Objects.requireNonNull(base, "base");
        return LogConfig.from(topicDefaults(), base);
    }
}
