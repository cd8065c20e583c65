package io.tributary.bench.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Group rebalance time and end-to-end latency against one running broker, for {@code bench/rebalance.sh}.
 *
 * <p><b>Rebalance</b> ({@code rebalance}): a paced producer feeds a 48-partition topic at a low rate; three
 * members join a fresh group and the bench waits until they cover every partition, consume, and have kept the
 * same assignment for a while. Then a fourth member subscribes, and the figure is the time from that
 * subscribe() until the four members cover all 48 partitions (disjointly, each with some) and each has
 * consumed a record since its assignment last changed, i.e. the group is consuming again. With the classic
 * protocol (cooperative-sticky) that includes the existing members noticing on their next heartbeat, the
 * revocation round and the assignment round; with the consumer protocol (KIP-848) the server assigns.
 *
 * <p><b>Latency</b> ({@code latency}): a {@link PacedProducer} at a fixed rate (acks=1, linger.ms=0, send time
 * in the record) and one consumer in assign mode (fetch.min.bytes=1, fetch.max.wait.ms=500) on the same JVM;
 * latency is receive time minus send time, after a warm-up that is not counted.
 *
 * <p>Results are appended to a file as {@code key<TAB>value} lines for {@link RebalanceReport}.
 */
public final class RebalanceBench {

    private static final long STEADY_MS = 2_000;
    private static final long JOIN_TIMEOUT_MS = 60_000;

