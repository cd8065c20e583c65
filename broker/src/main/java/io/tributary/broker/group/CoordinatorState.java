package io.tributary.broker.group;

import io.tributary.broker.group.CoordinatorRecord.GroupRecord;
import io.tributary.broker.group.CoordinatorRecord.MemberRecord;
import io.tributary.broker.group.CoordinatorRecord.OffsetRecord;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The durable state of one coordinator shard: every group whose keys live in that partition. It changes only by
 * replaying records, both after a live append and when the partition is loaded, so the state after a restart is
 * exactly the state before it (and two replays of the same log are {@link #equals equal}).
 */
public final class CoordinatorState {
    private final Map<String, Group> groups = new HashMap<>();

    public Group group(String groupId) {
        return groups.get(groupId);
    }

    public Collection<Group> groups() {
        return Collections.unmodifiableCollection(groups.values());
    }

    /** Applies one record: its value replaces the key's previous value, a tombstone deletes the key. */
    public void replay(CoordinatorRecord record) {
        Group group = groups.computeIfAbsent(record.groupId(), Group::new);
        if (record instanceof GroupRecord r) {
            group.setMetadata(r.value());
        } else if (record instanceof MemberRecord r) {
            if (r.tombstone()) {
                group.removeMember(r.memberId());
            } else {
                group.putMember(r.memberId(), r.value());
            }
        } else if (record instanceof CoordinatorRecord.ConsumerGroupRecord r) {
            r.applyTo(group.consumerGroup());
        } else if (record instanceof OffsetRecord r) {
            if (r.tombstone()) {
                group.removeOffset(r.partition());
            } else {
                group.putOffset(r.partition(), r.value());
            }
        }
        if (group.vacant()) {
            groups.remove(record.groupId());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoordinatorState s && groups.equals(s.groups);
    }

    @Override
    public int hashCode() {
        return groups.hashCode();
    }

    @Override
    public String toString() {
        return "CoordinatorState" + groups.values();
    }
}
