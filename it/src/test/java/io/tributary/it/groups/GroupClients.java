package io.tributary.it.groups;

import io.tributary.it.Clients;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Group members and the records they consume. Members use the given {@link GroupProtocol}, never auto-commit (each
 * test decides when offsets are committed) and start from the earliest offset; records name the offset they must
 * be found at.
 */
final class GroupClients {
    private GroupClients() {
    }

    static Map<String, Object> consumerProps(String bootstrap, String groupId, GroupProtocol protocol,
                                             Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>(Clients.consumerProps(bootstrap, Map.of()));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.putAll(protocol.settings());
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30_000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(overrides);
        return p;
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String groupId, GroupProtocol protocol,
                                                  Map<String, Object> overrides) {
        return new KafkaConsumer<>(consumerProps(bootstrap, groupId, protocol, overrides));
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return Clients.producer(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5));
    }

    /**
     * Writes {@code count} records to a fresh topic, record i to partition {@code i % partitions} with value
     * {@code "<partition>-<i / partitions>"}: the value names the offset the record must land at, so a consumer
     * can check it got the right record at the right place ({@link Ledger}).
     */
    static void produce(String bootstrap, String topic, int partitions, int count) throws Exception {
        produce(bootstrap, topic, partitions, count, 0);
    }

    /** Appends {@code count} more records to partitions that each already hold {@code fromOffset} records. */
    static void produce(String bootstrap, String topic, int partitions, int count, long fromOffset) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (int i = 0; i < count && failure.get() == null; i++) {
                int p = i % partitions;
                producer.send(new ProducerRecord<>(topic, p, null, p + "-" + (fromOffset + i / partitions)), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new AssertionError("producing to " + topic + " failed", failure.get());
        }
    }
}
