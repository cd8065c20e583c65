package io.tributary.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.broker.api.DescribeConfigsApi;
import io.tributary.broker.network.ApiRegistry;
import io.tributary.metadata.ConfigRecord;
import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.MetadataRecord;
import io.tributary.metadata.PartitionRecord;
import io.tributary.metadata.TopicRecord;
import io.tributary.storage.LogConfig;
import io.tributary.storage.LogManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic broker and topic configs reaching live logs through {@link PartitionManager}, and DescribeConfigs
 * reporting the layer every value comes from, with a real LogManager and hand-made metadata images.
 */
class DynamicConfigsTest {
    private static final int NODE = 1;

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime(1_700_000_000_000L);
    private LogManager logs;
    private PartitionManager partitions;
    private TestConnection connection;
    private MetadataImage image = MetadataImage.EMPTY;
    private long nextTopicId = 1;

    @BeforeEach
    void start() {
        Map<String, String> staticValues = new HashMap<>(Map.of("log.dirs", dir.toString(), "node.id", "1",
                "log.segment.bytes", "2000000", "log.retention.hours", "2", "num.partitions", "3"));
        BrokerConfig config = BrokerConfig.from(staticValues);
        logs = LogManager.open(List.of(dir), config.logDefaults, time);
        partitions = new PartitionManager(NODE, logs, config.logDefaults, config.originals());
        connection = new TestConnection(new ApiRegistry()
                .register(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsApi(config, partitions)));
    }

    @AfterEach
    void stop() {
        connection.close();
        logs.close();
    }

    private void apply(MetadataRecord... records) {
        MetadataImage previous = image;
        image = previous.apply(List.of(records));
        partitions.onImage(previous, image);
    }

