package io.tributary.broker.group;

import io.tributary.broker.group.CoordinatorRecord.GroupRecord;
import io.tributary.broker.group.CoordinatorRecord.MemberRecord;
import io.tributary.broker.group.CoordinatorRecord.OffsetRecord;
import io.tributary.broker.group.MemberMetadata.Protocol;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.utils.Bytes;

/**
 * Tributary's own key/value encoding of coordinator records (not Kafka's: the key types are chosen so that Kafka's
 * formatter would refuse rather than misread them).
 *
 * <p>Key: int16 key type (100 offset commit, 101 group metadata, 102 member; 103-107 consumer-protocol groups, see {@link ConsumerRecordSerde}) followed by the key fields. Value:
 * int16 value version (0) followed by the fields; a tombstone has no value. Strings and byte arrays are prefixed
 * with an unsigned varint of length + 1, 0 meaning null, as Kafka's compact encodings are. Decoding checks every
 * length and refuses unknown types, unknown versions and trailing bytes with a {@link CorruptRecordException}.
 */
public final class CoordinatorRecordSerde {
    static final short OFFSET_KEY = 100;
    static final short GROUP_KEY = 101;
    static final short MEMBER_KEY = 102;
    static final short VALUE_VERSION = 0;

    private CoordinatorRecordSerde() {
    }

    public static byte[] key(CoordinatorRecord record) {
        Encoder e = new Encoder(64);
        if (record instanceof OffsetRecord r) {
            e.int16(OFFSET_KEY).string(r.groupId()).string(r.partition().topic()).int32(r.partition().partition());
        } else if (record instanceof GroupRecord r) {
            e.int16(GROUP_KEY).string(r.groupId());
        } else if (record instanceof MemberRecord r) {
            e.int16(MEMBER_KEY).string(r.groupId()).string(r.memberId());
        } else if (record instanceof CoordinatorRecord.ConsumerGroupRecord r) {
            ConsumerRecordSerde.key(r, e);
        }
        return e.toArray();
    }

    /** The value bytes, or null for a tombstone. */
    public static byte[] value(CoordinatorRecord record) {
        if (record.tombstone()) {
            return null;
        }
        Encoder e = new Encoder(128).int16(VALUE_VERSION);
        if (record instanceof OffsetRecord r) {
            CommittedOffset v = r.value();
            e.int64(v.offset()).int32(v.leaderEpoch()).string(v.metadata()).int64(v.commitTimestampMs())
                    .int64(v.expireTimestampMs());
        } else if (record instanceof GroupRecord r) {
            GroupMetadata v = r.value();
            e.string(v.protocolType()).int32(v.generationId()).string(v.protocolName()).string(v.leaderId())
                    .int8(v.state().id).int64(v.stateTimestampMs());
        } else if (record instanceof MemberRecord r) {
            MemberMetadata v = r.value();
            e.string(v.groupInstanceId()).string(v.clientId()).string(v.clientHost()).int32(v.rebalanceTimeoutMs())
                    .int32(v.sessionTimeoutMs()).varint(v.protocols().size());
            for (Protocol p : v.protocols()) {
                e.string(p.name()).bytes(p.metadata().get());
            }
            e.bytes(v.assignment().get());
        } else if (record instanceof CoordinatorRecord.ConsumerGroupRecord r) {
            ConsumerRecordSerde.value(r, e);
        }
        return e.toArray();
    }

