package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import io.tributary.it.Exec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * librdkafka's balanced consumer ({@code kcat -G}) is an independent implementation of the classic group protocol
 * (its own JoinGroup/SyncGroup versions, assignor and offset commit on close), so it checks the coordinator
 * against more than the Java client's habits. Skipped when kcat is not installed; CI installs it.
 */
class KcatGroupTest extends BrokerPerClass {
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);

    static Path kcat;

    @BeforeAll
    static void findKcat() {
        kcat = Exec.onPath("kcat", "kafkacat").orElse(null);
        Assumptions.assumeTrue(kcat != null, "kcat/kafkacat is not on PATH");
    }

    @Test
    void kcatBalancedConsumerReadsEverythingAndCommitsWhatTheAdminThenSees() throws Exception {
        String topic = "kcat-group-topic";
        String group = "kcat-group";
        int partitions = 4;
        int perPartition = 500;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        GroupClients.produce(broker.bootstrap(), topic, partitions, partitions * perPartition);

        Ledger first = consumeWithKcat(group, topic);
        Map<Integer, Long> ends = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            ends.put(p, (long) perPartition);
        }
        first.assertExactlyOnceInOrder(ends);
        assertThat(committed(group)).isEqualTo(expectedCommits(topic, ends));

        // A second run of the group resumes from those commits: only the new records.
        GroupClients.produce(broker.bootstrap(), topic, partitions, partitions * 100, perPartition);
        Ledger second = consumeWithKcat(group, topic);
        for (int p = 0; p < partitions; p++) {
            assertThat(Ledger.sequenceProblem(second.offsets(p), perPartition, perPartition + 100))
                    .as("second run, partition %d", p).isNull();
            ends.put(p, perPartition + 100L);
        }
        assertThat(committed(group)).isEqualTo(expectedCommits(topic, ends));
    }

    /** One kcat group member until it has reached the end of every partition it was assigned; then it commits and leaves. */
    private static Ledger consumeWithKcat(String group, String topic) throws Exception {
        List<String> cmd = List.of(kcat.toString(), "-b", broker.bootstrap(), "-G", group,
                "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=6000",
                "-e", "-q", "-f", "%p %o %s\\n", topic);
        Exec.Result kcatRun = Exec.run(cmd, null, KCAT_TIMEOUT);
        assertThat(kcatRun.exitCode()).as("kcat exit code; %s", kcatRun).isZero();
        assertThat(kcatRun.stderr()).as("kcat stderr").doesNotContain("ERROR");
        Ledger ledger = new Ledger();
        for (String line : kcatRun.stdout().lines().toList()) {
            String[] f = line.split(" ");
            assertThat(f).as("kcat output line %s", line).hasSize(3);
            ledger.record("kcat", Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]);
        }
        return ledger;
    }

    private static Map<TopicPartition, Long> expectedCommits(String topic, Map<Integer, Long> ends) {
        Map<TopicPartition, Long> out = new HashMap<>();
        ends.forEach((p, end) -> out.put(new TopicPartition(topic, p), end));
        return out;
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            return Clients.committed(admin, group);
        }
    }
}
