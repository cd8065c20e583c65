package io.tributary.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.metadata.MetadataImage;
import io.tributary.metadata.PartitionRegistration;
import io.tributary.metadata.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One coordinator shard over an in-memory log with a manual clock, a metadata image the test grows, and simulated
 * KIP-848 consumers that behave as the Java client does: they take what the coordinator assigns, give up what it no
 * longer assigns at once, and report what they own on every heartbeat.
 */
final class ConsumerHarness {
    static final String GROUP = "cg";
    static final int SESSION_MS = 45_000;
    static final int HEARTBEAT_MS = 5_000;
    static final int REBALANCE_MS = 60_000;
    static final GroupCoordinatorConfig CONFIG = new GroupCoordinatorConfig(1, (short) 1, 1 << 20, 64, 1 << 16,
            60 * 60_000L, 60_000L, 1_000, 600_000, 0, 100, SESSION_MS, HEARTBEAT_MS, 5);

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final InMemoryCoordinatorLog log;
    final CoordinatorShard shard;
    MetadataImage image = MetadataImage.EMPTY;

    ConsumerHarness() {
        this(new InMemoryCoordinatorLog());
    }

    ConsumerHarness(InMemoryCoordinatorLog log) {
        this.log = log;
        this.shard = new CoordinatorShard(0, log, CONFIG, clock, clock);
        shard.load();
    }

    Uuid createTopic(String name, int partitions) {
        Uuid id = Uuid.randomUuid();
        Map<Integer, PartitionRegistration> ps = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            ps.put(p, new PartitionRegistration(new int[] {0}, new int[] {0}, 0, 0, 0));
        }
        TopicImage topic = new TopicImage(name, id, ps, Map.of());
        Map<String, TopicImage> byName = new HashMap<>(image.topicsByName());
        Map<Uuid, TopicImage> byId = new HashMap<>(image.topicsById());
        byName.put(name, topic);
        byId.put(id, topic);
        image = new MetadataImage(null, -1L, byName, byId, Map.of(), Map.of(), 0L);
        return id;
    }

    ConsumerGroupHeartbeatResponseData send(ConsumerGroupHeartbeatRequestData request) {
        return shard.consumerGroupHeartbeat(request, (short) 1, "client", "/127.0.0.1", image);
    }

    ConsumerGroup group() {
        Group g = shard.state().group(GROUP);
        return g == null ? null : g.consumerGroup();
    }

    Client client(String... topics) {
        return new Client(Uuid.randomUuid().toString(), null, List.of(topics), null, null);
    }

    /** A simulated consumer. */
    final class Client {
        String memberId;
        final String instanceId;
        final List<String> topics;
        final String regex;
        final String assignor;
        int epoch;
        /** What the consumer owns: assigned to it and not yet given up. */
        Map<Uuid, Set<Integer>> owned = new TreeMap<>();
        /** Every partition this consumer ever gave up. */
        final List<String> revoked = new ArrayList<>();
        Errors lastError = Errors.NONE;

        Client(String memberId, String instanceId, List<String> topics, String regex, String assignor) {
            this.memberId = memberId;
            this.instanceId = instanceId;
            this.topics = topics;
            this.regex = regex;
            this.assignor = assignor;
        }

        ConsumerGroupHeartbeatResponseData join() {
            epoch = 0;
            owned.clear();
            ConsumerGroupHeartbeatRequestData r = request().setRebalanceTimeoutMs(REBALANCE_MS)
                    .setSubscribedTopicNames(regex == null ? topics : null).setSubscribedTopicRegex(regex)
                    .setServerAssignor(assignor).setInstanceId(instanceId).setTopicPartitions(List.of());
            return apply(send(r));
        }

        ConsumerGroupHeartbeatResponseData heartbeat() {
            List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = new ArrayList<>();
            owned.forEach((t, ps) -> tps.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(t)
                    .setPartitions(new ArrayList<>(ps))));
            return apply(send(request().setTopicPartitions(tps)));
        }

        ConsumerGroupHeartbeatResponseData leave(int leaveEpoch) {
            ConsumerGroupHeartbeatResponseData response = send(request().setMemberEpoch(leaveEpoch).setInstanceId(instanceId));
            lastError = Errors.forCode(response.errorCode());
            owned.clear();
            return response;
        }

        ConsumerGroupHeartbeatRequestData request() {
            return new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId(memberId).setMemberEpoch(epoch);
        }

        private ConsumerGroupHeartbeatResponseData apply(ConsumerGroupHeartbeatResponseData response) {
            lastError = Errors.forCode(response.errorCode());
            if (lastError != Errors.NONE) {
                return response;
            }
            epoch = response.memberEpoch();
            if (response.assignment() != null) {
                Map<Uuid, Set<Integer>> next = new TreeMap<>();
                response.assignment().topicPartitions().forEach(t -> next.put(t.topicId(), new TreeSet<>(t.partitions())));
                owned.forEach((t, ps) -> ps.forEach(p -> {
                    if (!next.getOrDefault(t, Set.of()).contains(p)) {
                        revoked.add(t + "-" + p);
                    }
                }));
                owned = next;
            }
            return response;
        }

        int ownedCount() {
            return owned.values().stream().mapToInt(Set::size).sum();
        }

        Set<String> ownedKeys() {
            Set<String> out = new TreeSet<>();
            owned.forEach((t, ps) -> ps.forEach(p -> out.add(t + "-" + p)));
            return out;
        }
    }

    /** Asserts that no partition is owned by two clients at once. */
    static void assertExclusive(List<Client> clients) {
        Set<String> seen = new TreeSet<>();
        for (Client c : clients) {
            for (String key : c.ownedKeys()) {
                assertThat(seen.add(key)).as("partition %s owned twice", key).isTrue();
            }
        }
    }

    /** Heartbeats every client in turn (checking exclusivity after each) until the group is stable. */
    int converge(List<Client> clients) {
        for (int round = 1; round <= 20; round++) {
            for (Client c : clients) {
                c.heartbeat();
                assertThat(c.lastError).isEqualTo(Errors.NONE);
                assertExclusive(clients);
            }
            if (group().state() == ConsumerGroup.State.STABLE) {
                // One more round so every client has seen its final assignment.
                clients.forEach(Client::heartbeat);
                return round;
            }
        }
        throw new AssertionError("group did not converge: " + group());
    }
}
