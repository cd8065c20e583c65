package io.tributary.it.logdirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.it.BrokerProcess;
import io.tributary.it.Clients;
import io.tributary.it.RawConnection;
import io.tributary.it.TestBroker;
import io.tributary.storage.DiskFaults;
import io.tributary.storage.LogManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A log directory that runs out of space while a producer writes to it. Two directories: a small one (an 8 MiB
 * tmpfs where mounting is allowed, else a directory with a simulated {@link DiskFaults} byte budget) and a big one.
 * When the small one fills, its partition answers KAFKA_STORAGE_ERROR to Produce, Fetch and ListOffsets,
 * DescribeLogDirs reports it offline, the broker logs an ERROR naming it, and the other directory's topic keeps
 * working. After a stop, more space and a restart, every acknowledged record is there, in order, exactly once, and
 * the partition takes writes again.
 *
 * <p>Set {@code -Dtributary.it.fullDisk=fault} to run the injected-fault path even where mounting works.
 */
class FullDiskTest {
    private static final String FULL = "full";
    private static final String SAFE = "safe";
    private static final TopicPartition FULL_TP = new TopicPartition(FULL, 0);
    private static final TopicPartition SAFE_TP = new TopicPartition(SAFE, 0);
    private static final int VALUE_BYTES = 1000;

    @TempDir
    static Path data;
    static Path smallDir;
    static Path bigDir;
    static boolean mounted;

    @BeforeAll
    static void mountSmallDisk() throws Exception {
        smallDir = data.resolve("small-disk").toAbsolutePath();
        bigDir = data.resolve("big-disk").toAbsolutePath();
        Files.createDirectories(smallDir);
        Files.createDirectories(bigDir);
        String why;
        if ("fault".equals(System.getProperty("tributary.it.fullDisk"))) {
            why = "forced by -Dtributary.it.fullDisk=fault";
        } else {
            Exec result = exec("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", smallDir.toString());
            mounted = result.code == 0;
            why = mounted ? "" : "mount not permitted: " + result.output.strip();
        }
        System.out.println("FullDiskTest: " + (mounted
                ? "running the tmpfs path (8 MiB tmpfs mounted at " + smallDir + ")"
                : "running the injected-fault path (" + why + ")"));
    }

    @AfterAll
    static void unmount() throws Exception {
        DiskFaults.clear();
        if (mounted && exec("umount", smallDir.toString()).code != 0) {
            exec("umount", "-l", smallDir.toString());
        }
    }

