package io.tributary.it.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Await;
import io.tributary.it.Clients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A member that dies without a word (kill -9 of its JVM) is detected by its session timing out; its partitions
 * then go to the survivors, who resume them exactly at the offsets it had committed. Whatever it processed after
 * its last commit is redelivered (at-least-once), and nothing is skipped. Under the classic protocol the members
 * choose their session (6 s here); under the consumer protocol the broker does ({@code TestBroker.QUICK_GROUPS}).
 */
class MemberCrashTest extends BrokerPerClass {
    private static final int SESSION_TIMEOUT_MS = 6_000;
    private static final int HEARTBEAT_MS = 1_000;

    @ParameterizedTest(name = "{0}")
    @EnumSource(GroupProtocol.class)
    void killedMembersPartitionsMoveToSurvivorsWhoResumeFromItsCommittedOffsets(GroupProtocol protocol)
            throws Exception {
        String topic = "crash-" + protocol;
        String group = "crash-group-" + protocol;
        int partitions = 6;
        Clients.createTopic(broker.bootstrap(), topic, partitions);
        Map<String, Object> survivorOverrides = new HashMap<>(protocol.session(SESSION_TIMEOUT_MS, HEARTBEAT_MS));
        survivorOverrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        Map<String, Object> survivorProps = GroupClients.consumerProps(broker.bootstrap(), group, protocol,
                survivorOverrides);
        Ledger survivorLedger = new Ledger();
        List<GroupMember> survivors = new ArrayList<>();
        AtomicReference<Producing> producer = new AtomicReference<>();
        try (Child child = Child.start(dir.resolve("child-stderr-" + protocol + ".txt"), broker.bootstrap(),
                group, topic, protocol)) {
            child.awaitAssigned();
            for (int i = 0; i < 2; i++) {
                survivors.add(GroupMember.start("s" + i, survivorProps, topic,
                        (m, r) -> survivorLedger.record(m.name(), r)));
            }
            Set<Integer> childPartitions = awaitThreeWaySplit(child, survivors, partitions);
            // Only now: every record is first delivered by the member owning its partition in the 3-way split.
            Producing producing = Producing.start(broker.bootstrap(), topic, partitions);
            producer.set(producing);

            Await.until(Clients.TIMEOUT, "the child to process records of all its partitions", () -> {
                child.checkAlive();
                return childPartitions.stream().allMatch(p -> child.ledger.offsets(p).size() >= 200);
            });
            long killedAtNanos = System.nanoTime();
            child.kill();
            // A commit the child had in flight reaches the broker within milliseconds; the session lasts seconds.
            Thread.sleep(500);
            Map<Integer, Long> committedAtKill = committed(group, topic);
            assertThat(survivors).allSatisfy(s -> assertThat(s.assignment()).doesNotContainAnyElementsOf(
                    childPartitions.stream().map(p -> new TopicPartition(topic, p)).toList()));

            GroupMember.awaitSteady(survivors, partitions);
            long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAtNanos);
            // Detection takes the session timeout; the survivors then learn of the rebalance on their next
            // heartbeat and rejoin. Anything much slower means the dead member held the group up.
            assertThat(takeoverMs).as("ms from kill -9 to the survivors owning every partition")
                    .isLessThan(protocol.sessionTimeoutMs(SESSION_TIMEOUT_MS) + 3L * protocol.heartbeatMs(HEARTBEAT_MS)
                            + 2_000);

            Thread.sleep(1_000);
            Map<Integer, Long> ends = producing.stop();
            Await.until(Clients.TIMEOUT, "the survivors to consume everything", () -> {
                survivors.forEach(GroupMember::checkAlive);
                return ends.entrySet().stream()
                        .allMatch(e -> survivorLedger.offsets(e.getKey()).contains(e.getValue() - 1));
            });

            for (int p : childPartitions) {
                List<Long> byChild = child.ledger.offsets(p);
                List<Long> bySurvivors = survivorLedger.offsets(p);
                long committed = committedAtKill.getOrDefault(p, 0L);
                long lastChildCommit = child.committed.getOrDefault(p, 0L);
                assertThat(Ledger.sequenceProblem(byChild, 0, byChild.size())).as("child's deliveries of partition %d", p)
                        .isNull();
                assertThat(committed).as("committed offset of partition %d at the kill", p)
                        .isBetween(lastChildCommit, (long) byChild.size());
                assertThat(Ledger.sequenceProblem(bySurvivors, committed, ends.get(p)))
                        .as("survivors' deliveries of partition %d (committed %d at the kill)", p, committed).isNull();
            }
            Ledger all = new Ledger();
            for (int p = 0; p < partitions; p++) {
                for (long o : child.ledger.offsets(p)) {
                    all.record("child", p, o, p + "-" + o);
                }
                for (long o : survivorLedger.offsets(p)) {
                    all.record("survivors", p, o, p + "-" + o);
                }
                if (!childPartitions.contains(p) && survivors.stream().allMatch(s -> s.commitFailures() == 0)) {
                    assertThat(Ledger.sequenceProblem(survivorLedger.offsets(p), 0, ends.get(p)))
                            .as("partition %d, owned by survivors throughout", p).isNull();
                }
                assertThat(all.offsets(p).stream().distinct().count()).as("distinct offsets of partition %d", p)
                        .isEqualTo(ends.get(p));
            }
        } finally {
            if (producer.get() != null) {
                producer.get().close();
            }
            GroupMember.closeAll(survivors);
        }
    }

    /** Waits until the child and the two survivors split the partitions; returns the child's share. */
    private static Set<Integer> awaitThreeWaySplit(Child child, List<GroupMember> survivors, int partitions)
            throws Exception {
        AtomicReference<Set<Integer>> childShare = new AtomicReference<>();
        Await.until(Clients.TIMEOUT, "child and survivors to split the partitions", () -> {
            child.checkAlive();
            Set<Integer> union = new HashSet<>(child.assigned.get());
            int owned = union.size();
            int generation = -2;
            for (GroupMember s : survivors) {
                s.checkAlive();
                if (s.assignment().isEmpty() || (generation != -2 && s.generation() != generation)) {
                    return false;
                }
                generation = s.generation();
                s.assignment().forEach(tp -> union.add(tp.partition()));
                owned += s.assignment().size();
            }
            childShare.set(child.assigned.get());
            return !child.assigned.get().isEmpty() && owned == partitions && union.size() == partitions;
        });
        return childShare.get();
    }

    private static Map<Integer, Long> committed(String group, String topic) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Map<Integer, Long> out = new HashMap<>();
            Clients.committed(admin, group).forEach((tp, offset) -> {
                if (tp.topic().equals(topic)) {
                    out.put(tp.partition(), offset);
                }
            });
            return out;
        }
    }

    /** {@link CrashableMemberMain} in a child JVM, its stdout parsed as it arrives. */
    private static final class Child implements AutoCloseable {
        final Ledger ledger = new Ledger();
        final AtomicReference<Set<Integer>> assigned = new AtomicReference<>(Set.of());
        final Map<Integer, Long> committed = new ConcurrentHashMap<>();
        private final Process process;
        private final Path stderr;
        private volatile boolean killed;

        private Child(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(this::pump, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path stderr, String bootstrap, String group, String topic, GroupProtocol protocol)
                throws IOException {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath(),
                    CrashableMemberMain.class.getName(), bootstrap, group, topic, protocol.name(),
                    Integer.toString(SESSION_TIMEOUT_MS), Integer.toString(HEARTBEAT_MS));
            // Its stdin stays open for its whole life: the child exits when that pipe closes with this JVM.
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(stderr.toFile())).start();
            return new Child(p, stderr);
        }

        private void pump() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(" ");
                    // A line cut short by the kill is the unprocessed tail; anything else is a protocol error.
                    switch (f[0]) {
                        case "A" -> {
                            Set<Integer> ps = new HashSet<>();
                            if (f.length > 1) {
                                for (String s : f[1].split(",")) {
                                    ps.add(Integer.parseInt(s));
                                }
                            }
                            assigned.set(Set.copyOf(ps));
                        }
                        case "R" -> {
                            if (f.length == 5) {
                                ledger.record("child", Integer.parseInt(f[1]), Long.parseLong(f[2]), f[3]);
                            }
                        }
                        case "C" -> {
                            if (f.length == 4) {
                                committed.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
                            }
                        }
                        default -> {
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The stream ends with the process; a parse error shows up as missing records.
            }
        }

        void awaitAssigned() throws Exception {
            Await.until(Clients.TIMEOUT, "the child member to get partitions", () -> {
                checkAlive();
                return !assigned.get().isEmpty();
            });
        }

        void checkAlive() throws IOException {
            if (!killed && !process.isAlive()) {
                throw new AssertionError("child member exited with " + process.exitValue() + "\n"
                        + String.join("\n", Files.readAllLines(stderr)));
            }
        }

        void kill() throws InterruptedException {
            killed = true;
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child died of SIGKILL").isTrue();
        }

        @Override
        public void close() throws InterruptedException, IOException {
            if (process.isAlive()) {
                kill();
            }
            process.getOutputStream().close();
        }

        private static String classpath() {
            String cp = System.getProperty("java.class.path");
            return cp.contains("tributary") ? cp : System.getProperty("surefire.test.class.path", cp);
        }
    }

    /**
     * Writes to every partition at a steady pace until stopped, values naming their offsets as
     * {@link GroupClients#produce} does.
     */
    private static final class Producing implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final int partitions;
        private final String topic;
        private final long[] next;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopping;

        private Producing(String bootstrap, String topic, int partitions) {
            this.producer = GroupClients.producer(bootstrap);
            this.topic = topic;
            this.partitions = partitions;
            this.next = new long[partitions];
            this.thread = new Thread(this::run, "producing");
            this.thread.setDaemon(true);
        }

        static Producing start(String bootstrap, String topic, int partitions) {
            Producing p = new Producing(bootstrap, topic, partitions);
            p.thread.start();
            return p;
        }

        private void run() {
            try {
                while (!stopping && failure.get() == null) {
                    for (int i = 0; i < 20; i++) {
                        for (int p = 0; p < partitions; p++) {
                            producer.send(new ProducerRecord<>(topic, p, null, p + "-" + next[p]++), (md, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                        }
                    }
                    Thread.sleep(20);
                }
                producer.flush();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        /** Stops, and returns each partition's end offset. */
        Map<Integer, Long> stop() throws InterruptedException {
            stopping = true;
            thread.join(60_000);
            if (failure.get() != null) {
                throw new AssertionError("producing failed", failure.get());
            }
            Map<Integer, Long> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(p, next[p]);
            }
            return ends;
        }

        @Override
        public void close() {
            stopping = true;
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(10));
        }
    }
}
