package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Fetch size limits are soft where Kafka says so (KIP-74): the first batch of a fetch is returned whole even when
 * it is larger than fetch.max.bytes or max.partition.fetch.bytes, so a consumer with small limits still makes
 * progress instead of spinning on an empty response forever.
 */
class FetchSizingTest extends BrokerPerClass {

    @Test
    void batchesLargerThanTheFetchLimitsAreStillDelivered() throws Exception {
        String topic = "sizing";
        Clients.createTopic(broker.bootstrap(), topic, 2);
        // ~16 KiB batches of small records, plus single 200 KB records.
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap(), Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 50, ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024))) {
            for (int i = 0; i < 2000; i++) {
                p.send(new ProducerRecord<>(topic, 0, "k" + i, "small-" + i + "-" + "s".repeat(40)));
            }
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>(topic, 1, "big" + i, Integer.toString(i).repeat(200_000)));
            }
            p.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of(
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024))) {
            List<ConsumerRecord<String, String>> small = Clients.readAll(consumer, new TopicPartition(topic, 0));
            assertThat(small).hasSize(2000);
            for (int i = 0; i < small.size(); i++) {
                assertThat(small.get(i).offset()).isEqualTo(i);
                assertThat(small.get(i).value()).startsWith("small-" + i + "-");
            }
            List<ConsumerRecord<String, String>> big = Clients.readAll(consumer, new TopicPartition(topic, 1));
            assertThat(big).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(big.get(i).value()).hasSize(200_000).isEqualTo(Integer.toString(i).repeat(200_000));
            }
        }
    }
}
