package io.tributary.it;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Run by {@link OldClientTest} in a child JVM whose classpath has an older kafka-clients jar instead of the 4.x
 * one: compiled against 4.x, so it uses only API that exists unchanged in 3.x. Produces records (lz4-compressed,
 * so the old codec jars are exercised too), reads them back with assign/seek, and exits 0 only if every record
 * came back in order.
 *
 * <p>Arguments: bootstrap servers, topic, record count.
 */
public final class OldClientMain {
    private OldClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        TopicPartition tp = new TopicPartition(topic, 0);

        Properties pp = new Properties();
        pp.put("bootstrap.servers", bootstrap);
        pp.put("acks", "all");
        pp.put("compression.type", "lz4");
        pp.put("linger.ms", "5");
        long lastOffset = -1;
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "old-" + i)));
            }
            producer.flush();
            for (int i = 0; i < count; i++) {
                long offset = sent.get(i).get(30, TimeUnit.SECONDS).offset();
                if (offset != i) {
                    fail("record " + i + " acknowledged at offset " + offset);
                }
                lastOffset = offset;
            }
        }

        Properties cp = new Properties();
        cp.put("bootstrap.servers", bootstrap);
        cp.put("enable.auto.commit", "false");
        int consumed = 0;
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Collections.singletonList(tp));
            consumer.seekToBeginning(Collections.singletonList(tp));
            long deadline = System.currentTimeMillis() + 60_000;
            while (consumed < count) {
                if (System.currentTimeMillis() > deadline) {
                    fail("consumed only " + consumed + " of " + count);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() != consumed || !r.value().equals("old-" + consumed)
                            || !r.key().equals("k" + consumed)) {
                        fail("at " + consumed + " got offset " + r.offset() + " " + r.key() + "=" + r.value());
                    }
                    consumed++;
                }
            }
            consumer.seek(tp, count / 2);
            List<ConsumerRecord<String, String>> again = consumer.poll(Duration.ofSeconds(10)).records(tp);
            if (again.isEmpty() || again.get(0).offset() != count / 2) {
                fail("seek to " + count / 2 + " returned " + (again.isEmpty() ? "nothing" : again.get(0).offset()));
            }
        }
        System.out.println("old-client " + clientVersion() + " produced " + count + " (last offset "
                + lastOffset + ") consumed " + consumed);
        System.exit(0);
    }

    /** From the properties file every kafka-clients jar carries (the Java API for it moved between versions). */
    private static String clientVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return p.getProperty("version", "unknown");
    }

    private static void fail(String message) {
        System.out.println("old-client FAILED: " + message);
        System.exit(1);
    }
}
