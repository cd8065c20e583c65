package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose process is frozen for a while (a suspended VM, a laptop lid, SIGSTOP, a pathological GC) must
 * simply carry on when it resumes. Ratis' JVM pause monitor used to close the metadata server after any pause over
 * 60 s, which left the broker serving with every metadata write failing (topic creation, producer ids) until it
 * was restarted. The pause here is just over that: this test takes a little more than a minute.
 */
class PauseTest {
    private static final long PAUSE_S = 62;

    @Test
    void aBrokerFrozenForOverAMinuteResumesWithItsMetadataQuorum(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dir, Map.of());
             Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("before", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            signal(broker.pid(), "STOP");
            KafkaFuture<Void> created;
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(PAUSE_S));
            } finally {
                // A metadata write (the topic) already waiting in the socket when the broker resumes, so that it
                // races the pause monitor, which wakes at the same moment. A leader that stepped down for the
                // pause failed the write although it was in the log and committed once the node led again: the
                // client's retry then got TOPIC_ALREADY_EXISTS for its own topic.
                created = admin.createTopics(List.of(new NewTopic("after", 1, (short) 1))).all();
                Thread.sleep(200);
                signal(broker.pid(), "CONT");
            }
            created.get(30, TimeUnit.SECONDS);
            // A producer-id block (the idempotent producer's InitProducerId) is a metadata write too.
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                producer.send(new ProducerRecord<>("after", "k", "resumed")).get(30, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<String, String>> got = Clients.readAll(broker.bootstrap(), new TopicPartition("after", 0));
            assertThat(got).extracting(ConsumerRecord::value).containsExactly("resumed");
            assertThat(Files.readString(broker.stderrFile())).doesNotContain("shutting down");
            assertThat(broker.terminate()).isZero();
        }
    }

    private static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, pid).isZero();
    }
}
