package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Page-cache prefill seen from outside: a real producer writing fast leaves zeros past the log end of the active
 * segment (see storage's LogSegment), a kill -9 leaves them on disk, and the restarted broker cuts exactly them:
 * every acknowledged record is read back by a real consumer, and the next produce gets the next offset.
 */
class PrefillCrashTest {
    private static final int MIB = 1 << 20;

    @Test
    void zerosAheadOfAFastLogSurviveAKillAndRecoveryCutsOnlyThem(@TempDir Path dir) throws Exception {
        String topic = "prefill";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrokerProcess broker = BrokerProcess.start(dir, Map.of())) {
            Clients.createTopic(broker.bootstrap(), topic, 1);
            int records = 5_000;
            String value = "v".repeat(1000);
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap(), Map.of(
                    ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 16384))) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < records; i++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, 0, Integer.toString(i), value)));
                }
                for (int i = 0; i < records; i++) {
                    assertThat(acks.get(i).get(30, TimeUnit.SECONDS).offset()).isEqualTo(i);
                }
            }
            Path segment = broker.logDir().resolve(topic + "-0").resolve("00000000000000000000.log");
            long withZeros = Files.size(segment);
            assertThat(withZeros).as("a fast log's file ends on a prefilled 1 MiB chunk").isGreaterThan(4L * MIB);
            assertThat(withZeros % MIB).isZero();

            broker.kill();
            broker.launch();

            long recovered = Files.size(segment);
            assertThat(recovered).isLessThan(withZeros).isGreaterThan(withZeros - MIB);
            List<ConsumerRecord<String, String>> got = Clients.readAll(broker.bootstrap(), tp);
            assertThat(got).hasSize(records);
            for (int i = 0; i < records; i++) {
                assertThat(got.get(i).offset()).isEqualTo(i);
                assertThat(got.get(i).key()).isEqualTo(Integer.toString(i));
                assertThat(got.get(i).value()).isEqualTo(value);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                assertThat(producer.send(new ProducerRecord<>(topic, 0, null, "after")).get(30, TimeUnit.SECONDS)
                        .offset()).isEqualTo(records);
            }
            assertThat(broker.terminate()).isZero();
        }
    }
}
