package io.tributary.bench.harness;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One consumer-group member on its own thread, polling continuously, that publishes what a rebalance
 * measurement needs to see from outside: its current assignment, when that last changed, and whether it has
 * consumed a record since.
 *
 * <p>"Rebalanced" for the benchmark means the members cover every partition again <em>and</em> are consuming
 * again, so a member whose assignment changed counts only once a poll after that change returned records. The
 * rebalance listener runs inside {@code poll()}, before that poll returns, so a poll that returns records after
 * the change time is a consumption under the new assignment.
 */
final class GroupMember implements Runnable {

    /** What the measuring thread reads; replaced as a whole so it is always self-consistent. */
    record State(Set<TopicPartition> assignment, long changedAtNs, long consumedAfterChangeNs) {
        boolean consumingSinceChange() {
            return consumedAfterChangeNs >= changedAtNs;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Thread thread;
    private volatile State state = new State(Set.of(), System.nanoTime(), Long.MIN_VALUE);
    private volatile long subscribeAtNs;
    private volatile Throwable failure;
    private volatile boolean stopping;

    GroupMember(String bootstrap, String groupId, String protocol, String topic, String name) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        } else {
            config.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "uniform");
        }
        this.consumer = new KafkaConsumer<>(config);
        this.topic = topic;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    State state() {
        return state;
    }

    /** When this member called subscribe(); the start of the rebalance it triggers. */
    long subscribeAtNs() {
        return subscribeAtNs;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            subscribeAtNs = System.nanoTime();
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    noteAssignment();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    noteAssignment();
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    noteAssignment();
                }
            });
            while (!stopping) {
                int count = consumer.poll(Duration.ofMillis(100)).count();
                // assignment() too, in case a change arrived without a callback carrying partitions.
                noteAssignment();
                if (count > 0) {
                    State s = state;
                    if (!s.consumingSinceChange()) {
                        state = new State(s.assignment(), s.changedAtNs(), System.nanoTime());
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() woke a blocked poll
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void noteAssignment() {
        Set<TopicPartition> now = Set.copyOf(consumer.assignment());
        State s = state;
        if (!now.equals(s.assignment())) {
            state = new State(now, System.nanoTime(), s.consumedAfterChangeNs());
        }
    }

    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    void join() throws InterruptedException {
        thread.join(15_000);
    }
}
