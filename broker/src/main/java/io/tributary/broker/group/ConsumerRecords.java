package io.tributary.broker.group;

import io.tributary.broker.group.ConsumerGroupValues.CurrentAssignment;
import io.tributary.broker.group.ConsumerGroupValues.GroupEpoch;
import io.tributary.broker.group.ConsumerGroupValues.MemberSubscription;
import java.util.Objects;

/**
 * The records of a consumer-protocol (KIP-848) group, the same five kinds of keys Kafka uses: the group epoch with
 * its subscribed topics; each member's subscription; the target assignment epoch; each member's target assignment;
 * each member's current assignment. Each applies itself to the group's {@link ConsumerGroup} on replay; a null
 * value is a tombstone.
 */
public final class ConsumerRecords {
    private ConsumerRecords() {
    }

    /** Key (group). */
    public record GroupEpochRecord(String groupId, GroupEpoch value) implements CoordinatorRecord.ConsumerGroupRecord {
        public GroupEpochRecord {
            Objects.requireNonNull(groupId, "groupId");
        }

        @Override
        public void applyTo(ConsumerGroup group) {
            group.setGroupEpoch(value);
        }
    }

    /** Key (group, member). */
    public record MemberRecord(String groupId, String memberId, MemberSubscription value)
            implements CoordinatorRecord.ConsumerGroupRecord {
        public MemberRecord {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public void applyTo(ConsumerGroup group) {
            group.putMember(memberId, value);
        }
    }

    /** Key (group): the group epoch the target assignment was computed for. */
    public record TargetEpochRecord(String groupId, Integer value) implements CoordinatorRecord.ConsumerGroupRecord {
        public TargetEpochRecord {
            Objects.requireNonNull(groupId, "groupId");
        }

        @Override
        public void applyTo(ConsumerGroup group) {
            group.setTargetEpoch(value);
        }
    }

    /** Key (group, member). */
    public record TargetRecord(String groupId, String memberId, PartitionSet value)
            implements CoordinatorRecord.ConsumerGroupRecord {
        public TargetRecord {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public void applyTo(ConsumerGroup group) {
            group.putTarget(memberId, value);
        }
    }

    /** Key (group, member). */
    public record CurrentRecord(String groupId, String memberId, CurrentAssignment value)
            implements CoordinatorRecord.ConsumerGroupRecord {
        public CurrentRecord {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public void applyTo(ConsumerGroup group) {
            group.putCurrent(memberId, value);
        }
    }
}
