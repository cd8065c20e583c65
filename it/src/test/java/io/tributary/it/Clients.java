package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Real Kafka clients configured the way these tests use them: producers with the client defaults (idempotent,
 * acks=all) unless a test says otherwise, and consumers that never auto-commit and start from the earliest offset.
 * Consumers made here have no group unless a test adds one; group members are set up by the groups package.
 */
public final class Clients {
    /** Long enough for a slow CI machine, short enough that a hung broker fails the test rather than the build. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Clients() {
    }

    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000));
    }

    public static Map<String, Object> producerProps(String bootstrap, Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.putAll(overrides);
        return p;
    }

    public static Map<String, Object> consumerProps(String bootstrap, Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(overrides);
        return p;
    }

    public static KafkaProducer<String, String> producer(String bootstrap) {
        return producer(bootstrap, Map.of());
    }

    public static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> overrides) {
        return new KafkaProducer<>(producerProps(bootstrap, overrides), new StringSerializer(), new StringSerializer());
    }

    public static KafkaConsumer<String, String> consumer(String bootstrap) {
        return consumer(bootstrap, Map.of());
    }

    public static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, Object> overrides) {
        return new KafkaConsumer<>(consumerProps(bootstrap, overrides), new StringDeserializer(), new StringDeserializer());
    }

    public static void createTopic(String bootstrap, String name, int partitions) throws Exception {
        createTopic(bootstrap, name, partitions, Map.of());
    }

    public static void createTopic(String bootstrap, String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** A group's committed offsets as the Admin API lists them (what {@code kafka-consumer-groups.sh} shows). */
    public static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, om) -> {
                    if (om != null) {
                        out.put(tp, om.offset());
                    }
                });
        return out;
    }

    /** Everything from offset 0 up to the log end offset at the time of the call, in offset order. */
    public static List<ConsumerRecord<String, String>> readAll(String bootstrap, TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            return readAll(consumer, tp);
        }
    }

    public static <K, V> List<ConsumerRecord<K, V>> readAll(KafkaConsumer<K, V> consumer, TopicPartition tp) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, 0);
        long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.position(tp, TIMEOUT) < end) {
            assertThat(System.nanoTime()).as("reading %s up to offset %d, got %d records", tp, end, out.size())
                    .isLessThan(deadline);
            for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(500))) {
                out.add(r);
            }
        }
        return out;
    }
}
