package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Fetch long polling, seen from a real consumer: a waiting fetch must be woken by a produce (not sit out its full
 * fetch.max.wait.ms), and a fetch that cannot reach fetch.min.bytes must still be answered once max wait passes.
 */
class LongPollTest extends BrokerPerClass {

    @Test
    void produceWakesAWaitingFetch() throws Exception {
        String topic = "long-poll-wake";
        Clients.createTopic(broker.bootstrap(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(),
                Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5000, ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1));
             KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            // Let the consumer's first fetch reach the broker and park there.
            assertThat(consumer.poll(Duration.ofMillis(1000)).count()).isZero();
            producer.partitionsFor(topic); // metadata now, so the send below is not delayed by a lookup

            CompletableFuture<Long> sentAtNanos = CompletableFuture.supplyAsync(() -> {
                sleep(500);
                long t = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, 0, "k", "wake-up"));
                producer.flush();
                return t;
            });
            ConsumerRecord<String, String> received = null;
            long receivedAtNanos = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (received == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    receivedAtNanos = System.nanoTime();
                    received = r;
                }
            }
            assertThat(received).as("record produced while the consumer long-polls").isNotNull();
            assertThat(received.value()).isEqualTo("wake-up");
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(receivedAtNanos - sentAtNanos.get());
            System.out.printf("LongPollTest: send-to-receive %d ms with fetch.max.wait.ms=5000%n", latencyMs);
            assertThat(latencyMs).as("send-to-receive latency (ms) with fetch.max.wait.ms=5000").isLessThan(2500);
        }
    }

    @Test
    void fetchBelowMinBytesIsAnsweredAfterMaxWait() throws Exception {
        String topic = "long-poll-min-bytes";
        Clients.createTopic(broker.bootstrap(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "tiny")).get(30, TimeUnit.SECONDS);
        }
        int waitMaxMs = 1500;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of(
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, waitMaxMs,
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1024 * 1024))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            long t0 = System.nanoTime();
            ConsumerRecord<String, String> received = null;
            while (received == null && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    received = r;
                }
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(received).as("a record below fetch.min.bytes must still arrive after max wait").isNotNull();
            assertThat(received.value()).isEqualTo("tiny");
            // The broker held the fetch for (about) max wait because 1 MiB was not available...
            assertThat(elapsedMs).as("ms until a 1 MiB min-bytes fetch returned a tiny record")
                    .isGreaterThanOrEqualTo(waitMaxMs - 300L)
                    // ...and then answered instead of waiting forever.
                    .isLessThan(waitMaxMs + 5000L);
        }
    }

    @Test
    void idleFetchOnAnEmptyPartitionReturnsAfterMaxWait() throws Exception {
        String topic = "long-poll-idle";
        Clients.createTopic(broker.bootstrap(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        int waitMaxMs = 1000;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap(), Map.of(
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, waitMaxMs,
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1024 * 1024))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(5500)) {
                assertThat(consumer.poll(Duration.ofMillis(500)).count()).isZero();
            }
            // A client cannot see one fetch's duration through poll(), but its fetch metrics can: several fetches
            // completed, each after about max wait. A broker that parked the fetch forever would show none.
            double fetches = metric(consumer, "fetch-total");
            double latencyMaxMs = metric(consumer, "fetch-latency-max");
            double latencyAvgMs = metric(consumer, "fetch-latency-avg");
            System.out.printf("LongPollTest idle: %.0f fetches, latency avg %.0f ms max %.0f ms%n",
                    fetches, latencyAvgMs, latencyMaxMs);
            assertThat(fetches).as("completed fetches in 5.5 s with max wait %d ms", waitMaxMs).isBetween(3.0, 7.0);
            assertThat(latencyAvgMs).as("average fetch latency (ms)").isBetween(waitMaxMs - 100.0, waitMaxMs + 1000.0);
        }
    }

    private static double metric(KafkaConsumer<?, ?> consumer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
            if (e.getKey().group().equals("consumer-fetch-manager-metrics") && e.getKey().name().equals(name)
                    && !e.getKey().tags().containsKey("topic")) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no consumer metric " + name);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
