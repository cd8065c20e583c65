package io.tributary.broker.api;

import io.tributary.broker.BrokerConfig;
import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.TopicConfigKeys;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs (v1+) for topics and brokers. A topic value comes from, in order: the topic's own
 * config (TOPIC_CONFIG), a dynamic broker default set through the controller (DYNAMIC_DEFAULT_BROKER_CONFIG),
 * server.properties (STATIC_BROKER_CONFIG), or the built-in default (DEFAULT_CONFIG); synonyms list the
 * lower layers, as Kafka's do.
 */
public final class DescribeConfigsApi implements ApiHandler {
    private final BrokerConfig config;
    private final PartitionManager partitions;

    public DescribeConfigsApi(BrokerConfig config, PartitionManager partitions) {
        this.config = config;
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext context, ApiMessage message, ResponseSlot slot) {
        DescribeConfigsRequestData request = (DescribeConfigsRequestData) message;
        MetadataImage image = partitions.image();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                TopicImage topic = image.topicsByName().get(resource.resourceName());
                if (topic == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Topic " + resource.resourceName() + " does not exist");
                } else {
                    describeTopic(topic, image, resource.configurationKeys(), request.includeSynonyms(), result);
                }
            } else if (type == ConfigResource.Type.BROKER) {
                if (!resource.resourceName().isEmpty() && !resource.resourceName().equals(Integer.toString(config.nodeId))) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Broker " + resource.resourceName() + " is not this broker");
                } else {
                    describeBroker(image, resource.configurationKeys(), request.includeSynonyms(), result);
                }
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unsupported resource type " + type);
            }
            response.results().add(result);
        }
        slot.complete(response);
    }

    private void describeTopic(TopicImage topic, MetadataImage image, List<String> keys, boolean synonyms,
                               DescribeConfigsResponseData.DescribeConfigsResult result) {
        Map<String, String> staticTopicDefaults = config.topicDefaults();
        for (Map.Entry<String, TopicConfigKeys.Spec> e : TopicConfigKeys.SPECS.entrySet()) {
            String key = e.getKey();
            if (keys != null && !keys.contains(key)) {
                continue;
            }
            String brokerKey = TopicConfigSynonyms.brokerKey(key);
            List<DescribeConfigsResponseData.DescribeConfigsSynonym> layers = new ArrayList<>();
            layer(layers, key, topic.configs().get(key), ConfigSource.TOPIC_CONFIG);
            if (brokerKey != null) {
                layer(layers, brokerKey, dynamic(image, brokerKey), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
                // server.properties may set it under a variant key (log.retention.hours), already translated.
                layer(layers, brokerKey, staticTopicDefaults.get(key), ConfigSource.STATIC_BROKER_CONFIG);
            }
            layer(layers, key, e.getValue().defaultValue(), ConfigSource.DEFAULT_CONFIG);
            result.configs().add(entry(key, layers, synonyms, false).setConfigType(configType(e.getValue().type())));
        }
    }

    private void describeBroker(MetadataImage image, List<String> keys, boolean synonyms,
                                DescribeConfigsResponseData.DescribeConfigsResult result) {
        Map<String, String> originals = config.originals();
        java.util.TreeSet<String> names = new java.util.TreeSet<>(originals.keySet());
        names.addAll(image.brokerConfigs("").keySet());
        names.addAll(image.brokerConfigs(Integer.toString(config.nodeId)).keySet());
        for (String brokerKey : TopicConfigSynonyms.brokerKeys()) {
            names.add(brokerKey);
        }
        for (String name : names) {
            if (keys != null && !keys.contains(name)) {
                continue;
            }
            List<DescribeConfigsResponseData.DescribeConfigsSynonym> layers = new ArrayList<>();
            layer(layers, name, image.brokerConfigs(Integer.toString(config.nodeId)).get(name), ConfigSource.DYNAMIC_BROKER_CONFIG);
            layer(layers, name, image.brokerConfigs("").get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            layer(layers, name, originals.get(name), ConfigSource.STATIC_BROKER_CONFIG);
            String topicKey = topicKeyFor(name);
            if (topicKey != null) {
                layer(layers, name, TopicConfigKeys.SPECS.get(topicKey).defaultValue(), ConfigSource.DEFAULT_CONFIG);
            }
            if (!layers.isEmpty()) {
                result.configs().add(entry(name, layers, synonyms, false));
            }
        }
    }

    private static String topicKeyFor(String brokerKey) {
        for (String topicKey : TopicConfigKeys.SPECS.keySet()) {
            if (brokerKey.equals(TopicConfigSynonyms.brokerKey(topicKey))) {
                return topicKey;
            }
        }
        return null;
    }

    /** A dynamic broker value: this broker's own, else the cluster-wide default. */
    private String dynamic(MetadataImage image, String key) {
        String own = image.brokerConfigs(Integer.toString(config.nodeId)).get(key);
        return own != null ? own : image.brokerConfigs("").get(key);
    }

    /** The v3+ type field, so tools such as kafka-configs show values with their types. */
    private static byte configType(TopicConfigKeys.Type type) {
        ConfigType t = switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case INT -> ConfigType.INT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case STRING -> ConfigType.STRING;
            case LIST -> ConfigType.LIST;
        };
        return t.id();
    }

    private static void layer(List<DescribeConfigsResponseData.DescribeConfigsSynonym> layers, String name, String value, ConfigSource source) {
        if (value != null) {
            layers.add(new DescribeConfigsResponseData.DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id()));
        }
    }

    private static DescribeConfigsResponseData.DescribeConfigsResourceResult entry(
            String name, List<DescribeConfigsResponseData.DescribeConfigsSynonym> layers, boolean synonyms, boolean readOnly) {
        DescribeConfigsResponseData.DescribeConfigsSynonym top = layers.get(0);
        DescribeConfigsResponseData.DescribeConfigsResourceResult r = new DescribeConfigsResponseData.DescribeConfigsResourceResult()
                .setName(name).setValue(top.value()).setConfigSource(top.source())
                .setReadOnly(readOnly).setIsSensitive(false);
        if (synonyms) {
            r.setSynonyms(layers);
        }
        return r;
    }
}
