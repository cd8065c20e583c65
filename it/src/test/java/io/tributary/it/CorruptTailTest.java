package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A torn or garbage tail on the active segment, as a power cut or a bad disk leaves it, found by the recovery
 * that runs when the clean-shutdown marker is missing. Recovery must cut the log back to the last valid batch:
 * everything before stays readable, the junk is gone from disk, and the next produce gets the next offset.
 */
class CorruptTailTest {
    private static final String TOPIC = "tail";
    private static final int RECORDS = 100;

    enum Damage {
        /** Random bytes: the "batch length" read from them is nonsense. */
        GARBAGE,
        /** The first half of a well-formed batch: a write cut short. */
        HALF_BATCH,
        /** A complete batch whose CRC does not match (one flipped payload byte). */
        BAD_CRC_BATCH,
        /** A batch header claiming far more bytes than the file holds. */
        OVERLONG_LENGTH
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void recoveryTruncatesTheDamagedTail(Damage damage, @TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Clients.createTopic(broker.bootstrap(), TOPIC, 1);
            try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
                for (int i = 0; i < RECORDS; i++) {
                    p.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i));
                    if (i % 10 == 9) {
                        p.flush(); // ten batches of ten
                    }
                }
            }
            broker.stop();

            Path segment = lastSegment(broker.logDir().resolve(TOPIC + "-0"));
            long validBytes = Files.size(segment);
            Files.write(segment, damage(damage), StandardOpenOption.APPEND);
            Path marker = broker.logDir().resolve(".kafka_cleanshutdown");
            assertThat(marker).as("clean shutdown leaves the marker").exists();
            Files.delete(marker);

            broker.startAgain();

            assertThat(Files.size(segment)).as("segment size after recovery").isEqualTo(validBytes);
            List<ConsumerRecord<String, String>> log = Clients.readAll(broker.bootstrap(), new TopicPartition(TOPIC, 0));
            assertThat(log).hasSize(RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                assertThat(log.get(i).offset()).isEqualTo(i);
                assertThat(log.get(i).key()).isEqualTo("k" + i);
                assertThat(log.get(i).value()).isEqualTo("v" + i);
            }
            try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
                assertThat(p.send(new ProducerRecord<>(TOPIC, 0, "k", "next")).get(30, TimeUnit.SECONDS).offset())
                        .isEqualTo(RECORDS);
            }
            assertThat(Clients.readAll(broker.bootstrap(), new TopicPartition(TOPIC, 0)))
                    .extracting(ConsumerRecord::value).hasSize(RECORDS + 1).last().isEqualTo("next");
        }
    }

    private static byte[] damage(Damage d) {
        MemoryRecords next = MemoryRecords.withRecords(RECORDS, Compression.NONE, RawRequests.values("x1", "x2", "x3"));
        byte[] batch = new byte[next.sizeInBytes()];
        next.buffer().duplicate().get(batch);
        switch (d) {
            case GARBAGE -> {
                byte[] junk = new byte[4096];
                new Random(7).nextBytes(junk);
                return junk;
            }
            case HALF_BATCH -> {
                return java.util.Arrays.copyOf(batch, batch.length / 2);
            }
            case BAD_CRC_BATCH -> {
                batch[batch.length - 1] ^= 0x5A;
                return batch;
            }
            case OVERLONG_LENGTH -> {
                ByteBuffer.wrap(batch).putInt(8, 50_000);
                return batch;
            }
            default -> throw new IllegalArgumentException(d.name());
        }
    }

    private static Path lastSegment(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.log"))
                    .max(Comparator.comparing(f -> f.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("no segment in " + partitionDir));
        }
    }
}
