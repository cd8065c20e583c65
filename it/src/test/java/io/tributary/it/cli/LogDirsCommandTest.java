package io.tributary.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.Clients;
import io.tributary.it.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code trib logdirs} against the test broker's single log directory: the disk numbers are checked against the
 * file store of that directory and the partition sizes against the segment files on disk.
 */
class LogDirsCommandTest extends CliTestBase {
    private static final String NODE = Integer.toString(TestBroker.NODE_ID);

    @Test
    void showsDiskSpaceAndPartitionSizes() throws Exception {
        admin.createTopics(List.of(new NewTopic("sized", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("sized", 0, "k" + i, "value-" + i + "-" + "x".repeat(100)));
            }
            producer.flush();
        }
        Path logDir = broker.logDir();
        String dir = logDir.toAbsolutePath().toString();

        TribRun run = TribRun.run(broker.bootstrap(), "logdirs");
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.outLines().get(0)).matches(
                "BROKER\\s+DIR\\s+TOTAL-BYTES\\s+USABLE-BYTES\\s+USED-BYTES\\s+PARTITIONS\\s+LOG-BYTES\\s+STATUS");
        List<String> dirRow = run.row(NODE, dir);
        long total = Long.parseLong(dirRow.get(2));
        long usable = Long.parseLong(dirRow.get(3));
        assertThat(total).isEqualTo(Files.getFileStore(logDir).getTotalSpace());
        assertThat(usable).isPositive().isLessThanOrEqualTo(total);
        assertThat(Long.parseLong(dirRow.get(4))).isEqualTo(total - usable);
        assertThat(dirRow.get(7)).isEqualTo("online");

        long sized0 = segmentBytes(logDir.resolve("sized-0"));
        assertThat(sized0).isGreaterThan(50 * 100);
        assertThat(run.row(NODE, dir, "sized", "0")).containsExactly(NODE, dir, "sized", "0", Long.toString(sized0));
        assertThat(run.row(NODE, dir, "sized", "1")).containsExactly(NODE, dir, "sized", "1", "0");
        assertThat(Long.parseLong(dirRow.get(6))).as("LOG-BYTES sums the partitions").isGreaterThanOrEqualTo(sized0);

        TribRun one = TribRun.run(broker.bootstrap(), "logdirs", "--broker", NODE);
        assertThat(one.exitCode()).as("%s", one).isZero();
        assertThat(one.row(NODE, dir, "sized", "0")).containsExactly(NODE, dir, "sized", "0", Long.toString(sized0));

        TribRun unknown = TribRun.run(broker.bootstrap(), "logdirs", "--broker", "7");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: Broker 7 is not in the cluster (brokers: " + NODE + ")\n");
    }

    private static long segmentBytes(Path partitionDir) throws Exception {
        try (Stream<Path> files = Files.list(partitionDir)) {
            long total = 0;
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
