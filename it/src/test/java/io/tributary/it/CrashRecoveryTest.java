package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker process in the middle of an acks=all stream, then a restart on the same data.
 *
 * <p>The contract: every record the producer saw acknowledged is there after the restart, at the offset the ack
 * named, exactly once and in send order; whatever was in flight at the kill may be there or not, but the log is
 * a contiguous, readable prefix. With {@code log.flush.interval.messages=1} an ack means the data was fsynced.
 * With default flushing it only reached the page cache, which a process kill does not lose, so acked records must
 * survive there too (only a machine crash could lose them, which a test on one machine cannot produce).
 */
class CrashRecoveryTest {
    private static final int PARTITIONS = 3;
    private static final boolean SLOW = Boolean.getBoolean("trib.slow");

    record Ack(int partition, long offset, long value) {
    }

    @Test
    void ackedRecordsSurviveKillWithFsyncPerMessage(@TempDir Path dir) throws Exception {
        crashAndRecover(dir, Map.of("log.flush.interval.messages", "1"), SLOW ? 6 : 2);
    }

    @Test
    void logIsAValidPrefixAfterKillWithDefaultFlushing(@TempDir Path dir) throws Exception {
        crashAndRecover(dir, Map.of(), SLOW ? 6 : 2);
    }

    private static void crashAndRecover(Path dir, Map<String, String> overrides, int rounds) throws Exception {
        Map<String, String> settings = new HashMap<>(overrides);
        // Kafka's smallest segment size, so the longer runs also kill around segment rolls.
        settings.put("log.segment.bytes", Integer.toString(1024 * 1024));
        String topic = "crash";
        Set<Ack> acked = new HashSet<>();
        long nextValue = 0;
        try (BrokerProcess broker = BrokerProcess.start(dir, settings)) {
            Clients.createTopic(broker.bootstrap(), topic, PARTITIONS);
            for (int round = 0; round < rounds; round++) {
                List<Ack> roundAcks = new ArrayList<>();
                long t0 = System.nanoTime();
                nextValue = produceUntilKilled(broker, topic, nextValue, roundAcks);
                acked.addAll(roundAcks);
                assertThat(roundAcks).as("acks before the kill in round %d", round).hasSizeGreaterThan(100);
                long t1 = System.nanoTime();
                broker.launch();
                long t2 = System.nanoTime();
                verifyLog(broker.bootstrap(), topic, acked);
                System.out.printf("CrashRecoveryTest round %d: produce+kill %d ms, restart %d ms, verify %d ms%n",
                        round, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
            }
            // The recovered log takes new writes at the next offset.
            try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
                for (int part = 0; part < PARTITIONS; part++) {
                    TopicPartition tp = new TopicPartition(topic, part);
                    long end;
                    try (var c = Clients.consumer(broker.bootstrap())) {
                        end = c.endOffsets(List.of(tp), Clients.TIMEOUT).get(tp);
                    }
                    long offset = p.send(new ProducerRecord<>(topic, part, null, "after-recovery"))
                            .get(30, TimeUnit.SECONDS).offset();
                    assertThat(offset).as("first offset after recovery in %s", tp).isEqualTo(end);
                }
            }
            assertThat(broker.terminate()).isZero();
        }
    }

    /**
     * Streams records with increasing values, round-robin over the partitions, and kills the broker once a few
     * thousand acks are in (or after 3 s), while sends are still in flight. Returns the next unused value.
     */
    private static long produceUntilKilled(BrokerProcess broker, String topic, long firstValue, List<Ack> acks)
            throws Exception {
        ConcurrentLinkedQueue<Ack> queue = new ConcurrentLinkedQueue<>();
        AtomicInteger ackCount = new AtomicInteger();
        long value = firstValue;
        KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 8192,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 6000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 4 * 1024 * 1024));
        try {
            long killAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            boolean killed = false;
            long stopAt = Long.MAX_VALUE;
            while (System.nanoTime() < stopAt) {
                int partition = (int) (value % PARTITIONS);
                long v = value++;
                try {
                    producer.send(new ProducerRecord<>(topic, partition, null, Long.toString(v)), (md, e) -> {
                        if (e == null) {
                            queue.add(new Ack(md.partition(), md.offset(), v));
                            ackCount.incrementAndGet();
                        }
                    });
                } catch (org.apache.kafka.common.KafkaException e) {
                    break; // buffer full and the broker is gone
                }
                if (!killed && (ackCount.get() >= 20_000 || System.nanoTime() > killAt)) {
                    broker.kill();
                    killed = true;
                    // Keep sending a little so the producer has requests in flight to a dead broker.
                    stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                }
                if ((v & 255) == 0 && !killed) {
                    Thread.sleep(1); // let acks flow; the point is a stream, not a flood
                }
            }
        } finally {
            // Abort whatever is still queued: those records are simply unacknowledged.
            producer.close(Duration.ZERO);
        }
        acks.addAll(queue);
        return value;
    }

    private static void verifyLog(String bootstrap, String topic, Set<Ack> acked) {
        Map<Integer, Map<Long, Long>> valueAt = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        for (int part = 0; part < PARTITIONS; part++) {
            Map<Long, Long> byOffset = new HashMap<>();
            List<ConsumerRecord<String, String>> log = Clients.readAll(bootstrap, new TopicPartition(topic, part));
            int p = part;
            long highestAcked = acked.stream().filter(a -> a.partition() == p).mapToLong(Ack::offset).max().orElse(-1);
            // Stated on its own so a stale high watermark (end offset hiding acked data) is named as such.
            assertThat((long) log.size()).as("records readable in partition %d after recovery (end offset) vs the "
                    + "highest acknowledged offset %d", part, highestAcked).isGreaterThan(highestAcked);
            long previous = -1;
            for (int k = 0; k < log.size(); k++) {
                ConsumerRecord<String, String> r = log.get(k);
                assertThat(r.offset()).as("offsets in partition %d are contiguous from 0", part).isEqualTo(k);
                long v = Long.parseLong(r.value());
                assertThat(v % PARTITIONS).as("value %d belongs to partition %d", v, part).isEqualTo(part);
                assertThat(v).as("send order in partition %d at offset %d", part, k).isGreaterThan(previous);
                assertThat(seen.add(v)).as("value %d appears once", v).isTrue();
                previous = v;
                byOffset.put(r.offset(), v);
            }
            valueAt.put(part, byOffset);
        }
        int missing = 0;
        List<String> examples = new ArrayList<>();
        for (Ack a : acked) {
            Long v = valueAt.get(a.partition()).get(a.offset());
            if (v == null || v != a.value()) {
                missing++;
                if (examples.size() < 10) {
                    examples.add(a + " found " + v);
                }
            }
        }
        System.out.printf("CrashRecoveryTest: %d acked records, %d in the log after recovery%n", acked.size(), seen.size());
        assertThat(missing).as("acknowledged records lost or moved, e.g. %s", examples).isZero();
    }
}
