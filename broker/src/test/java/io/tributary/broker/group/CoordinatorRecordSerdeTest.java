package io.tributary.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.broker.group.CoordinatorRecord.GroupRecord;
import io.tributary.broker.group.CoordinatorRecord.MemberRecord;
import io.tributary.broker.group.CoordinatorRecord.OffsetRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/** The record encoding round-trips every field, including nulls and tombstones, and refuses malformed bytes. */
class CoordinatorRecordSerdeTest {
    private static final MemberMetadata MEMBER = new MemberMetadata("instance-é", "client", "/10.0.0.1", 300_000, 45_000,
            List.of(new MemberMetadata.Protocol("range", Bytes.wrap(new byte[] {1, 2, 3})),
                    new MemberMetadata.Protocol("cooperative-sticky", Bytes.wrap(new byte[0]))),
            Bytes.wrap(new byte[] {9, 8}));

    static List<CoordinatorRecord> samples() {
        return List.of(
                new GroupRecord("g", new GroupMetadata("consumer", 7, "range", "m-1", GroupState.STABLE, 123L)),
                new GroupRecord("g", new GroupMetadata(null, 0, null, null, GroupState.EMPTY, -1L)),
                new GroupRecord("g", null),
                new MemberRecord("g", "m-1", MEMBER),
                new MemberRecord("g", "m-2", new MemberMetadata(null, "", "", 1, 1,
                        List.of(new MemberMetadata.Protocol("p", Bytes.wrap(new byte[300]))), MemberMetadata.NO_ASSIGNMENT)),
                new MemberRecord("g", "m-1", null),
                new OffsetRecord("g", new TopicPartition("topic", 4), new CommittedOffset(Long.MAX_VALUE, -1, "", 1L, -1L)),
                new OffsetRecord("", new TopicPartition("t", 0), new CommittedOffset(0, 5, "x".repeat(5000), 2L, 3L)),
                new OffsetRecord("g", new TopicPartition("topic", 4), null));
    }

    @Test
    void everyRecordRoundTrips() {
        for (CoordinatorRecord r : samples()) {
            byte[] value = CoordinatorRecordSerde.value(r);
            assertThat(value == null).isEqualTo(r.tombstone());
            CoordinatorRecord decoded = CoordinatorRecordSerde.decode(ByteBuffer.wrap(CoordinatorRecordSerde.key(r)),
                    value == null ? null : ByteBuffer.wrap(value));
            assertThat(decoded).isEqualTo(r);
        }
    }

    @Test
    void aBatchRoundTripsInOrder() {
        MemoryRecords batch = CoordinatorBatches.encode(samples(), 42L);
        assertThat(batch.batches()).hasSize(1);
        List<CoordinatorRecord> out = new ArrayList<>();
        CoordinatorBatches.decode(batch, out::add);
        assertThat(out).isEqualTo(samples());
    }

    @Test
    void keysIdentifyWhatCompactionMerges() {
        byte[] a = CoordinatorRecordSerde.key(new OffsetRecord("g", new TopicPartition("t", 1), null));
        byte[] b = CoordinatorRecordSerde.key(new OffsetRecord("g", new TopicPartition("t", 1),
                new CommittedOffset(1, 1, "", 1, -1)));
        byte[] c = CoordinatorRecordSerde.key(new OffsetRecord("g", new TopicPartition("t", 2), null));
        byte[] d = CoordinatorRecordSerde.key(new GroupRecord("g", null));
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(d).isNotEqualTo(a);
    }

    @Test
    void malformedRecordsAreRefused() {
        CoordinatorRecord member = new MemberRecord("g", "m-1", MEMBER);
        byte[] key = CoordinatorRecordSerde.key(member);
        byte[] value = CoordinatorRecordSerde.value(member);
        for (int cut = 0; cut < value.length; cut++) {
            byte[] truncated = Arrays.copyOf(value, cut);
            assertThatThrownBy(() -> CoordinatorRecordSerde.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(truncated)))
                    .as("value cut at %d", cut).isInstanceOf(CorruptRecordException.class);
        }
        byte[] trailing = Arrays.copyOf(value, value.length + 1);
        assertThatThrownBy(() -> CoordinatorRecordSerde.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(trailing)))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("trailing");
        byte[] newer = value.clone();
        newer[1] = 1;
        assertThatThrownBy(() -> CoordinatorRecordSerde.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(newer)))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("version 1");
        byte[] unknownType = key.clone();
        unknownType[1] = 7;
        assertThatThrownBy(() -> CoordinatorRecordSerde.decode(ByteBuffer.wrap(unknownType), null))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("key type");
        assertThatThrownBy(() -> CoordinatorRecordSerde.decode(null, null)).isInstanceOf(CorruptRecordException.class);
        CoordinatorRecord group = new GroupRecord("g", new GroupMetadata("c", 1, "p", "l", GroupState.STABLE, 1L));
        byte[] groupValue = CoordinatorRecordSerde.value(group);
        groupValue[groupValue.length - 9] = 4; // state id of Dead, which is never stored
        assertThatThrownBy(() -> CoordinatorRecordSerde.decode(ByteBuffer.wrap(CoordinatorRecordSerde.key(group)),
                ByteBuffer.wrap(groupValue))).isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void replayRefusesTwoMembersWithOneInstanceId() {
        CoordinatorState state = new CoordinatorState();
        state.replay(new MemberRecord("g", "m-1", MEMBER));
        assertThatThrownBy(() -> state.replay(new MemberRecord("g", "m-2", MEMBER)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("instance-é");
    }
}
