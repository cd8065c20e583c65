package io.tributary.broker.api;

import io.tributary.broker.BrokerConfig;
import io.tributary.broker.BrokerConfigLayers;
import io.tributary.broker.PartitionManager;
import io.tributary.broker.network.ApiHandler;
import io.tributary.broker.network.RequestContext;
import io.tributary.broker.network.ResponseSlot;
import io.tributary.metadata.BrokerConfigKeys;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.TopicConfigKeys;
import io.tributary.metadata.TopicImage;
import io.tributary.storage.CleanerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs (v1+) for topics and brokers, reporting each value with the layer it comes from.
 *
 * <p>A topic value comes from, in order: the topic's own config (TOPIC_CONFIG), this broker's dynamic config
 * (DYNAMIC_BROKER_CONFIG), the cluster-wide dynamic default (DYNAMIC_DEFAULT_BROKER_CONFIG), server.properties
 * (STATIC_BROKER_CONFIG), or the built-in default (DEFAULT_CONFIG); see {@link TopicConfigSynonyms}. A broker key
 * is reported the same way minus the topic layer, and is read-only unless it may be changed dynamically. The
 * broker resource "" is the cluster-wide default itself, so it lists only what has been set there, as in Kafka.
 * Everything is read from one metadata image, so the values and sources of one response agree with each other.
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
        BrokerConfigLayers layers = BrokerConfigLayers.of(config.originals(), image, config.nodeId);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            List<String> keys = resource.configurationKeys();
            boolean synonyms = request.includeSynonyms();
            if (type == ConfigResource.Type.TOPIC) {
                TopicImage topic = image.topicsByName().get(resource.resourceName());
                if (topic == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Topic " + resource.resourceName() + " does not exist");
                } else {
                    describeTopic(topic, layers, keys, synonyms, result);
                }
            } else if (type == ConfigResource.Type.BROKER) {
                if (resource.resourceName().isEmpty()) {
                    describeClusterDefault(layers, keys, synonyms, result);
                } else if (resource.resourceName().equals(Integer.toString(config.nodeId))) {
                    describeBroker(layers, keys, synonyms, result);
                } else {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Broker " + resource.resourceName() + " is not this broker");
                }
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Unsupported resource type " + type);
            }
            // The field defaults to "", which a client would show as an empty text, so "not asked" is null.
            boolean docs = request.includeDocumentation();
            result.configs().forEach(c -> c.setDocumentation(docs ? ConfigDocs.of(c.name()) : null));
            response.results().add(result);
        }
        slot.complete(response);
    }

    private static void describeTopic(TopicImage topic, BrokerConfigLayers layers, List<String> keys,
                                      boolean synonyms, DescribeConfigsResult result) {
        Map<String, String> brokerTopicDefaults = layers.topicDefaults();
        for (Map.Entry<String, TopicConfigKeys.Spec> e : TopicConfigKeys.SPECS.entrySet()) {
            String key = e.getKey();
            if (keys != null && !keys.contains(key)) {
                continue;
            }
            List<DescribeConfigsSynonym> sources = TopicConfigSynonyms.of(key, topic.configs(), layers);
            String value = TopicConfigSynonyms.effectiveValue(key, topic.configs(), brokerTopicDefaults);
            result.configs().add(entry(key, value, sources, synonyms, false, configType(e.getValue().type())));
        }
    }

    private static void describeBroker(BrokerConfigLayers layers, List<String> keys, boolean synonyms,
                                       DescribeConfigsResult result) {
        TreeSet<String> names = new TreeSet<>(layers.staticValues().keySet());
        names.addAll(layers.clusterDefaults().keySet());
        names.addAll(layers.brokerOverrides().keySet());
        names.addAll(BrokerConfigKeys.DYNAMIC);
        for (String name : names) {
            if (keys != null && !keys.contains(name)) {
                continue;
            }
            List<DescribeConfigsSynonym> sources = new ArrayList<>();
            TopicConfigSynonyms.add(sources, name, layers.brokerOverrides().get(name), ConfigSource.DYNAMIC_BROKER_CONFIG);
            TopicConfigSynonyms.add(sources, name, layers.clusterDefaults().get(name),
                    ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            TopicConfigSynonyms.add(sources, name, layers.staticValues().get(name), ConfigSource.STATIC_BROKER_CONFIG);
            TopicConfigSynonyms.add(sources, name, builtInDefault(name), ConfigSource.DEFAULT_CONFIG);
            if (sources.isEmpty()) {
                continue; // a dynamic key without a known default and not set anywhere: nothing to report
            }
            boolean readOnly = !BrokerConfigKeys.DYNAMIC.contains(name);
            result.configs().add(entry(name, sources.get(0).value(), sources, synonyms, readOnly, brokerType(name)));
        }
    }

    /** The cluster-wide default resource: only the keys set there, all dynamic. */
    private static void describeClusterDefault(BrokerConfigLayers layers, List<String> keys, boolean synonyms,
                                               DescribeConfigsResult result) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(layers.clusterDefaults()).entrySet()) {
            if (keys != null && !keys.contains(e.getKey())) {
                continue;
            }
            List<DescribeConfigsSynonym> sources = new ArrayList<>();
            TopicConfigSynonyms.add(sources, e.getKey(), e.getValue(), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            result.configs().add(entry(e.getKey(), e.getValue(), sources, synonyms, false, brokerType(e.getKey())));
        }
    }

    /** Kafka's default of a dynamic broker key: its topic key's default, or the cleaner's. */
    private static String builtInDefault(String brokerKey) {
        String topicKey = BrokerConfigKeys.topicKeyOf(brokerKey);
        if (topicKey != null) {
            return TopicConfigKeys.SPECS.get(topicKey).defaultValue();
        }
        return switch (brokerKey) {
            case CleanerConfig.THREADS -> Integer.toString(CleanerConfig.DEFAULTS.threads());
            case CleanerConfig.DEDUPE_BUFFER_SIZE -> Long.toString(CleanerConfig.DEFAULTS.dedupeBufferBytes());
            case CleanerConfig.IO_MAX_BYTES_PER_SECOND -> Double.toString(CleanerConfig.DEFAULTS.ioMaxBytesPerSecond());
            default -> null;
        };
    }

    private static byte brokerType(String brokerKey) {
        String topicKey = BrokerConfigKeys.topicKeyOf(brokerKey);
        if (topicKey != null) {
            return configType(TopicConfigKeys.SPECS.get(topicKey).type());
        }
        return switch (brokerKey) {
            case CleanerConfig.THREADS -> ConfigType.INT.id();
            case CleanerConfig.DEDUPE_BUFFER_SIZE -> ConfigType.LONG.id();
            case CleanerConfig.IO_MAX_BYTES_PER_SECOND -> ConfigType.DOUBLE.id();
            default -> ConfigType.UNKNOWN.id();
        };
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

    /** Secrets in server.properties (SASL/SSL passwords) are never echoed back, as in Kafka. */
    private static boolean isSensitive(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.endsWith(".jaas.config") || n.endsWith("secret");
    }

    private static DescribeConfigsResourceResult entry(String name, String value, List<DescribeConfigsSynonym> sources,
                                                       boolean synonyms, boolean readOnly, byte type) {
        assert !sources.isEmpty() : "every reported config has at least one source";
        boolean sensitive = isSensitive(name);
        if (sensitive) {
            sources.forEach(s -> s.setValue(null));
        }
        DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                .setName(name).setValue(sensitive ? null : value).setConfigSource(sources.get(0).source())
                .setReadOnly(readOnly).setIsSensitive(sensitive).setConfigType(type);
        if (synonyms) {
            r.setSynonyms(sources);
        }
        return r;
    }
}
