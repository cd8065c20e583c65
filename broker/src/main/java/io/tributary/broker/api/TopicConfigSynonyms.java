package io.tributary.broker.api;

import io.tributary.broker.BrokerConfigLayers;
import io.tributary.metadata.BrokerConfigKeys;
import io.tributary.metadata.TopicConfigKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * Where a topic config's value can come from, highest priority first, as DescribeConfigs reports it (Kafka's
 * "synonyms"): the topic's own override, then for each broker layer (this broker's dynamic configs, the
 * cluster-wide dynamic default, server.properties) every broker key that sets it (log.retention.ms before
 * log.retention.minutes before log.retention.hours), then the built-in default. The first entry is where the
 * effective value comes from, so an operator sees both the value and why.
 */
final class TopicConfigSynonyms {
    private TopicConfigSynonyms() {
    }

    static List<DescribeConfigsSynonym> of(String topicKey, Map<String, String> topicOverrides,
                                           BrokerConfigLayers layers) {
        List<DescribeConfigsSynonym> out = new ArrayList<>();
        add(out, topicKey, topicOverrides.get(topicKey), ConfigSource.TOPIC_CONFIG);
        List<String> brokerKeys = BrokerConfigKeys.synonymsOf(topicKey);
        brokerKeys.forEach(k -> add(out, k, layers.brokerOverrides().get(k), ConfigSource.DYNAMIC_BROKER_CONFIG));
        brokerKeys.forEach(k -> add(out, k, layers.clusterDefaults().get(k), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
        brokerKeys.forEach(k -> add(out, k, layers.staticValues().get(k), ConfigSource.STATIC_BROKER_CONFIG));
        TopicConfigKeys.Spec spec = TopicConfigKeys.SPECS.get(topicKey);
        add(out, topicKey, spec == null ? null : spec.defaultValue(), ConfigSource.DEFAULT_CONFIG);
        return out;
    }

    /**
     * The topic's effective value: its override, else the broker default in topic units (log.retention.hours=1
     * shows as retention.ms 3600000), else the built-in default.
     */
    static String effectiveValue(String topicKey, Map<String, String> topicOverrides, Map<String, String> brokerTopicDefaults) {
        String v = topicOverrides.get(topicKey);
        if (v == null) {
            v = brokerTopicDefaults.get(topicKey);
        }
        if (v == null) {
            TopicConfigKeys.Spec spec = TopicConfigKeys.SPECS.get(topicKey);
            v = spec == null ? null : spec.defaultValue();
        }
        return v;
    }

    static void add(List<DescribeConfigsSynonym> out, String name, String value, ConfigSource source) {
        if (value != null) {
            out.add(new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id()));
        }
    }
}
