package io.tributary.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trib consume <topic>}: prints records in a kcat-style format. Without a group it reads every partition
 * with assign()+seek and commits nothing, so looking at a topic never disturbs a real consumer group. With
 * {@code --group} it joins the group with subscribe() and commits exactly what it printed after each batch (and
 * before giving up partitions in a rebalance), so a later run of the group carries on where this one stopped,
 * even when {@code --max-messages} cut a batch short. Ctrl-C stops it the same orderly way.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Print records of a topic.")
final class ConsumeCommand extends ClientCommand {
    private static final long POLL_MS = 500;

    @Parameters(paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--from-beginning",
            description = "Start at the earliest offset (with --group: only where the group has no committed offset).")
    boolean fromBeginning;

    @Option(names = "--group", paramLabel = "G", description = "Consume as a member of group G and commit offsets.")
    String group;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "N", description = "Exit when no record arrives for N ms.")
    Long timeoutMs;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = RecordFormat.DEFAULT,
            description = "Output format: %%k key, %%s value, %%h headers, %%o offset, %%p partition, %%T timestamp, "
                    + "%%t topic, %%K/%%S key/value length, \\n \\t (default: ${DEFAULT-VALUE}).")
    String format;

    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

    @Override
    protected int execute() throws Exception {
        if (maxMessages != null && maxMessages < 1) {
            throw new CommandFailure("--max-messages must be at least 1, got " + maxMessages, 2);
        }
        if (timeoutMs != null && timeoutMs < 0) {
            throw new CommandFailure("--timeout-ms must not be negative, got " + timeoutMs, 2);
        }
        RecordFormat recordFormat;
        try {
            recordFormat = RecordFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("Bad --format: " + e.getMessage(), 2);
        }
        Map<String, Object> config = client.clientConfig();
        String groupId = group != null ? group : (String) config.get(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        if (groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            if (fromBeginning) {
                config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            } else {
                config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            }
        }
        long count = 0;
        CountDownLatch closed = new CountDownLatch(1);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Thread hook = new Thread(() -> stopOnSignal(consumer, closed), "trib-consume-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                start(consumer, groupId != null);
                count = poll(consumer, recordFormat, groupId != null);
            } finally {
                if (groupId != null) {
                    commit(consumer);
                }
                removeHook(hook);
            }
        } finally {
            closed.countDown();
        }
        err().printf("Consumed %d record(s)%n", count);
        return 0;
    }

    private void start(KafkaConsumer<byte[], byte[]> consumer, boolean inGroup) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic);
        if (partitions == null || partitions.isEmpty()) {
            throw new CommandFailure("Topic '" + topic + "' does not exist");
        }
        if (inGroup) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    commit(consumer);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                }
            });
            return;
        }
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(tps);
        if (fromBeginning) {
            consumer.seekToBeginning(tps);
        } else {
            consumer.seekToEnd(tps);
        }
    }

    /** Polls until --max-messages records were printed, --timeout-ms passed without any, or a wakeup. */
    private long poll(KafkaConsumer<byte[], byte[]> consumer, RecordFormat recordFormat, boolean inGroup) {
        PrintWriter out = out();
        StringBuilder line = new StringBuilder();
        long count = 0;
        long lastRecordNs = System.nanoTime();
        try {
            while (maxMessages == null || count < maxMessages) {
                long waitMs = POLL_MS;
                if (timeoutMs != null) {
                    long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRecordNs);
                    if (idleMs >= timeoutMs) {
                        break;
                    }
                    waitMs = Math.min(waitMs, timeoutMs - idleMs);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(waitMs));
                if (records.isEmpty()) {
                    continue;
                }
                lastRecordNs = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (maxMessages != null && count >= maxMessages) {
                        break;
                    }
                    line.setLength(0);
                    recordFormat.append(line, r);
                    out.print(line);
                    count++;
                    uncommitted.put(new TopicPartition(r.topic(), r.partition()),
                            new OffsetAndMetadata(r.offset() + 1, r.leaderEpoch(), ""));
                }
                out.flush();
                if (inGroup) {
                    commit(consumer);
                }
            }
        } catch (WakeupException e) {
            // Ctrl-C: fall through to the final commit and close.
        }
        return count;
    }

    private void commit(KafkaConsumer<byte[], byte[]> consumer) {
        if (!uncommitted.isEmpty()) {
            consumer.commitSync(Map.copyOf(uncommitted));
            uncommitted.clear();
        }
    }

    /** From the JVM's shutdown hook: interrupt the poll loop, then give it a moment to commit and close. */
    private static void stopOnSignal(KafkaConsumer<byte[], byte[]> consumer, CountDownLatch closed) {
        consumer.wakeup();
        try {
            closed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running; it is waiting for this thread to close the consumer.
        }
    }
}
