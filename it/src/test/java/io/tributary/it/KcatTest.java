package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * librdkafka through kcat: a second, independent client implementation (C, its own version negotiation and
 * record batching), so the broker is not just tested against the Java client's habits. Skipped when kcat is not
 * installed locally; CI installs it.
 */
class KcatTest {
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Path kcat;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        kcat = Exec.onPath("kcat", "kafkacat").orElse(null);
        Assumptions.assumeTrue(kcat != null, "kcat/kafkacat is not on PATH");
        broker = TestBroker.start(dir, Map.of("num.partitions", "2"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void produceLinesThenConsumeThemToTheEnd() throws Exception {
        String topic = "kcat-lines";
        Clients.createTopic(broker.bootstrap(), topic, 1);
        StringBuilder plain = new StringBuilder();
        StringBuilder gzipped = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            plain.append("key-").append(i).append(":line ").append(i).append(" with spaces\n");
            gzipped.append("key-").append(100 + i).append(":line ").append(100 + i).append(" äöü\n");
        }
        kcat(plain.toString(), "-P", "-t", topic, "-p", "0", "-K", ":");
        kcat(gzipped.toString(), "-P", "-t", topic, "-p", "0", "-K", ":", "-z", "gzip");

        String out = kcat(null, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o|%k|%s\\n");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(i + "|key-" + i + "|line " + i + (i < 100 ? " with spaces" : " äöü"));
        }
        assertThat(out.lines().toList()).containsExactlyElementsOf(expected);
    }

    @Test
    void consumeWhatTheJavaClientWroteWithHeaders() throws Exception {
        String topic = "kcat-headers";
        Clients.createTopic(broker.bootstrap(), topic, 1);
        try (KafkaProducer<String, String> p = Clients.producer(broker.bootstrap())) {
            for (int i = 0; i < 10; i++) {
                RecordHeaders h = new RecordHeaders();
                h.add("h" + i, ("hv" + i).getBytes(StandardCharsets.UTF_8));
                p.send(new ProducerRecord<>(topic, 0, 1_700_000_000_000L + i, "k" + i, "v" + i, h)).get(30, TimeUnit.SECONDS);
            }
        }
        String out = kcat(null, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                "-f", "%o %k %s %T %h\\n");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(i + " k" + i + " v" + i + " " + (1_700_000_000_000L + i) + " h" + i + "=hv" + i);
        }
        assertThat(out.lines().toList()).containsExactlyElementsOf(expected);
    }

    @Test
    void metadataListing() throws Exception {
        String topic = "kcat-meta";
        Clients.createTopic(broker.bootstrap(), topic, 3);
        String out = kcat(null, "-L", "-t", topic);
        int port = broker.running().boundAddress().getPort();
        assertThat(out).contains(" 1 brokers:")
                .contains("broker " + TestBroker.NODE_ID + " at 127.0.0.1:" + port)
                .contains("topic \"" + topic + "\" with 3 partitions:");
        for (int p = 0; p < 3; p++) {
            assertThat(out).contains("partition " + p + ", leader " + TestBroker.NODE_ID + ", replicas: 1, isrs: 1");
        }
    }

    @Test
    void producingToAMissingTopicCreatesIt() throws Exception {
        String topic = "kcat-auto";
        kcat("a\nb\nc\n", "-P", "-t", topic, "-p", "0");
        String out = kcat(null, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o:%s\\n");
        assertThat(out.lines().toList()).containsExactly("0:a", "1:b", "2:c");
        String meta = kcat(null, "-L", "-t", topic);
        assertThat(meta).as("auto-created with num.partitions=2").contains("topic \"" + topic + "\" with 2 partitions:");
    }

    private static String kcat(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(kcat.toString(), "-b", broker.bootstrap()));
        cmd.addAll(List.of(args));
        Exec.Result r = Exec.run(cmd, stdin, KCAT_TIMEOUT);
        assertThat(r.exitCode()).as("kcat %s%n%s", String.join(" ", args), r).isZero();
        assertThat(r.stderr()).as("kcat %s stderr", String.join(" ", args)).doesNotContain("ERROR");
        return r.stdout();
    }
}