    private void createTopic(String name, Map<String, String> configs) {
        Uuid id = new Uuid(42, nextTopicId++);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, id));
        records.add(new PartitionRecord(id, 0, new int[] {NODE}, new int[] {NODE}, NODE, 0, 0));
        configs.forEach((k, v) -> records.add(new ConfigRecord(ConfigRecord.ResourceType.TOPIC, name, k, v)));
        apply(records.toArray(MetadataRecord[]::new));
    }

    private static ConfigRecord broker(String name, String key, String value) {
        return new ConfigRecord(ConfigRecord.ResourceType.BROKER, name, key, value);
    }

    private LogConfig config(String topic) {
        return partitions.partition(topic, 0).log().config();
    }

    @Test
    void brokerDefaultsReachLogsWithoutAnOverrideAndLeaveOverridesAlone() {
        createTopic("plain", Map.of());
        createTopic("own", Map.of("retention.ms", "50"));
        assertThat(config("plain").retentionMs()).as("static log.retention.hours").isEqualTo(7_200_000L);
        assertThat(config("plain").segmentBytes()).isEqualTo(2_000_000);

        apply(broker("", "log.retention.ms", "1000"));
        assertThat(config("plain").retentionMs()).isEqualTo(1000);
        assertThat(config("own").retentionMs()).isEqualTo(50);
        assertThat(config("plain").segmentBytes()).as("static values not overridden stay").isEqualTo(2_000_000);

        apply(broker("1", "log.retention.ms", "2000"), broker("2", "log.retention.ms", "3000"));
        assertThat(config("plain").retentionMs()).as("this broker's own value beats the cluster default")
                .isEqualTo(2000);

        apply(broker("1", "log.retention.ms", null));
        assertThat(config("plain").retentionMs()).isEqualTo(1000);
        apply(broker("", "log.retention.ms", null));
        assertThat(config("plain").retentionMs()).as("back to server.properties").isEqualTo(7_200_000L);
        assertThat(config("own").retentionMs()).isEqualTo(50);
    }

    @Test
    void topicConfigChangesApplyLiveAndNewLogsGetTheCurrentDefaults() {
        createTopic("t", Map.of());
        apply(new ConfigRecord(ConfigRecord.ResourceType.TOPIC, "t", "segment.bytes", "1048576"),
                new ConfigRecord(ConfigRecord.ResourceType.TOPIC, "t", "cleanup.policy", "compact"));
        assertThat(config("t").segmentBytes()).isEqualTo(1_048_576);
        assertThat(config("t").cleanupPolicy().compact()).isTrue();
        apply(new ConfigRecord(ConfigRecord.ResourceType.TOPIC, "t", "segment.bytes", null));
        assertThat(config("t").segmentBytes()).isEqualTo(2_000_000);

        apply(broker("", "log.roll.ms", "60000"));
        createTopic("later", Map.of());
        assertThat(config("later").segmentMs()).isEqualTo(60_000);
        assertThat(partitions.logDefaults().segmentMs()).isEqualTo(60_000);
    }

    @Test
    void anUnusableDynamicValueKeepsThePreviousDefaults() {
        createTopic("t", Map.of());
        apply(broker("", "log.retention.ms", "1000"));
        // The controller refuses such a value; a log replayed from an older version might still hold one.
        apply(broker("1", "log.segment.bytes", "big"));
        assertThat(config("t").retentionMs()).isEqualTo(1000);
        assertThat(config("t").segmentBytes()).isEqualTo(2_000_000);
        apply(broker("1", "log.segment.bytes", null), broker("", "log.retention.ms", "900"));
        assertThat(config("t").retentionMs()).isEqualTo(900);
    }

    private Map<String, DescribeConfigsResourceResult> describe(ConfigResource.Type type, String name) {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData().setIncludeSynonyms(true);
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(type.id()).setResourceName(name).setConfigurationKeys(null));
        DescribeConfigsResponseData response = connection.call(ApiKeys.DESCRIBE_CONFIGS, (short) 4, request);
        assertThat(response.results()).hasSize(1);
        assertThat(response.results().get(0).errorCode()).isZero();
        return response.results().get(0).configs().stream()
                .collect(Collectors.toMap(DescribeConfigsResourceResult::name, Function.identity()));
    }

    private static List<String> synonyms(DescribeConfigsResourceResult r) {
        return r.synonyms().stream().map(s -> s.name() + "=" + s.value() + "@" + ConfigSource.forId(s.source()))
                .toList();
    }

    @Test
    void topicValuesShowTheLayerTheyComeFrom() {
        createTopic("t", Map.of("segment.bytes", "1048576"));
        apply(broker("", "log.retention.ms", "1000"), broker("", "log.roll.ms", "70000"),
                broker("1", "log.roll.ms", "80000"));
        var configs = describe(ConfigResource.Type.TOPIC, "t");

        assertThat(configs.get("segment.bytes").value()).isEqualTo("1048576");
        assertThat(configs.get("segment.bytes").configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(synonyms(configs.get("segment.bytes"))).containsExactly("segment.bytes=1048576@TOPIC_CONFIG",
                "log.segment.bytes=2000000@STATIC_BROKER_CONFIG", "segment.bytes=1073741824@DEFAULT_CONFIG");

        assertThat(configs.get("retention.ms").value()).isEqualTo("1000");
        assertThat(synonyms(configs.get("retention.ms"))).containsExactly(
                "log.retention.ms=1000@DYNAMIC_DEFAULT_BROKER_CONFIG", "log.retention.hours=2@STATIC_BROKER_CONFIG",
                "retention.ms=604800000@DEFAULT_CONFIG");

        assertThat(configs.get("segment.ms").value()).isEqualTo("80000");
        assertThat(configs.get("segment.ms").configSource()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG.id());
        assertThat(synonyms(configs.get("segment.ms")).get(1)).isEqualTo("log.roll.ms=70000@DYNAMIC_DEFAULT_BROKER_CONFIG");

        assertThat(configs.get("cleanup.policy").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(configs.get("cleanup.policy").readOnly()).isFalse();

        // Without the dynamic default the static hours value shows, converted to the topic's unit.
        apply(broker("", "log.retention.ms", null));
        var after = describe(ConfigResource.Type.TOPIC, "t").get("retention.ms");
        assertThat(after.value()).isEqualTo("7200000");
        assertThat(after.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
    }

    @Test
    void brokerValuesShowTheirSourcesAndReadOnlyFlags() {
        apply(broker("", "log.retention.ms", "1000"), broker("1", "log.retention.ms", "500"),
                broker("", "log.cleaner.threads", "2"));
        var configs = describe(ConfigResource.Type.BROKER, "1");

        var retention = configs.get("log.retention.ms");
        assertThat(retention.value()).isEqualTo("500");
        assertThat(retention.readOnly()).isFalse();
        assertThat(synonyms(retention)).containsExactly("log.retention.ms=500@DYNAMIC_BROKER_CONFIG",
                "log.retention.ms=1000@DYNAMIC_DEFAULT_BROKER_CONFIG", "log.retention.ms=604800000@DEFAULT_CONFIG");
        assertThat(configs.get("log.cleaner.threads").configSource())
                .isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        assertThat(configs.get("log.segment.bytes").configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(configs.get("log.segment.bytes").readOnly()).isFalse();
        assertThat(configs.get("log.flush.interval.ms").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());

        for (String staticOnly : List.of("num.partitions", "log.retention.hours", "log.dirs", "node.id")) {
            assertThat(configs.get(staticOnly).readOnly()).as(staticOnly).isTrue();
            assertThat(configs.get(staticOnly).configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        }

        var clusterDefault = describe(ConfigResource.Type.BROKER, "");
        assertThat(clusterDefault.keySet()).containsExactlyInAnyOrder("log.retention.ms", "log.cleaner.threads");
        assertThat(clusterDefault.get("log.retention.ms").value()).isEqualTo("1000");
        assertThat(clusterDefault.get("log.retention.ms").configSource())
                .isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
    }
}