    private RebalanceBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException(usage());
        }
        String bootstrap = null;
        String topic = null;
        Path out = null;
        int partitions = 48;
        int rate = 0;
        int trials = 3;
        int seconds = 15;
        int warmupSeconds = 3;
        List<String> protocols = new ArrayList<>(List.of("classic", "consumer"));
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap-server" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
                case "--protocols" -> protocols = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + usage());
            }
        }
        if (bootstrap == null || topic == null || out == null) {
            throw new IllegalArgumentException(usage());
        }
        switch (args[0]) {
            case "rebalance" -> {
                for (String protocol : protocols) {
                    for (int trial = 1; trial <= trials; trial++) {
                        long ms = rebalanceTrial(bootstrap, topic, partitions, rate == 0 ? 2_000 : rate, protocol,
                                trial);
                        System.out.printf("%s trial %d: %d ms%n", protocol, trial, ms);
                        append(out, "rebalance." + protocol + "." + trial + "_ms", Long.toString(ms));
                    }
                }
            }
            case "latency" -> latency(bootstrap, topic, partitions, rate == 0 ? 10_000 : rate, seconds,
                    warmupSeconds, out);
            default -> throw new IllegalArgumentException(usage());
        }
    }

    private static String usage() {
        return "usage: RebalanceBench rebalance|latency --bootstrap-server H:P --topic T --out FILE [--partitions N]"
                + " [--rate R] [--trials N] [--protocols classic,consumer] [--seconds S] [--warmup-seconds S]";
    }

    static long rebalanceTrial(String bootstrap, String topic, int partitions, int rate, String protocol, int trial)
            throws Exception {
        String group = "rebalance-" + protocol + "-" + trial + "-" + System.currentTimeMillis();
        PacedProducer producer = new PacedProducer(bootstrap, topic, partitions, rate, 100);
        List<GroupMember> members = new ArrayList<>();
        producer.start();
        try {
            for (int i = 1; i <= 3; i++) {
                members.add(new GroupMember(bootstrap, group, protocol, topic, group + "-m" + i));
            }
            members.forEach(GroupMember::start);
            awaitSteady(members, partitions);
            GroupMember fourth = new GroupMember(bootstrap, group, protocol, topic, group + "-m4");
            members.add(fourth);
            fourth.start();
            long doneNs = awaitRebalanced(members, partitions, fourth);
            while (fourth.subscribeAtNs() == 0) {
                Thread.onSpinWait();
            }
            return (doneNs - fourth.subscribeAtNs()) / 1_000_000;
        } finally {
            members.forEach(GroupMember::stop);
            for (GroupMember m : members) {
                m.join();
            }
            producer.stop();
        }
    }

    /** Waits until the members cover the topic, consume, and have not changed assignment for STEADY_MS. */
    private static void awaitSteady(List<GroupMember> members, int partitions) throws InterruptedException {
        long deadline = System.currentTimeMillis() + JOIN_TIMEOUT_MS;
        while (true) {
            List<GroupMember.State> states = states(members);
            if (covered(states, partitions) && allConsuming(states)) {
                long lastChange = states.stream().mapToLong(GroupMember.State::changedAtNs).max().orElseThrow();
                if (System.nanoTime() - lastChange >= STEADY_MS * 1_000_000) {
                    return;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("3 members not steady after " + JOIN_TIMEOUT_MS + " ms: " + states);
            }
            Thread.sleep(10);
        }
    }

    /** Returns the time the last member started consuming again once all members cover the topic. */
    private static long awaitRebalanced(List<GroupMember> members, int partitions, GroupMember newcomer)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + JOIN_TIMEOUT_MS;
        while (true) {
            List<GroupMember.State> states = states(members);
            boolean newcomerIn = !newcomer.state().assignment().isEmpty();
            if (newcomerIn && covered(states, partitions) && allConsuming(states)) {
                return states.stream().mapToLong(GroupMember.State::consumedAfterChangeNs).max().orElseThrow();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("4 members not rebalanced after " + JOIN_TIMEOUT_MS + " ms: "
                        + states);
            }
            Thread.sleep(1);
        }
    }

    private static List<GroupMember.State> states(List<GroupMember> members) {
        List<GroupMember.State> states = new ArrayList<>();
        for (GroupMember m : members) {
            if (m.failure() != null) {
                throw new IllegalStateException("a group member failed", m.failure());
            }
            states.add(m.state());
        }
        return states;
    }

    /** Every partition owned by exactly one member, and every member owning some. */
    static boolean covered(List<GroupMember.State> states, int partitions) {
        Set<TopicPartition> union = new HashSet<>();
        int sum = 0;
        for (GroupMember.State s : states) {
            if (s.assignment().isEmpty()) {
                return false;
            }
            union.addAll(s.assignment());
            sum += s.assignment().size();
        }
        return union.size() == partitions && sum == partitions;
    }

    private static boolean allConsuming(List<GroupMember.State> states) {
        return states.stream().allMatch(GroupMember.State::consumingSinceChange);
    }

    private static void latency(String bootstrap, String topic, int partitions, int rate, int seconds,
                                int warmupSeconds, Path out) throws Exception {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-latency-consumer");
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long[] samples = new long[rate * (seconds + 1)];
        int n = 0;
        long received = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position); // resolve the end offsets before the first record is sent
            PacedProducer producer = new PacedProducer(bootstrap, topic, partitions, rate, 100);
            long startNs = System.nanoTime();
            long measureFromNs = startNs + warmupSeconds * 1_000_000_000L;
            long endNs = measureFromNs + seconds * 1_000_000_000L;
            producer.start();
            try {
                while (System.nanoTime() < endNs + 2_000_000_000L) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long nowNs = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        long sentNs = ByteBuffer.wrap(r.value()).getLong();
                        received++;
                        if (sentNs >= measureFromNs && sentNs < endNs && n < samples.length) {
                            samples[n++] = (nowNs - sentNs) / 1_000; // microseconds
                        }
                    }
                    if (nowNs >= endNs && received >= producer.sent()) {
                        break;
                    }
                }
            } finally {
                producer.stop();
            }
            long expected = (long) rate * seconds;
            if (n < expected * 0.98) {
                throw new IllegalStateException("only " + n + " of ~" + expected + " measured records arrived");
            }
        }
        long p50 = Percentiles.of(samples, n, 50);
        long p99 = Percentiles.of(samples, n, 99);
        long p999 = Percentiles.of(samples, n, 99.9);
        long max = Percentiles.of(samples, n, 100);
        System.out.printf("%d records: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n", n, p50 / 1e3,
                p99 / 1e3, p999 / 1e3, max / 1e3);
        append(out, "latency.records", Integer.toString(n));
        append(out, "latency.p50_us", Long.toString(p50));
        append(out, "latency.p99_us", Long.toString(p99));
        append(out, "latency.p999_us", Long.toString(p999));
        append(out, "latency.max_us", Long.toString(max));
    }

    private static void append(Path out, String key, String value) throws IOException {
        Files.writeString(out, key + "\t" + value + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