    /** Decodes a record from its key and value (null value = tombstone). */
    public static CoordinatorRecord decode(ByteBuffer key, ByteBuffer value) {
        if (key == null) {
            throw new CorruptRecordException("coordinator record without a key");
        }
        try {
            Decoder k = new Decoder(key);
            short type = k.int16();
            Decoder v = value == null ? null : new Decoder(value);
            if (v != null) {
                short version = v.int16();
                if (version != VALUE_VERSION) {
                    throw new CorruptRecordException("coordinator record value version " + version
                            + " is not supported (written by a newer broker?)");
                }
            }
            CoordinatorRecord record = switch (type) {
                case OFFSET_KEY -> new OffsetRecord(k.requiredString(), new TopicPartition(k.requiredString(), k.int32()),
                        v == null ? null : new CommittedOffset(v.int64(), v.int32(), v.requiredString(), v.int64(), v.int64()));
                case GROUP_KEY -> new GroupRecord(k.requiredString(), v == null ? null : new GroupMetadata(v.string(),
                        v.int32(), v.string(), v.string(), GroupState.fromId(v.int8()), v.int64()));
                case MEMBER_KEY -> new MemberRecord(k.requiredString(), k.requiredString(), v == null ? null : member(v));
                default -> ConsumerRecordSerde.decode(type, k, v);
            };
            k.expectEnd("key");
            if (v != null) {
                v.expectEnd("value");
            }
            return record;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("malformed coordinator record: " + e, e);
        }
    }

    private static MemberMetadata member(Decoder v) {
        String instanceId = v.string();
        String clientId = v.requiredString();
        String clientHost = v.requiredString();
        int rebalanceTimeoutMs = v.int32();
        int sessionTimeoutMs = v.int32();
        int count = v.varint();
        if (count > v.remaining()) {
            throw new CorruptRecordException("member record claims " + count + " protocols in " + v.remaining() + " bytes");
        }
        List<Protocol> protocols = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            protocols.add(new Protocol(v.requiredString(), Bytes.wrap(v.requiredBytes())));
        }
        return new MemberMetadata(instanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocols,
                Bytes.wrap(v.requiredBytes()));
    }

    /** A growable big-endian writer. */
    static final class Encoder {
        private final ByteArrayOutputStream out;

        Encoder(int sizeHint) {
            out = new ByteArrayOutputStream(sizeHint);
        }

        Encoder int8(byte b) {
            out.write(b);
            return this;
        }

        Encoder int16(short s) {
            out.write(s >>> 8);
            out.write(s);
            return this;
        }

        Encoder int32(int i) {
            out.write(i >>> 24);
            out.write(i >>> 16);
            out.write(i >>> 8);
            out.write(i);
            return this;
        }

        Encoder int64(long l) {
            int32((int) (l >>> 32));
            return int32((int) l);
        }

        Encoder varint(int value) {
            int v = value;
            while ((v & 0xFFFFFF80) != 0) {
                out.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write(v);
            return this;
        }

        Encoder string(String s) {
            return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        Encoder bytes(byte[] b) {
            if (b == null) {
                return varint(0);
            }
            varint(b.length + 1);
            out.write(b, 0, b.length);
            return this;
        }

        byte[] toArray() {
            return out.toByteArray();
        }
    }

    /** A bounds-checked reader over one key or value. */
    static final class Decoder {
        private final ByteBuffer in;

        Decoder(ByteBuffer buffer) {
            in = buffer.duplicate();
        }

        byte int8() {
            return in.get();
        }

        short int16() {
            return in.getShort();
        }

        int int32() {
            return in.getInt();
        }

        long int64() {
            return in.getLong();
        }

        int remaining() {
            return in.remaining();
        }

        int varint() {
            int value = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = in.get();
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new CorruptRecordException("varint longer than 5 bytes");
        }

        byte[] bytes() {
            int lengthPlusOne = varint();
            if (lengthPlusOne == 0) {
                return null;
            }
            int length = lengthPlusOne - 1;
            if (length < 0 || length > in.remaining()) {
                throw new CorruptRecordException("length " + length + " exceeds the " + in.remaining() + " bytes left");
            }
            byte[] b = new byte[length];
            in.get(b);
            return b;
        }

        byte[] requiredBytes() {
            byte[] b = bytes();
            if (b == null) {
                throw new CorruptRecordException("null where bytes are required");
            }
            return b;
        }

        String string() {
            byte[] b = bytes();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        String requiredString() {
            String s = string();
            if (s == null) {
                throw new CorruptRecordException("null where a string is required");
            }
            return s;
        }

        void expectEnd(String what) {
            if (in.hasRemaining()) {
                throw new CorruptRecordException(in.remaining() + " unexpected trailing bytes in a coordinator record " + what);
            }
        }
    }
}
