package io.tributary.broker.group;

import io.tributary.broker.group.CoordinatorRecord.ConsumerGroupRecord;
import io.tributary.broker.group.CoordinatorRecordSerde.Decoder;
import io.tributary.broker.group.CoordinatorRecordSerde.Encoder;
import io.tributary.broker.group.ConsumerGroupValues.CurrentAssignment;
import io.tributary.broker.group.ConsumerGroupValues.GroupEpoch;
import io.tributary.broker.group.ConsumerGroupValues.MemberSubscription;
import io.tributary.broker.group.ConsumerGroupValues.TopicMetadata;
import io.tributary.broker.group.ConsumerRecords.CurrentRecord;
import io.tributary.broker.group.ConsumerRecords.GroupEpochRecord;
import io.tributary.broker.group.ConsumerRecords.MemberRecord;
import io.tributary.broker.group.ConsumerRecords.TargetEpochRecord;
import io.tributary.broker.group.ConsumerRecords.TargetRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;

/**
 * The encoding of consumer-protocol group records, in {@link CoordinatorRecordSerde}'s primitives. Key types: 103
 * group epoch (group), 104 member subscription (group, member), 105 target assignment epoch (group), 106 target
 * assignment (group, member), 107 current assignment (group, member). A partition set is a varint topic count,
 * then per topic its 16-byte id, a varint partition count and the partitions as int32, in ascending order.
 */
final class ConsumerRecordSerde {
    static final short GROUP_EPOCH_KEY = 103;
    static final short MEMBER_KEY = 104;
    static final short TARGET_EPOCH_KEY = 105;
    static final short TARGET_KEY = 106;
    static final short CURRENT_KEY = 107;

    private ConsumerRecordSerde() {
    }

    static void key(ConsumerGroupRecord record, Encoder e) {
        if (record instanceof GroupEpochRecord r) {
            e.int16(GROUP_EPOCH_KEY).string(r.groupId());
        } else if (record instanceof MemberRecord r) {
            e.int16(MEMBER_KEY).string(r.groupId()).string(r.memberId());
        } else if (record instanceof TargetEpochRecord r) {
            e.int16(TARGET_EPOCH_KEY).string(r.groupId());
        } else if (record instanceof TargetRecord r) {
            e.int16(TARGET_KEY).string(r.groupId()).string(r.memberId());
        } else if (record instanceof CurrentRecord r) {
            e.int16(CURRENT_KEY).string(r.groupId()).string(r.memberId());
        } else {
            throw new IllegalArgumentException("unknown consumer group record " + record);
        }
    }

    static void value(ConsumerGroupRecord record, Encoder e) {
        if (record instanceof GroupEpochRecord r) {
            e.int32(r.value().epoch()).varint(r.value().subscribedTopics().size());
            for (Map.Entry<String, TopicMetadata> t : r.value().subscribedTopics().entrySet()) {
                e.string(t.getKey());
                uuid(e, t.getValue().id());
                e.int32(t.getValue().numPartitions());
            }
        } else if (record instanceof MemberRecord r) {
            MemberSubscription v = r.value();
            e.string(v.instanceId()).string(v.rackId()).string(v.clientId()).string(v.clientHost())
                    .varint(v.topicNames().size());
            v.topicNames().forEach(e::string);
            e.string(v.topicRegex()).string(v.serverAssignor()).int32(v.rebalanceTimeoutMs());
        } else if (record instanceof TargetEpochRecord r) {
            e.int32(r.value());
        } else if (record instanceof TargetRecord r) {
            partitions(e, r.value());
        } else if (record instanceof CurrentRecord r) {
            CurrentAssignment v = r.value();
            e.int32(v.memberEpoch()).int32(v.previousMemberEpoch()).int8(v.state().id);
            partitions(e, v.assigned());
            partitions(e, v.pendingRevocation());
        }
    }

    /** Decodes the key fields after the type and the value (null: tombstone). */
    static ConsumerGroupRecord decode(short type, Decoder k, Decoder v) {
        return switch (type) {
            case GROUP_EPOCH_KEY -> new GroupEpochRecord(k.requiredString(), v == null ? null : groupEpoch(v));
            case MEMBER_KEY -> new MemberRecord(k.requiredString(), k.requiredString(), v == null ? null : member(v));
            case TARGET_EPOCH_KEY -> new TargetEpochRecord(k.requiredString(), v == null ? null : v.int32());
            case TARGET_KEY -> new TargetRecord(k.requiredString(), k.requiredString(), v == null ? null : partitions(v));
            case CURRENT_KEY -> new CurrentRecord(k.requiredString(), k.requiredString(), v == null ? null
                    : new CurrentAssignment(v.int32(), v.int32(), ConsumerMemberState.fromId(v.int8()), partitions(v),
                    partitions(v)));
            default -> throw new CorruptRecordException("unknown coordinator record key type " + type);
        };
    }

    private static GroupEpoch groupEpoch(Decoder v) {
        int epoch = v.int32();
        int count = count(v, 21);
        TreeMap<String, TopicMetadata> topics = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            topics.put(v.requiredString(), new TopicMetadata(uuid(v), v.int32()));
        }
        return new GroupEpoch(epoch, topics);
    }

    private static MemberSubscription member(Decoder v) {
        String instanceId = v.string();
        String rackId = v.string();
        String clientId = v.requiredString();
        String clientHost = v.requiredString();
        int count = count(v, 1);
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(v.requiredString());
        }
        return new MemberSubscription(instanceId, rackId, clientId, clientHost, names, v.string(), v.string(), v.int32());
    }

    private static void partitions(Encoder e, PartitionSet set) {
        e.varint(set.byTopic().size());
        for (Map.Entry<Uuid, SortedSet<Integer>> t : set.byTopic().entrySet()) {
            uuid(e, t.getKey());
            e.varint(t.getValue().size());
            t.getValue().forEach(e::int32);
        }
    }

    private static PartitionSet partitions(Decoder v) {
        int topics = count(v, 17);
        Map<Uuid, List<Integer>> out = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            Uuid id = uuid(v);
            int n = count(v, 4);
            List<Integer> ps = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                ps.add(v.int32());
            }
            out.put(id, ps);
        }
        return PartitionSet.of(out);
    }

    /** A count of items of at least {@code minBytes} each, checked against what is left. */
    private static int count(Decoder v, int minBytes) {
        int count = v.varint();
        if (count < 0 || (long) count * minBytes > v.remaining()) {
            throw new CorruptRecordException("record claims " + count + " items in " + v.remaining() + " bytes");
        }
        return count;
    }

    private static void uuid(Encoder e, Uuid id) {
        e.int64(id.getMostSignificantBits()).int64(id.getLeastSignificantBits());
    }

    private static Uuid uuid(Decoder v) {
        return new Uuid(v.int64(), v.int64());
    }
}
