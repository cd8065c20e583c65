package io.tributary.it.groups;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A group member in a JVM of its own, so a test can kill it with SIGKILL: no LeaveGroup, no last commit, its
 * session simply stops being heartbeated. It reports on stdout what the parent needs to judge the takeover:
 * <ul>
 *   <li>{@code A p,p,...}: its whole assignment, whenever that changed (an incremental rebalance's callbacks only
 *   name what moved, so the set is read after each poll instead);</li>
 *   <li>{@code R partition offset value .}: a record processed;</li>
 *   <li>{@code C partition offset .}: a committed position, printed after the commit returned.</li>
 * </ul>
 * The final dot tells a complete line from one the kill cut short.
 * Records are printed and flushed before their offsets are committed, so every committed offset is covered by
 * printed records; only the tail after the last commit may be lost from the parent's view and redelivered.
 *
 * <p>Arguments: bootstrap, group id, topic, group protocol ({@link GroupProtocol} name), session timeout ms and
 * heartbeat interval ms (used by the classic protocol only; the broker sets them for the consumer protocol).
 */
public final class CrashableMemberMain {
    private CrashableMemberMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String group = args[1];
        String topic = args[2];
        GroupProtocol protocol = GroupProtocol.valueOf(args[3]);
        Map<String, Object> overrides = new HashMap<>(protocol.session(Integer.parseInt(args[4]),
                Integer.parseInt(args[5])));
        // Small batches: the process is usually killed mid-stream, with an uncommitted tail in hand.
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "crashable");
        Map<String, Object> props = GroupClients.consumerProps(bootstrap, group, protocol, overrides);
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
            consumer.subscribe(List.of(topic));
            long batches = 0;
            Set<TopicPartition> printed = Set.of();
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (!consumer.assignment().equals(printed)) {
                    printed = Set.copyOf(consumer.assignment());
                    TreeSet<Integer> ps = new TreeSet<>();
                    printed.forEach(tp -> ps.add(tp.partition()));
                    out.println("A " + String.join(",", ps.stream().map(String::valueOf).toList()));
                    out.flush();
                }
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
