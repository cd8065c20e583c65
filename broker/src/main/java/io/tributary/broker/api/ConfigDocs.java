package io.tributary.broker.api;

import io.tributary.metadata.BrokerConfigKeys;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The documentation DescribeConfigs returns when a client asks for it (v3+, {@code include_documentation}).
 * Topic configs mean exactly what they mean in Kafka, so their text is Kafka's own, published by kafka-clients
 * in {@link TopicConfig} as a {@code X_DOC} constant beside each {@code X_CONFIG} name. A broker key that sets a
 * topic config's default shares that text; other broker keys have none (null, which the protocol allows).
 */
final class ConfigDocs {
    private static final Map<String, String> TOPIC_DOCS = topicDocs();

    private ConfigDocs() {
    }

    static String of(String name) {
        String doc = TOPIC_DOCS.get(name);
        if (doc != null) {
            return doc;
        }
        String topicKey = BrokerConfigKeys.topicKeyOf(name);
        return topicKey == null ? null : TOPIC_DOCS.get(topicKey);
    }

    private static Map<String, String> topicDocs() {
        Map<String, String> docs = new HashMap<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class || !f.getName().endsWith("_CONFIG")) {
                continue;
            }
            String prefix = f.getName().substring(0, f.getName().length() - "_CONFIG".length());
            try {
                String name = (String) f.get(null);
                Field docField = TopicConfig.class.getField(prefix + "_DOC");
                docs.put(name, (String) docField.get(null));
            } catch (NoSuchFieldException e) {
                // A name without a matching text (none today); it is reported without documentation.
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("TopicConfig constants are public", e);
            }
        }
        return Map.copyOf(docs);
    }
}
