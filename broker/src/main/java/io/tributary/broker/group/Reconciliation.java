package io.tributary.broker.group;

import io.tributary.broker.group.ConsumerGroupValues.CurrentAssignment;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * KIP-848's incremental reconciliation of one member towards its target assignment.
 *
 * <p>The member keeps the partitions its current and target assignments share. Partitions it has but must not keep
 * are revoked first: it stays at its epoch in UNREVOKED_PARTITIONS, is sent only what it keeps, and moves on once
 * a heartbeat's owned partitions no longer include them. Partitions it should get are handed over only when no other
 * member holds them (assigned or still pending revocation); until then it waits at the target epoch in
 * UNRELEASED_PARTITIONS. So no partition is ever owned by two members, and a member that keeps a partition is never
 * asked to give it up.
 */
final class Reconciliation {
    /** Who holds a partition now: the holder's epoch, or -1 when nobody other than the member reconciled does. */
    interface PartitionEpochs {
        int epoch(Uuid topicId, int partition);
    }

    private Reconciliation() {
    }

    /**
     * The member's next current assignment.
     *
     * @param owned the partitions the member's heartbeat says it owns, or null when it did not say
     */
    static CurrentAssignment reconcile(CurrentAssignment current, PartitionSet target, int targetEpoch,
                                       PartitionSet owned, PartitionEpochs epochs) {
        return switch (current.state()) {
            case STABLE -> current.memberEpoch() == targetEpoch ? current : next(current, target, targetEpoch, owned, epochs);
            case UNREVOKED_PARTITIONS -> ownsAny(owned, current.pendingRevocation())
                    ? current : next(current, target, targetEpoch, owned, epochs);
            case UNRELEASED_PARTITIONS -> next(current, target, targetEpoch, owned, epochs);
        };
    }

    private static CurrentAssignment next(CurrentAssignment current, PartitionSet target, int targetEpoch,
                                          PartitionSet owned, PartitionEpochs epochs) {
        Map<Uuid, Set<Integer>> kept = new TreeMap<>();
        Map<Uuid, Set<Integer>> toRevoke = new TreeMap<>();
        Map<Uuid, Set<Integer>> toAssign = new TreeMap<>();
        boolean unreleased = false;
        Set<Uuid> topics = new TreeSet<>(target.byTopic().keySet());
        topics.addAll(current.assigned().byTopic().keySet());
        for (Uuid topic : topics) {
            Set<Integer> wanted = target.partitions(topic);
            for (int p : current.assigned().partitions(topic)) {
                (wanted.contains(p) ? kept : toRevoke).computeIfAbsent(topic, k -> new TreeSet<>()).add(p);
            }
            for (int p : wanted) {
                if (current.assigned().contains(topic, p)) {
                    continue;
                }
                if (epochs.epoch(topic, p) == -1) {
                    toAssign.computeIfAbsent(topic, k -> new TreeSet<>()).add(p);
                } else {
                    unreleased = true;
                }
            }
        }
        PartitionSet revoking = PartitionSet.of(toRevoke);
        if (!revoking.isEmpty() && ownsAny(owned, revoking)) {
            return new CurrentAssignment(current.memberEpoch(), current.memberEpoch(),
                    ConsumerMemberState.UNREVOKED_PARTITIONS, PartitionSet.of(kept), revoking);
        }
        toAssign.forEach((topic, ps) -> kept.computeIfAbsent(topic, k -> new TreeSet<>()).addAll(ps));
        return new CurrentAssignment(targetEpoch, current.memberEpoch(),
                unreleased ? ConsumerMemberState.UNRELEASED_PARTITIONS : ConsumerMemberState.STABLE,
                PartitionSet.of(kept), PartitionSet.EMPTY);
    }

    /** Whether the member may still own some of {@code partitions}: unknown (null) counts as yes. */
    static boolean ownsAny(PartitionSet owned, PartitionSet partitions) {
        return owned == null ? !partitions.isEmpty() : owned.intersects(partitions);
    }
}
