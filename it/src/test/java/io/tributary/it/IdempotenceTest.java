package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once, in-order delivery from the default (idempotent) producer when its requests really are retried:
 * a {@link ChaosProxy} cuts connections after the broker appended a batch but before the producer saw the ack.
 * A second test replays a batch byte for byte over a raw socket, and sends a sequence gap, to pin down the
 * broker's answers without depending on client retry timing.
 */
class IdempotenceTest {
    @TempDir
    static Path dir;
    static ChaosProxy proxy;
    static TestBroker broker;
    static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        proxy = ChaosProxy.bind();
        broker = TestBroker.start(dir, Map.of("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port()));
        proxy.start(broker.running().boundAddress());
        bootstrap = "127.0.0.1:" + proxy.port();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        broker.close();
    }

    @Test
    void retriedBatchesAreWrittenOnceInOrder() throws Exception {
        String topic = "idem";
        int partitions = 3;
        int count = 30_000;
        Clients.createTopic(bootstrap, topic, partitions);
        AtomicReference<Exception> firstError = new AtomicReference<>();
        double retries;
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.BATCH_SIZE_CONFIG, 1024,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20,
                ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 20,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000))) {
            assertThat(producer.partitionsFor(topic)).hasSize(partitions);
            proxy.unleash(20240601L, 25, 200, 3_000);
            for (int i = 0; i < count && firstError.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, Integer.toString(i)), (md, e) -> {
                    if (e != null) {
                        firstError.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            proxy.calm();
            retries = metric(producer, "record-retry-total");
        }
        System.out.printf("IdempotenceTest: %d connections cut, %.0f record retries%n", proxy.cuts(), retries);
        assertThat(firstError.get()).as("first failed send").isNull();
        assertThat(proxy.cuts()).as("connections cut mid-response").isGreaterThanOrEqualTo(5);
        assertThat(retries).as("records the producer had to send again").isPositive();

        for (int p = 0; p < partitions; p++) {
            List<ConsumerRecord<String, String>> records = Clients.readAll(bootstrap, new TopicPartition(topic, p));
            assertThat(records).as("partition %d record count (duplicates or losses?)", p).hasSize(count / partitions);
            for (int k = 0; k < records.size(); k++) {
                assertThat(records.get(k).offset()).isEqualTo(k);
                assertThat(records.get(k).value()).as("partition %d offset %d", p, k)
                        .isEqualTo(Integer.toString(k * partitions + p));
            }
        }
    }

    @Test
    void replayedBatchIsAcknowledgedWithoutBeingAppendedAgain() throws Exception {
        String topic = "idem-raw";
        Clients.createTopic(bootstrap, topic, 1);
        try (RawConnection c = RawConnection.open(broker.running().boundAddress())) {
            InitProducerIdResponse init = c.roundTrip(RawRequests.initProducerId());
            assertThat(init.error()).isEqualTo(Errors.NONE);
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            assertThat(pid).isNotNegative();

            MemoryRecords first = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, 0,
                    RawRequests.values("a", "b", "c"));
            PartitionProduceResponse r1 = produce(c, topic, RawRequests.copy(first));
            assertThat(Errors.forCode(r1.errorCode())).isEqualTo(Errors.NONE);
            assertThat(r1.baseOffset()).isZero();

            PartitionProduceResponse replay = produce(c, topic, RawRequests.copy(first));
            assertThat(Errors.forCode(replay.errorCode())).as("a duplicate is acknowledged, not an error")
                    .isEqualTo(Errors.NONE);
            assertThat(replay.baseOffset()).as("the duplicate's original offset").isZero();

            PartitionProduceResponse gap = produce(c, topic, MemoryRecords.withIdempotentRecords(Compression.NONE,
                    pid, epoch, 10, RawRequests.values("gap")));
            assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);

            PartitionProduceResponse next = produce(c, topic, MemoryRecords.withIdempotentRecords(Compression.NONE,
                    pid, epoch, 3, RawRequests.values("d", "e")));
            assertThat(Errors.forCode(next.errorCode())).isEqualTo(Errors.NONE);
            assertThat(next.baseOffset()).isEqualTo(3);
        }
        List<ConsumerRecord<String, String>> log = Clients.readAll(bootstrap, new TopicPartition(topic, 0));
        assertThat(log).extracting(ConsumerRecord::value).containsExactly("a", "b", "c", "d", "e");
        assertThat(log).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    private static PartitionProduceResponse produce(RawConnection c, String topic, MemoryRecords records)
            throws Exception {
        ProduceResponse response = c.roundTrip(RawRequests.produce(topic, 0, records));
        return RawRequests.onlyPartition(response);
    }

    private static double metric(KafkaProducer<?, ?> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().group().equals("producer-metrics") && e.getKey().name().equals(name)) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no producer metric " + name);
    }
}
