package io.tributary.it.groups;

import io.tributary.it.Clients;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;

/**
 * One member of a consumer group, polling on a thread of its own the way an application does: subscribe, poll,
 * process, commit synchronously after each non-empty batch. A KafkaConsumer may only be touched by its own thread,
 * so what a test wants to look at (assignment, generation, the rebalance callbacks it saw) is published into
 * volatile fields and a concurrent list after every poll.
 *
 * <p>Because offsets are committed before the next poll (and again when partitions are revoked), and a rebalance
 * only happens inside poll, a partition handed to another member is resumed exactly after the last record this one
 * processed: that is what lets tests assert exactly-once delivery across clean rebalances.
 */
final class GroupMember implements AutoCloseable {
    enum Kind { ASSIGNED, REVOKED, LOST }

    /** One rebalance callback as the consumer reported it. */
    record Event(Kind kind, Set<TopicPartition> partitions, long atNanos) {
    }

    /** Where consumed records go; called on the member's thread. */
    interface Sink {
        void accept(GroupMember member, ConsumerRecord<String, String> record);
    }

    private final String name;
    private final Map<String, Object> props;
    private final String topic;
    private final Sink sink;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger commitFailures = new AtomicInteger();
    private final Thread thread;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile int generation = -1;
    private volatile String memberId = "";
    private volatile boolean stopping;
    private volatile Throwable failure;

    private GroupMember(String name, Map<String, Object> props, String topic, Sink sink) {
        this.name = name;
        this.props = Map.copyOf(props);
        this.topic = topic;
        this.sink = sink;
        this.thread = new Thread(this::run, "member-" + name);
        this.thread.setDaemon(true);
    }

    static GroupMember start(String name, Map<String, Object> consumerProps, String topic, Sink sink) {
        GroupMember m = new GroupMember(name, consumerProps, topic, sink);
        m.thread.start();
        return m;
    }

    private void run() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    events.add(new Event(Kind.REVOKED, Set.copyOf(partitions), System.nanoTime()));
                    // The usual application pattern; with cooperative rebalancing a commit after a batch may
                    // have been refused while the rebalance was under way, and this is the last chance.
                    commit(consumer);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    events.add(new Event(Kind.ASSIGNED, Set.copyOf(partitions), System.nanoTime()));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    events.add(new Event(Kind.LOST, Set.copyOf(partitions), System.nanoTime()));
                }
            });
            while (!stopping) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    sink.accept(this, r);
                }
                if (!records.isEmpty()) {
                    commit(consumer);
                }
                assignment = Set.copyOf(consumer.assignment());
                generation = consumer.groupMetadata().generationId();
                memberId = consumer.groupMetadata().memberId();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void commit(KafkaConsumer<String, String> consumer) {
        try {
            consumer.commitSync(Duration.ofSeconds(30));
        } catch (RebalanceInProgressException | CommitFailedException e) {
            // Legitimate while the group rebalances: the records are redelivered to the next owner.
            commitFailures.incrementAndGet();
        }
    }

    String name() {
        return name;
    }

    Set<TopicPartition> assignment() {
        return assignment;
    }

    int generation() {
        return generation;
    }

    String memberId() {
        return memberId;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    int commitFailures() {
        return commitFailures.get();
    }

    /** Fails the test if the poll loop died. */
    void checkAlive() {
        if (failure != null) {
            throw new AssertionError("member " + name + " failed", failure);
        }
        if (!thread.isAlive() && !stopping) {
            throw new AssertionError("member " + name + " stopped polling");
        }
    }

    /** Stops polling and closes the consumer (a dynamic member leaves the group; a static one does not). */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("member " + name + " did not close within 60 s");
        }
        if (failure != null) {
            throw new AssertionError("member " + name + " failed", failure);
        }
    }

    /** Closes every member, even when some fail, and then reports the first failure. */
    static void closeAll(List<GroupMember> members) {
        AssertionError first = null;
        for (GroupMember m : members) {
            try {
                m.close();
            } catch (AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Waits until the members agree on one generation and split {@code partitions} between them with no partition
     * owned twice and none left out (every member owning at least one when there are enough partitions), and the
     * picture holds across two looks 300 ms apart. Returns each member's assignment at that point.
     */
    static Map<String, Set<TopicPartition>> awaitSteady(List<GroupMember> members, int partitions) throws Exception {
        long deadline = System.nanoTime() + Clients.TIMEOUT.toNanos();
        Map<String, Set<TopicPartition>> previous = null;
        int previousGeneration = -1;
        while (true) {
            Map<String, Set<TopicPartition>> now = new TreeMap<>();
            Set<Integer> generations = new HashSet<>();
            Set<TopicPartition> union = new HashSet<>();
            int owned = 0;
            boolean everyoneOwns = true;
            for (GroupMember m : members) {
                m.checkAlive();
                Set<TopicPartition> a = m.assignment();
                now.put(m.name(), a);
                generations.add(m.generation());
                union.addAll(a);
                owned += a.size();
                everyoneOwns &= !a.isEmpty() || members.size() > partitions;
            }
            int generation = generations.size() == 1 ? generations.iterator().next() : -1;
            boolean steady = generation > 0 && everyoneOwns && owned == partitions && union.size() == partitions;
            if (steady && now.equals(previous) && generation == previousGeneration) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("group never became steady: " + members);
            }
            previous = steady ? now : null;
            previousGeneration = generation;
            Thread.sleep(300);
        }
    }

    @Override
    public String toString() {
        return name + "(gen " + generation + ", " + assignment + ")";
    }
}