    @Test
    void aFullDiskTakesOnlyItsDirectoryOfflineAndARestartWithSpaceLosesNothing() throws Exception {
        try (BrokerUnderTest broker = mounted ? new ChildBroker() : new InProcessBroker()) {
            broker.start();
            // Both directories are empty, so the first topic goes where there is most free space: the big disk,
            // even though the tmpfs comes first in log.dirs. The second goes to the directory with fewer partitions.
            Clients.createTopic(broker.bootstrap(), SAFE, 1);
            Clients.createTopic(broker.bootstrap(), FULL, 1);
            Map<String, LogDirDescription> dirs = describe(broker);
            assertThat(dirs.get(smallDir.toString()).replicaInfos()).containsOnlyKeys(FULL_TP);
            assertThat(dirs.get(bigDir.toString()).replicaInfos()).containsKey(SAFE_TP).doesNotContainKey(FULL_TP);
            broker.fillUpSmallDisk();

            List<Integer> acknowledged = Collections.synchronizedList(new ArrayList<>());
            Exception firstError = produceUntilRejected(broker, acknowledged);
            assertThat(firstError).as("the producer is told").isInstanceOfAny(KafkaStorageException.class,
                    TimeoutException.class);
            assertThat(acknowledged).as("records acknowledged before the disk filled").hasSizeGreaterThan(100);
            System.out.println("FullDiskTest: " + acknowledged.size() + " records acknowledged, then " + firstError);

            // The partition stays offline for every kind of request.
            try (KafkaProducer<String, String> producer = producer(broker)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(FULL, 0, "late", "late")).get())
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(KafkaStorageException.class);
            }
            try (RawConnection raw = RawConnection.open(address(broker.bootstrap()))) {
                assertThat(listOffsetsError(raw, FULL_TP)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
                assertThat(fetchError(raw, FULL_TP)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
                assertThat(listOffsetsError(raw, SAFE_TP)).isEqualTo(Errors.NONE);
                assertThat(fetchError(raw, SAFE_TP)).isEqualTo(Errors.NONE);
                assertThat(offlineReplicas(raw, FULL_TP)).as("Metadata lists the failed replica as offline")
                        .containsExactly(TestBroker.NODE_ID);
                assertThat(offlineReplicas(raw, SAFE_TP)).isEmpty();
            }
            dirs = describe(broker);
            assertThat(dirs.get(smallDir.toString()).error()).isInstanceOf(KafkaStorageException.class);
            assertThat(dirs.get(bigDir.toString()).error()).isNull();
            assertThat(broker.errorLog()).as("an ERROR line names the directory")
                    .anyMatch(line -> line.contains("ERROR") && line.contains(smallDir.toString())
                            && line.contains("OFFLINE"));

            // The other directory keeps working, both ways.
            try (KafkaProducer<String, String> producer = producer(broker)) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(SAFE, 0, "s", "safe-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(readAll(broker, SAFE_TP)).hasSize(20);

            broker.restartWithMoreSpace();
            List<String> values = readAll(broker, FULL_TP);
            List<Integer> sequence = new ArrayList<>();
            for (String v : values) {
                sequence.add(Integer.parseInt(v.substring(0, v.indexOf(':'))));
            }
            Set<Integer> acked = new HashSet<>(acknowledged);
            assertThat(sequence).as("no record twice").doesNotHaveDuplicates();
            assertThat(sequence.stream().filter(acked::contains).toList())
                    .as("every acknowledged record, in order").containsExactlyElementsOf(acknowledged);
            for (String v : values) {
                assertThat(v).hasSize(VALUE_BYTES).endsWith("#");
            }
            assertThat(readAll(broker, SAFE_TP)).hasSize(20);
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>(FULL, 0, "again", value(999_999))).get(30, TimeUnit.SECONDS);
            }
            assertThat(describe(broker).get(smallDir.toString()).error()).isNull();
        }
    }

    /** Sends until the broker rejects a record; returns the first error. Acknowledged sequence numbers in order. */
    private static Exception produceUntilRejected(BrokerUnderTest broker, List<Integer> acknowledged)
            throws Exception {
        AtomicReference<Exception> firstError = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = producer(broker)) {
            int maxRecords = 40 * 1024 * 1024 / VALUE_BYTES;
            for (int seq = 0; seq < maxRecords && firstError.get() == null; seq++) {
                int n = seq;
                producer.send(new ProducerRecord<>(FULL, 0, "k", value(n)), (metadata, e) -> {
                    if (e == null) {
                        acknowledged.add(n);
                    } else {
                        firstError.compareAndSet(null, e);
                    }
                });
                if (seq % 200 == 199) {
                    producer.flush();
                }
            }
            producer.flush();
        }
        assertThat(firstError.get()).as("the disk filled before 40 MiB were written").isNotNull();
        return firstError.get();
    }

    private static String value(int seq) {
        String head = seq + ":";
        return head + "x".repeat(VALUE_BYTES - head.length() - 1) + "#";
    }

    private static KafkaProducer<String, String> producer(BrokerUnderTest broker) {
        return Clients.producer(broker.bootstrap(), Map.of(
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000));
    }

    private static Map<String, LogDirDescription> describe(BrokerUnderTest broker) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            return admin.describeLogDirs(List.of(TestBroker.NODE_ID)).allDescriptions().get()
                    .get(TestBroker.NODE_ID);
        }
    }

    private static List<String> readAll(BrokerUnderTest broker, TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrap())) {
            return Clients.readAll(consumer, tp).stream().map(ConsumerRecord::value).toList();
        }
    }

    private static Errors listOffsetsError(RawConnection raw, TopicPartition tp) throws IOException {
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(tp.topic())
                        .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                .setPartitionIndex(tp.partition()).setTimestamp(ListOffsetsRequest.EARLIEST_TIMESTAMP)))))
                .build((short) 7);
        ListOffsetsResponse response = raw.roundTrip(request);
        return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
    }

    private static Errors fetchError(RawConnection raw, TopicPartition tp) throws IOException {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 12, 0, 1, Map.of(tp,
                new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 64 * 1024, Optional.empty())))
                .build((short) 12);
        FetchResponse response = raw.roundTrip(request);
        return Errors.forCode(response.data().responses().get(0).partitions().get(0).errorCode());
    }

    private static List<Integer> offlineReplicas(RawConnection raw, TopicPartition tp) throws IOException {
        MetadataResponse response = raw.roundTrip(new MetadataRequest.Builder(List.of(tp.topic()), false).build((short) 12));
        return response.data().topics().find(tp.topic()).partitions().stream()
                .filter(p -> p.partitionIndex() == tp.partition()).findFirst().orElseThrow().offlineReplicas();
    }

    private static InetSocketAddress address(String bootstrap) {
        int colon = bootstrap.lastIndexOf(':');
        return new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
    }

    // ---------------------------------------------------------------- the two ways to fill a disk

    /** The broker and its small disk, however the disk is filled. */
    private interface BrokerUnderTest extends AutoCloseable {
        void start() throws Exception;

        String bootstrap();

        /** Makes the small directory run out of space soon (a tmpfs fills by itself). */
        void fillUpSmallDisk();

        /** Log lines that may carry the broker's ERROR about the failed directory. */
        List<String> errorLog() throws IOException;

        void restartWithMoreSpace() throws Exception;
    }

    /** A broker process whose small log directory is a real 8 MiB tmpfs: the kernel says ENOSPC. */
    private static final class ChildBroker implements BrokerUnderTest {
        private BrokerProcess process;

        @Override
        public void start() throws Exception {
            process = BrokerProcess.start(data.resolve("node"), Map.of(
                    "log.dirs", smallDir + "," + bigDir,
                    "metadata.log.dir", data.resolve("node").resolve("metadata").toString(),
                    "log.segment.bytes", Integer.toString(1024 * 1024),
                    "num.partitions", "1"));
        }

        @Override
        public String bootstrap() {
            return process.bootstrap();
        }

        @Override
        public void fillUpSmallDisk() {
        }

        @Override
        public List<String> errorLog() throws IOException {
            return Files.readAllLines(process.stderrFile(), StandardCharsets.UTF_8);
        }

        @Override
        public void restartWithMoreSpace() throws Exception {
            assertThat(process.isAlive()).as("the broker survived the full disk").isTrue();
            assertThat(process.terminate()).as("clean exit code").isZero();
            Exec remount = exec("mount", "-o", "remount,size=64m", smallDir.toString());
            assertThat(remount.code).as(remount.output).isZero();
            process.launch();
        }

        @Override
        public void close() {
            if (process != null) {
                process.close();
            }
        }
    }

    /** An in-process broker whose small directory gets a {@link DiskFaults} byte budget of 2 MiB. */
    private static final class InProcessBroker implements BrokerUnderTest {
        private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
        private TestBroker broker;

        @Override
        public void start() throws Exception {
            logged.start();
            ((Logger) LoggerFactory.getLogger(LogManager.class)).addAppender(logged);
            // Same file system, same free space: the configured order breaks the tie, so the big disk goes first.
            broker = TestBroker.start(data.resolve("node"), Map.of(
                    "log.dirs", bigDir + "," + smallDir,
                    "metadata.log.dir", data.resolve("node").resolve("metadata").toString(),
                    "log.segment.bytes", Integer.toString(1024 * 1024)));
        }

        @Override
        public String bootstrap() {
            return broker.bootstrap();
        }

        @Override
        public void fillUpSmallDisk() {
            DiskFaults.fillUpAfter(smallDir, 2 * 1024 * 1024);
        }

        @Override
        public List<String> errorLog() {
            return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .map(e -> "ERROR " + e.getFormattedMessage()).toList();
        }

        @Override
        public void restartWithMoreSpace() throws Exception {
            broker.stop();
            DiskFaults.clear();
            broker.startAgain();
        }

        @Override
        public void close() {
            ((Logger) LoggerFactory.getLogger(LogManager.class)).detachAppender(logged);
            DiskFaults.clear();
            if (broker != null) {
                broker.close();
            }
        }
    }

    private record Exec(int code, String output) {
    }

    private static Exec exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Exec(-1, "timed out: " + String.join(" ", command));
        }
        return new Exec(p.exitValue(), output);
    }
}
