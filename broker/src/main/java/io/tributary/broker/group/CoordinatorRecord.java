package io.tributary.broker.group;

import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * One keyed change to the coordinator state, as written to {@code __consumer_offsets}. Replay is "the latest value
 * of each key wins; a null value deletes the key", so log compaction never changes what a replay produces.
 */
public sealed interface CoordinatorRecord {
    String groupId();

    /** True when the record deletes its key. */
    boolean tombstone();

    /** The group-level metadata of a classic group; key (group). */
    record GroupRecord(String groupId, GroupMetadata value) implements CoordinatorRecord {
        public GroupRecord {
            Objects.requireNonNull(groupId, "groupId");
        }

        @Override
        public boolean tombstone() {
            return value == null;
        }
    }

    /** One member of a classic group; key (group, member id). */
    record MemberRecord(String groupId, String memberId, MemberMetadata value) implements CoordinatorRecord {
        public MemberRecord {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public boolean tombstone() {
            return value == null;
        }
    }

    /** A record of a consumer-protocol (KIP-848) group; the kinds are in {@link ConsumerRecords}. */
    non-sealed interface ConsumerGroupRecord extends CoordinatorRecord {
        /** The value, null for a tombstone. */
        Object value();

        @Override
        default boolean tombstone() {
            return value() == null;
        }

        /** Replays this record into the group's consumer-protocol state. */
        void applyTo(ConsumerGroup group);
    }

    /** A committed offset; key (group, topic, partition). */
    record OffsetRecord(String groupId, TopicPartition partition, CommittedOffset value) implements CoordinatorRecord {
        public OffsetRecord {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(partition, "partition");
        }

        @Override
        public boolean tombstone() {
            return value == null;
        }
    }
}
