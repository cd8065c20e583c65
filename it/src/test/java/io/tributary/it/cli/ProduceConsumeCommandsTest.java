package io.tributary.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** {@code trib produce} and {@code trib consume}, each checked against a real Kafka client on the other side. */
class ProduceConsumeCommandsTest extends CliTestBase {
    static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    @Test
    void producedKeysAndValuesComeBackWithTheirOffsets() throws Exception {
        createTopic("keyed", 1);
        TribRun produced = TribRun.runWithInput(broker.bootstrap(), "k1:v1\nk2:v:2\nk3:\n", "produce", "keyed",
                "--key-separator", ":");
        assertThat(produced.exitCode()).as("%s", produced).isZero();
        assertThat(produced.out()).isEqualTo("Produced 3 record(s) to keyed\n");

        // The key really is the record key, not part of the value.
        List<ConsumerRecord<String, String>> records = readAll(new TopicPartition("keyed", 0), 3);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("k1", "k2", "k3");
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("v1", "v:2", "");

        TribRun consumed = TribRun.run(broker.bootstrap(), "consume", "keyed", "--from-beginning",
                "--max-messages", "3", "--timeout-ms", "30000", "--format", "%o %k=%s (%K/%S) %t/%p\\n");
        assertThat(consumed.exitCode()).as("%s", consumed).isZero();
        assertThat(consumed.out()).isEqualTo("0 k1=v1 (2/2) keyed/0\n1 k2=v:2 (2/3) keyed/0\n2 k3= (2/0) keyed/0\n");
        assertThat(consumed.err()).isEqualTo("Consumed 3 record(s)\n");

        TribRun plain = TribRun.run(broker.bootstrap(), "consume", "keyed", "--from-beginning", "--timeout-ms", "3000");
        assertThat(plain.exitCode()).as("%s", plain).isZero();
        assertThat(plain.out()).as("the default format is the value and a newline").isEqualTo("v1\nv:2\n\n");
    }

    @Test
    void consumeReadsEveryPartitionAndFormatsHeadersAndTimestamps() throws Exception {
        createTopic("spread", 3);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()), new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < 3; p++) {
                ProducerRecord<String, String> r = new ProducerRecord<>("spread", p, 1_000L + p, null, "v" + p);
                r.headers().add("h", ("x" + p).getBytes(StandardCharsets.UTF_8)).add("n", null);
                producer.send(r).get(30, TimeUnit.SECONDS);
            }
        }
        TribRun consumed = TribRun.run(broker.bootstrap(), "consume", "spread", "--from-beginning",
                "--timeout-ms", "3000", "--format", "%p %T [%h] %k%s 100%%\\n");
        assertThat(consumed.exitCode()).as("%s", consumed).isZero();
        assertThat(consumed.outLines()).containsExactlyInAnyOrder(
                "0 1000 [h=x0,n=] v0 100%", "1 1001 [h=x1,n=] v1 100%", "2 1002 [h=x2,n=] v2 100%");

        TribRun fromEnd = TribRun.run(broker.bootstrap(), "consume", "spread", "--timeout-ms", "1500");
        assertThat(fromEnd.exitCode()).isZero();
        assertThat(fromEnd.out()).as("without --from-beginning only new records show").isEmpty();
    }

    @Test
    void produceToOnePartitionWithAcksOne() throws Exception {
        createTopic("targeted", 2);
        TribRun produced = TribRun.runWithInput(broker.bootstrap(), "a\nb\n", "produce", "targeted", "--partition", "1",
                "--acks", "1");
        assertThat(produced.exitCode()).as("%s", produced).isZero();
        assertThat(readAll(new TopicPartition("targeted", 1), 2)).extracting(ConsumerRecord::value).containsExactly("a", "b");
        assertThat(endOffset(new TopicPartition("targeted", 0))).isZero();
    }

    @Test
    void aLineWithoutTheSeparatorStopsProduceAfterSendingTheLinesBeforeIt() throws Exception {
        createTopic("strict", 1);
        TribRun produced = TribRun.runWithInput(broker.bootstrap(), "a:1\nno separator\nb:2\n", "produce", "strict",
                "--key-separator", ":");
        assertThat(produced.exitCode()).isEqualTo(1);
        assertThat(produced.out()).isEqualTo("Produced 1 record(s) to strict\n");
        assertThat(produced.err()).isEqualTo("Error: Line 2 has no key separator ':'; it and the lines after it were not sent\n");
        assertThat(readAll(new TopicPartition("strict", 0), 1)).extracting(ConsumerRecord::value).containsExactly("1");
        assertThat(endOffset(new TopicPartition("strict", 0))).as("the line after the bad one was not sent").isEqualTo(1);
    }

    @Test
    void consumeWithAGroupCommitsWhatItPrinted() throws Exception {
        createTopic("grouped", 1);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            lines.append("m").append(i).append('\n');
        }
        assertThat(TribRun.runWithInput(broker.bootstrap(), lines.toString(), "produce", "grouped").exitCode()).isZero();

        TribRun first = TribRun.run(broker.bootstrap(), "consume", "grouped", "--group", "printer", "--from-beginning",
                "--max-messages", "2", "--timeout-ms", "30000");
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.out()).isEqualTo("m0\nm1\n");
        TopicPartition tp = new TopicPartition("grouped", 0);
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets("printer").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertThat(committed.get(tp).offset()).as("committed up to what was printed, not the whole batch").isEqualTo(2);

        TribRun rest = TribRun.run(broker.bootstrap(), "consume", "grouped", "--group", "printer", "--from-beginning",
                "--max-messages", "10", "--timeout-ms", "3000", "--format", "%o:%s\\n");
        assertThat(rest.exitCode()).as("%s", rest).isZero();
        assertThat(rest.out()).isEqualTo("2:m2\n3:m3\n4:m4\n");
        assertThat(admin.listConsumerGroupOffsets("printer").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .get(tp).offset()).isEqualTo(5);
    }

    @Test
    void consumeRejectsUnknownTopicsAndFormats() {
        TribRun unknown = TribRun.run(broker.bootstrap(), "consume", "no-such-topic", "--timeout-ms", "1000");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: Topic 'no-such-topic' does not exist\n");

        TribRun badFormat = TribRun.run(broker.bootstrap(), "consume", "no-such-topic", "--format", "%q");
        assertThat(badFormat.exitCode()).isEqualTo(2);
        assertThat(badFormat.err()).isEqualTo("Error: Bad --format: unknown token %q in format\n");

        TribRun badAcks = TribRun.runWithInput(broker.bootstrap(), "x\n", "produce", "no-such-topic", "--acks", "2");
        assertThat(badAcks.exitCode()).isEqualTo(2);
    }

    private static long endOffset(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    private static List<ConsumerRecord<String, String>> readAll(TopicPartition tp, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertThat(out).as("records of %s", tp).hasSize(expected);
            return out;
        }
    }
}
