package io.tributary.it.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * DescribeConfigs v3+ carries each config's documentation when the client asks for it, and only then: topic
 * configs and the broker keys that set their defaults explain themselves as they do in Kafka.
 */
class ConfigDocumentationTest extends BrokerPerClass {

    private static Config describe(Admin admin, ConfigResource r, boolean documentation) throws Exception {
        return admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeDocumentation(documentation))
                .all().get(30, TimeUnit.SECONDS).get(r);
    }

    @Test
    void documentationIsReturnedOnRequest() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("documented", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "documented");
            ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(TestBroker.NODE_ID));

            Config withDocs = describe(admin, topic, true);
            assertThat(withDocs.get("cleanup.policy").documentation()).isEqualTo(TopicConfig.CLEANUP_POLICY_DOC);
            assertThat(withDocs.get("segment.bytes").documentation()).isEqualTo(TopicConfig.SEGMENT_BYTES_DOC);
            assertThat(withDocs.entries()).allSatisfy(e -> assertThat(e.documentation()).as(e.name()).isNotBlank());

            assertThat(describe(admin, topic, false).entries()).allSatisfy(e -> assertThat(e.documentation()).isNull());

            Config broker = describe(admin, node, true);
            assertThat(broker.get("log.retention.ms").documentation()).isEqualTo(TopicConfig.RETENTION_MS_DOC);
        }
    }
}
