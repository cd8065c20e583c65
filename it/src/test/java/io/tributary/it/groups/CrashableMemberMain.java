package io.tributary.it.groups;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A group member in a JVM of its own, so a test can kill it with SIGKILL: no LeaveGroup, no last commit, its
 * session simply stops being heartbeated. It reports on stdout what the parent needs to judge the takeover:
 * <ul>
 *   <li>{@code A p,p,...}: the partitions of a new assignment (eager protocol: the whole assignment);</li>
 *   <li>{@code R partition offset value .}: a record processed;</li>
 *   <li>{@code C partition offset .}: a committed position, printed after the commit returned.</li>
 * </ul>
 * The final dot tells a complete line from one the kill cut short.
 * Records are printed and flushed before their offsets are committed, so every committed offset is covered by
 * printed records; only the tail after the last commit may be lost from the parent's view and redelivered.
 *
 * <p>Arguments: bootstrap, group id, topic, session timeout ms, heartbeat interval ms.
 */
public final class CrashableMemberMain {
    private CrashableMemberMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String group = args[1];
        String topic = args[2];
        Map<String, Object> props = GroupClients.consumerProps(bootstrap, group, Map.of(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(args[3]),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.parseInt(args[4]),
                // Small batches: the process is usually killed mid-stream, with an uncommitted tail in hand.
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50,
                ConsumerConfig.CLIENT_ID_CONFIG, "crashable"));
        // Dies with its parent: the test keeps this pipe open, and an orphaned consumer must not linger.
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever sent; only the end of the stream matters
                }
            } catch (IOException e) {
                // same as end of stream
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    TreeSet<Integer> ps = new TreeSet<>();
                    partitions.forEach(tp -> ps.add(tp.partition()));
                    out.println("A " + String.join(",", ps.stream().map(String::valueOf).toList()));
                    out.flush();
                }
            });
            long batches = 0;
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<String, String> r : records) {
                    out.println("R " + r.partition() + " " + r.offset() + " " + r.value() + " .");
                }
                out.flush();
                // A slow consumer that commits every third batch only: when it dies it almost always holds an
                // uncommitted tail, which its successors must redeliver.
                Thread.sleep(20);
                if (++batches % 3 == 0) {
                    consumer.commitSync();
                    for (TopicPartition tp : consumer.assignment()) {
                        out.println("C " + tp.partition() + " " + consumer.position(tp) + " .");
                    }
                    out.flush();
                }
            }
        }
    }
}
