package io.tributary.broker.group;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The values stored for a consumer-protocol (KIP-848) group, one per record type; see {@link ConsumerRecords}.
 */
public final class ConsumerGroupValues {
    private ConsumerGroupValues() {
    }

    /** A topic as the group saw it when it last computed its subscribed topics. */
    public record TopicMetadata(Uuid id, int numPartitions) {
        public TopicMetadata {
            Objects.requireNonNull(id, "id");
            if (numPartitions < 0) {
                throw new IllegalArgumentException("negative partition count " + numPartitions);
            }
        }
    }

    /**
     * The group epoch and the metadata of every topic the members subscribe to (by name or regex). A change of
     * either bumps the epoch, which makes the coordinator compute a new target assignment.
     */
    public record GroupEpoch(int epoch, SortedMap<String, TopicMetadata> subscribedTopics) {
        public GroupEpoch {
            if (epoch < 0) {
                throw new IllegalArgumentException("negative group epoch " + epoch);
            }
            subscribedTopics = Collections.unmodifiableSortedMap(new TreeMap<>(subscribedTopics));
        }
    }

    /**
     * What a member asked for: its subscription, assignor and timeouts. Replaced whenever the member's heartbeat
     * changes any of it.
     *
     * @param topicNames     subscribed topic names, sorted
     * @param topicRegex     the RE2 subscription pattern, or null
     * @param serverAssignor the assignor the member prefers, or null for the default
     */
    public record MemberSubscription(String instanceId, String rackId, String clientId, String clientHost,
                                     List<String> topicNames, String topicRegex, String serverAssignor,
                                     int rebalanceTimeoutMs) {
        public MemberSubscription {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            topicNames = List.copyOf(topicNames.stream().sorted().distinct().toList());
        }
    }

    /**
     * Where a member is in its reconciliation: its epoch (and the one before, so a member whose heartbeat response
     * was lost is not fenced), its state, the partitions it may use and those it must give up.
     */
    public record CurrentAssignment(int memberEpoch, int previousMemberEpoch, ConsumerMemberState state,
                                    PartitionSet assigned, PartitionSet pendingRevocation) {
        public static final CurrentAssignment INITIAL = new CurrentAssignment(0, 0, ConsumerMemberState.STABLE,
                PartitionSet.EMPTY, PartitionSet.EMPTY);

        public CurrentAssignment {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(assigned, "assigned");
            Objects.requireNonNull(pendingRevocation, "pendingRevocation");
            if (assigned.intersects(pendingRevocation)) {
                throw new IllegalArgumentException("a partition cannot be both assigned and pending revocation");
            }
        }
    }
}
