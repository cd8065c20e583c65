package io.tributary.broker.group;

import static io.tributary.broker.group.ConsumerHarness.HEARTBEAT_MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.broker.group.ConsumerGroupValues.CurrentAssignment;
import io.tributary.broker.group.ConsumerGroupValues.GroupEpoch;
import io.tributary.broker.group.ConsumerGroupValues.MemberSubscription;
import io.tributary.broker.group.ConsumerGroupValues.TopicMetadata;
import io.tributary.broker.group.ConsumerHarness.Client;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.junit.jupiter.api.Test;

/** Consumer-protocol group records: they round-trip, and replaying them gives exactly the live state. */
class ConsumerGroupReplayTest {
    private final ConsumerHarness h = new ConsumerHarness();

    /** Joins, a fourth member, a static leave and return, a leave, a new regex topic. */
    private List<Client> busyHistory() {
        h.createTopic("t", 12);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Client c = h.client("t");
            c.join();
            clients.add(c);
        }
        h.converge(clients);
        Client s = h.new Client(Uuid.randomUuid().toString(), "i1", List.of("t"), "extra.*", "uniform");
        s.join();
        clients.add(s);
        h.converge(clients);
        s.leave(-2);
        clients.remove(s);
        Client back = h.new Client(Uuid.randomUuid().toString(), "i1", List.of("t"), "extra.*", "uniform");
        back.join();
        clients.add(back);
        h.createTopic("extra1", 2);
        h.converge(clients);
        clients.remove(0).leave(-1);
        // Left in the middle of a reconciliation on purpose.
        clients.get(0).heartbeat();
        return clients;
    }

    @Test
    void replayingTheLogReproducesTheLiveState() {
        busyHistory();
        assertThat(h.group().members()).hasSize(3);
        CoordinatorState replayed = new CoordinatorState();
        h.log.records().forEach(replayed::replay);
        assertThat(replayed).isEqualTo(h.shard.state());
        CoordinatorState compacted = new CoordinatorState();
        List<CoordinatorRecord> kept = h.log.compacted();
        assertThat(kept.size()).isLessThan(h.log.records().size());
        kept.forEach(compacted::replay);
        assertThat(compacted).isEqualTo(h.shard.state());
    }

    @Test
    void aReloadedShardCarriesOnWhereTheOldOneStopped() {
        List<Client> clients = busyHistory();
        h.shard.close();
        ConsumerHarness restarted = new ConsumerHarness(h.log);
        restarted.image = h.image;
        assertThat(restarted.shard.state()).isEqualTo(h.shard.state());
        // The clients talk to the new coordinator as if nothing happened and converge.
        List<Client> moved = new ArrayList<>();
        for (Client c : clients) {
            Client m = restarted.new Client(c.memberId, c.instanceId, c.topics, c.regex, c.assignor);
            m.epoch = c.epoch;
            m.owned = c.owned;
            moved.add(m);
        }
        restarted.converge(moved);
        assertThat(moved.stream().mapToInt(Client::ownedCount).sum()).isEqualTo(14);
        // Sessions were re-armed on load: silent members expire.
        restarted.clock.advance(ConsumerHarness.SESSION_MS + HEARTBEAT_MS);
        assertThat(restarted.group().members()).isEmpty();
        assertThat(restarted.group().state()).isEqualTo(ConsumerGroup.State.EMPTY);
    }

    @Test
    void everyConsumerRecordRoundTrips() {
        Uuid topic = Uuid.randomUuid();
        PartitionSet ps = PartitionSet.of(Map.of(topic, List.of(3, 1, 2)));
        List<CoordinatorRecord> samples = List.of(
                new ConsumerRecords.GroupEpochRecord("g", new GroupEpoch(7, new TreeMap<>(Map.of("t",
                        new TopicMetadata(topic, 4))))),
                new ConsumerRecords.GroupEpochRecord("g", null),
                new ConsumerRecords.MemberRecord("g", "m", new MemberSubscription("i", "rack", "c", "/h",
                        List.of("b", "a"), "x.*", "range", 30_000)),
                new ConsumerRecords.MemberRecord("g", "m", new MemberSubscription(null, null, "c", "/h", List.of(),
                        null, null, 0)),
                new ConsumerRecords.MemberRecord("g", "m", null),
                new ConsumerRecords.TargetEpochRecord("g", 7),
                new ConsumerRecords.TargetRecord("g", "m", ps),
                new ConsumerRecords.TargetRecord("g", "m", PartitionSet.EMPTY),
                new ConsumerRecords.CurrentRecord("g", "m", new CurrentAssignment(5, 4,
                        ConsumerMemberState.UNREVOKED_PARTITIONS, ps, PartitionSet.of(Map.of(topic, List.of(0))))),
                new ConsumerRecords.CurrentRecord("g", "m", null));
        for (CoordinatorRecord r : samples) {
            byte[] key = CoordinatorRecordSerde.key(r);
            byte[] value = CoordinatorRecordSerde.value(r);
            CoordinatorRecord decoded = CoordinatorRecordSerde.decode(ByteBuffer.wrap(key),
                    value == null ? null : ByteBuffer.wrap(value));
            assertThat(decoded).isEqualTo(r);
            if (value != null) {
                for (int cut = 2; cut < value.length; cut++) {
                    byte[] truncated = Arrays.copyOf(value, cut);
                    assertThatThrownBy(() -> CoordinatorRecordSerde.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(truncated)))
                            .as("%s cut at %d", r, cut).isInstanceOf(CorruptRecordException.class);
                }
            }
        }
    }

    @Test
    void aCurrentAssignmentNeverHoldsAPartitionTwice() {
        Uuid topic = Uuid.randomUuid();
        PartitionSet ps = PartitionSet.of(Map.of(topic, List.of(1)));
        assertThatThrownBy(() -> new CurrentAssignment(1, 0, ConsumerMemberState.STABLE, ps, ps))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
