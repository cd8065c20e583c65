package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's start command, {@code bin/trib start}, as a user runs it: real clients produce through the broker
 * it starts, and a restart through it serves the same records. On JDK 25 and later the launcher maps an AOT cache,
 * which the first start of a build records with a training run; the training must not fail, and a later start
 * must not train again.
 */
class LauncherTest {
    private static final int RECORDS = 100;

    @Test
    void binTribStartsABrokerRealClientsUseAndRestartsItOnTheSameData(@TempDir Path dir) throws Exception {
        String topic = "launched";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrokerProcess broker = BrokerProcess.startWithLauncher(dir, Map.of())) {
            Clients.createTopic(broker.bootstrap(), topic, 1);
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                for (int i = 0; i < RECORDS; i++) {
                    assertThat(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i))
                            .get(30, TimeUnit.SECONDS).offset()).isEqualTo(i);
                }
            }
            assertThat(broker.terminate()).isZero();
            long firstStartStderrBytes = Files.size(broker.stderrFile());

            broker.launch();

            List<ConsumerRecord<String, String>> got = Clients.readAll(broker.bootstrap(), tp);
            assertThat(got).hasSize(RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                assertThat(got.get(i).key()).isEqualTo("k" + i);
                assertThat(got.get(i).value()).isEqualTo("v" + i);
            }
            int jdk = broker.jdkFeature();
            assertThat(broker.terminate()).isZero();

            String stderr = Files.readString(broker.stderrFile());
            assertThat(stderr).doesNotContain("AOT training run failed");
            assertThat(stderr.substring((int) firstStartStderrBytes)).doesNotContain("first start of this build");
            if (jdk >= 25) {
                Path target = BrokerProcess.launcher().getParent().getParent().resolve("cli").resolve("target");
                try (Stream<Path> files = Files.list(target)) {
                    assertThat(files.map(f -> f.getFileName().toString()))
                            .anyMatch(name -> name.startsWith("trib-start-" + jdk + "-")
                                    && name.endsWith(".aot"));
                }
            }
        }
    }
}
