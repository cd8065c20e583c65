package io.tributary.it.configs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The config APIs as a client sees them: the legacy AlterConfigs replacing a resource's whole set (and only
 * checking with validate_only), INVALID_CONFIG naming the key for bad values and unknown names, and
 * DescribeConfigs reporting the source of every value with its synonyms.
 */
class AlterConfigsTest extends BrokerPerClass {
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");
    private static final ConfigResource THIS_BROKER =
            new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(TestBroker.NODE_ID));
    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    private static Map<String, String> overrides(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        return config.entries().stream().filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
    }

    private static Config describe(ConfigResource r) throws Exception {
        return admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeSynonyms(true)).all()
                .get(30, TimeUnit.SECONDS).get(r);
    }

    private static void incremental(ConfigResource r, AlterConfigOp.OpType op, String key, String value,
                                    boolean validateOnly) throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(r,
                List.of(new AlterConfigOp(new ConfigEntry(key, value), op)));
        admin.incrementalAlterConfigs(ops, new AlterConfigsOptions().validateOnly(validateOnly)).all()
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void legacyAlterConfigsReplacesTheWholeSet() throws Exception {
        Clients.createTopic(broker.bootstrap(), "replace", 1,
                Map.of("retention.ms", "3600000", "segment.ms", "600000", "cleanup.policy", "delete"));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replace");
        try (LegacyAlterConfigsClient legacy = new LegacyAlterConfigsClient(broker.bootstrap())) {
            var ok = legacy.alter(topic, Map.of("retention.ms", "7200000", "max.message.bytes", "2000"), false);
            assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(overrides("replace")).as("segment.ms and cleanup.policy were not in the request")
                    .isEqualTo(Map.of("retention.ms", "7200000", "max.message.bytes", "2000"));
            assertThat(broker.running().logManager().log(new org.apache.kafka.common.TopicPartition("replace", 0))
                    .config().segmentMs()).as("the live log lost the override too").isEqualTo(604_800_000L);

            var dry = legacy.alter(topic, Map.of("segment.ms", "1000"), true);
            assertThat(dry.errorCode()).isEqualTo(Errors.NONE.code());
            var dryBad = legacy.alter(topic, Map.of("segment.ms", "0"), true);
            assertThat(dryBad.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
            assertThat(dryBad.errorMessage()).contains("segment.ms");
            assertThat(overrides("replace")).as("validate_only changes nothing")
                    .isEqualTo(Map.of("retention.ms", "7200000", "max.message.bytes", "2000"));

            var empty = legacy.alter(topic, Map.of(), false);
            assertThat(empty.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(overrides("replace")).isEmpty();

            var unknown = legacy.alter(topic, Map.of("retention.ms", "1", "retention.forever", "yes"), false);
            assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
            assertThat(unknown.errorMessage()).contains("retention.forever");
            assertThat(overrides("replace")).isEmpty();

            var brokerDefault = legacy.alter(CLUSTER_DEFAULT, Map.of("log.cleaner.threads", "2"), false);
            assertThat(brokerDefault.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(describe(CLUSTER_DEFAULT).get("log.cleaner.threads").value()).isEqualTo("2");
            legacy.alter(CLUSTER_DEFAULT, Map.of(), false);
            assertThat(describe(CLUSTER_DEFAULT).entries()).isEmpty();
        }
    }

    @Test
    void invalidValuesAndUnknownKeysAreInvalidConfigNamingTheKey() throws Exception {
        Clients.createTopic(broker.bootstrap(), "strict", 1);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "strict");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("retention.ms", "-5");
        bad.put("segment.bytes", "1000");
        bad.put("cleanup.policy", "shred");
        bad.put("min.insync.replicas", "0");
        bad.put("max.message.bytes", "big");
        bad.put("message.timestamp.type", "WallClock");
        bad.put("message.timestamp.before.max.ms", "-1");
        bad.put("message.timestamp.after.max.ms", "-1");
        bad.put("compression.type", "brotli");
        bad.put("compression.gzip.level", "0");
        bad.put("compression.zstd.level", "23");
        bad.put("index.interval.bytes", "-1");
        bad.put("file.delete.delay.ms", "-1");
        bad.put("delete.retention.ms", "-1");
        bad.put("min.cleanable.dirty.ratio", "1.5");
        bad.put("min.compaction.lag.ms", "-1");
        bad.put("max.compaction.lag.ms", "0");
        bad.put("segment.ms", "0");
        bad.put("retention.bytes", "lots");
        bad.put("no.such.config", "1");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            for (boolean validateOnly : List.of(true, false)) {
                assertInvalid(() -> incremental(topic, AlterConfigOp.OpType.SET, e.getKey(), e.getValue(),
                        validateOnly), e.getKey());
            }
        }
        assertInvalid(() -> incremental(CLUSTER_DEFAULT, AlterConfigOp.OpType.SET, "log.retention.ms", "soon",
                false), "log.retention.ms");
        assertInvalid(() -> incremental(THIS_BROKER, AlterConfigOp.OpType.SET, "log.cleaner.threads", "0", false),
                "log.cleaner.threads");
        assertInvalid(() -> incremental(THIS_BROKER, AlterConfigOp.OpType.SET, "num.partitions", "4", false),
                "num.partitions");
        assertInvalid(() -> incremental(THIS_BROKER, AlterConfigOp.OpType.SET, "log.retention.fortnights", "1",
                false), "log.retention.fortnights");
        assertThat(overrides("strict")).isEmpty();
        assertThat(describe(THIS_BROKER).get("num.partitions").value()).isEqualTo("1");
    }

    private static void assertInvalid(ThrowingRunnable call, String key) {
        assertThatThrownBy(call::run).as(key).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(key);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void describeConfigsShowsTheSourceOfEveryValue() throws Exception {
        Clients.createTopic(broker.bootstrap(), "sources", 1, Map.of("segment.ms", "600000"));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "sources");
        incremental(CLUSTER_DEFAULT, AlterConfigOp.OpType.SET, "log.retention.ms", "86400000", false);
        incremental(CLUSTER_DEFAULT, AlterConfigOp.OpType.SET, "log.cleaner.min.cleanable.ratio", "0.3", false);
        incremental(THIS_BROKER, AlterConfigOp.OpType.SET, "log.cleaner.min.cleanable.ratio", "0.4", false);
        incremental(topic, AlterConfigOp.OpType.SET, "segment.ms", "600000", true);
        try {
            Config t = describe(topic);
            assertSource(t.get("segment.ms"), "600000", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertSource(t.get("retention.ms"), "86400000", ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertSource(t.get("min.cleanable.dirty.ratio"), "0.4", ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
            assertThat(t.get("min.cleanable.dirty.ratio").synonyms()).extracting(ConfigEntry.ConfigSynonym::name,
                    ConfigEntry.ConfigSynonym::value, ConfigEntry.ConfigSynonym::source).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("log.cleaner.min.cleanable.ratio", "0.4",
                            ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG),
                    org.assertj.core.groups.Tuple.tuple("log.cleaner.min.cleanable.ratio", "0.3",
                            ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
                    org.assertj.core.groups.Tuple.tuple("min.cleanable.dirty.ratio", "0.5",
                            ConfigEntry.ConfigSource.DEFAULT_CONFIG));
            assertSource(t.get("cleanup.policy"), "delete", ConfigEntry.ConfigSource.DEFAULT_CONFIG);
            assertThat(broker.running().logManager().log(new org.apache.kafka.common.TopicPartition("sources", 0))
                    .config().minCleanableDirtyRatio()).isEqualTo(0.4);

            Config b = describe(THIS_BROKER);
            assertSource(b.get("log.cleaner.min.cleanable.ratio"), "0.4", ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
            assertSource(b.get("log.retention.ms"), "86400000", ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(b.get("log.retention.ms").isReadOnly()).isFalse();
            assertSource(b.get("num.partitions"), "1", ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
            assertThat(b.get("num.partitions").isReadOnly()).isTrue();
            assertThat(b.get("log.dirs").isReadOnly()).isTrue();
            assertSource(b.get("log.flush.interval.ms"), Long.toString(Long.MAX_VALUE),
                    ConfigEntry.ConfigSource.DEFAULT_CONFIG);

            Config d = describe(CLUSTER_DEFAULT);
            assertThat(d.entries()).extracting(ConfigEntry::name)
                    .containsExactlyInAnyOrder("log.retention.ms", "log.cleaner.min.cleanable.ratio");
            assertSource(d.get("log.cleaner.min.cleanable.ratio"), "0.3",
                    ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        } finally {
            incremental(CLUSTER_DEFAULT, AlterConfigOp.OpType.DELETE, "log.retention.ms", null, false);
            incremental(CLUSTER_DEFAULT, AlterConfigOp.OpType.DELETE, "log.cleaner.min.cleanable.ratio", null, false);
            incremental(THIS_BROKER, AlterConfigOp.OpType.DELETE, "log.cleaner.min.cleanable.ratio", null, false);
        }
    }

    private static void assertSource(ConfigEntry entry, String value, ConfigEntry.ConfigSource source) {
        assertThat(entry).isNotNull();
        assertThat(entry.value()).as(entry.name()).isEqualTo(value);
        assertThat(entry.source()).as(entry.name()).isEqualTo(source);
    }
}
