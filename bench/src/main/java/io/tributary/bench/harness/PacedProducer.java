package io.tributary.bench.harness;

import java.nio.ByteBuffer;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A producer thread sending fixed-size records at a fixed rate, round-robin over the topic's partitions, with
 * its send time ({@link System#nanoTime()}) in the first 8 bytes of each value.
 *
 * <p>The sender and the measuring consumer run in one JVM, so nanoTime is a common clock and latency can be
 * taken to the microsecond. Round-robin by explicit partition, rather than the sticky partitioner, makes every
 * partition receive records steadily, which is what lets a rebalance measurement see each member consume.
 * Pacing works from the start time (records owed = elapsed x rate), so a stall is caught up rather than lost.
 */
final class PacedProducer implements Runnable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;
    private final int recordsPerSecond;
    private final int recordBytes;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile long sent;
    private volatile Throwable failure;

    PacedProducer(String bootstrap, String topic, int partitions, int recordsPerSecond, int recordBytes) {
        if (recordBytes < Long.BYTES || recordsPerSecond < 1 || partitions < 1) {
            throw new IllegalArgumentException("need recordBytes >= 8, a positive rate and partitions");
        }
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-paced-producer");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(config);
        this.topic = topic;
        this.partitions = partitions;
        this.recordsPerSecond = recordsPerSecond;
        this.recordBytes = recordBytes;
        this.thread = new Thread(this, "paced-producer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long sent() {
        return sent;
    }

    @Override
    public void run() {
        try {
            long startNs = System.nanoTime();
            long n = 0;
            while (!stopping) {
                long owed = (System.nanoTime() - startNs) * recordsPerSecond / 1_000_000_000L;
                while (n < owed && !stopping) {
                    byte[] value = new byte[recordBytes];
                    ByteBuffer.wrap(value).putLong(System.nanoTime());
                    producer.send(new ProducerRecord<>(topic, (int) (n % partitions), null, value), (md, e) -> {
                        if (e != null && failure == null) {
                            failure = e;
                        }
                    });
                    n++;
                }
                sent = n;
                LockSupport.parkNanos(200_000);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Stops sending and closes the producer; throws if any send failed. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join(10_000);
        producer.close();
        if (failure != null) {
            throw new IllegalStateException("producing to " + topic + " failed", failure);
        }
    }
}
