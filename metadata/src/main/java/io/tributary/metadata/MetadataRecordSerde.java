package io.tributary.metadata;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Compact, versioned binary codec for batches of {@link MetadataRecord}s: one batch is one Raft entry (or the body
 * of a snapshot), and is applied atomically.
 *
 * <pre>
 * batch  := formatVersion:int8 crc32c:int32 recordCount:uvarint record*
 * record := type:int8 version:int8 fields...
 * </pre>
 * The CRC32C covers everything after itself. Integers are zig-zag varints (ids are small, and -1 is common),
 * strings are uvarint(length + 1) then UTF-8 (0 = null), uuids are two fixed int64. Every record type carries
 * its own version so that a field can be added later without a new batch format; a decoder refuses versions
 * it does not know rather than guessing. Decoding never trusts a length: anything inconsistent, truncated,
 * trailing or failing the checksum raises {@link CorruptMetadataException}.
 */
public final class MetadataRecordSerde {
  static final byte FORMAT_VERSION = 0;
  private static final int HEADER_BYTES = 1 + 4;

  private static final byte CLUSTER_ID = 0;
  private static final byte TOPIC = 1;
  private static final byte PARTITION = 2;
  private static final byte REMOVE_TOPIC = 3;
  private static final byte CONFIG = 4;
  private static final byte REGISTER_BROKER = 5;
  private static final byte PRODUCER_IDS = 6;
  private static final byte RECORD_VERSION = 0;

  private MetadataRecordSerde() {
  }

  public static byte[] encode(List<? extends MetadataRecord> records) {
    Writer w = new Writer();
    w.byte8(FORMAT_VERSION);
    w.int32(0); // CRC placeholder
    w.uvarint(records.size());
    for (MetadataRecord r : records) {
      writeRecord(w, r);
    }
    byte[] out = w.toByteArray();
    ByteBuffer.wrap(out).putInt(1, crc(out, HEADER_BYTES, out.length - HEADER_BYTES));
    return out;
  }

  public static List<MetadataRecord> decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  /** Decodes the whole remaining content of {@code buffer} as one batch. */
  public static List<MetadataRecord> decode(ByteBuffer buffer) {
    ByteBuffer buf = buffer.slice();
    try {
      byte format = buf.get();
      if (format != FORMAT_VERSION) {
        throw new CorruptMetadataException("Unknown metadata batch format version " + format);
      }
      int storedCrc = buf.getInt();
      int computed = crc(buf);
      if (storedCrc != computed) {
        throw new CorruptMetadataException(String.format(
            "Metadata batch CRC mismatch: stored %08x, computed %08x", storedCrc, computed));
      }
      int count = readLength(buf);
      List<MetadataRecord> records = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        records.add(readRecord(buf));
      }
      if (buf.hasRemaining()) {
        throw new CorruptMetadataException(buf.remaining() + " unexpected trailing bytes in metadata batch");
      }
      return records;
    } catch (BufferUnderflowException e) {
      throw new CorruptMetadataException("Truncated metadata batch", e);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CorruptMetadataException("Invalid metadata record: " + e.getMessage(), e);
    }
  }

  private static void writeRecord(Writer w, MetadataRecord record) {
    if (record instanceof ClusterIdRecord r) {
      w.header(CLUSTER_ID);
      w.string(r.clusterId());
    } else if (record instanceof TopicRecord r) {
      w.header(TOPIC);
      w.string(r.name());
      w.uuid(r.topicId());
    } else if (record instanceof PartitionRecord r) {
      w.header(PARTITION);
      w.uuid(r.topicId());
      w.varint(r.partitionId());
      w.intArray(r.replicas());
      w.intArray(r.isr());
      w.varint(r.leader());
      w.varint(r.leaderEpoch());
      w.varint(r.partitionEpoch());
    } else if (record instanceof RemoveTopicRecord r) {
      w.header(REMOVE_TOPIC);
      w.uuid(r.topicId());
    } else if (record instanceof ConfigRecord r) {
      w.header(CONFIG);
      w.varint(r.resourceType().id());
      w.string(r.resourceName());
      w.string(r.key());
      w.string(r.value());
    } else if (record instanceof RegisterBrokerRecord r) {
      w.header(REGISTER_BROKER);
      w.varint(r.nodeId());
      w.uuid(r.incarnationId());
      w.uvarint(r.endpoints().size());
      for (Endpoint e : r.endpoints()) {
        w.string(e.name());
        w.string(e.host());
        w.varint(e.port());
        w.varint(e.securityProtocol().id);
      }
      w.string(r.rack());
    } else if (record instanceof ProducerIdsRecord r) {
      w.header(PRODUCER_IDS);
      w.varint(r.brokerId());
      w.varlong(r.nextProducerId());
    } else {
      throw new IllegalArgumentException("Unhandled record type " + record.getClass());
    }
  }

  private static MetadataRecord readRecord(ByteBuffer buf) {
    byte type = buf.get();
    byte version = buf.get();
    if (version != RECORD_VERSION) {
      throw new CorruptMetadataException("Unknown version " + version + " of metadata record type " + type);
    }
    switch (type) {
      case CLUSTER_ID:
        return new ClusterIdRecord(readString(buf));
      case TOPIC:
        return new TopicRecord(readString(buf), readUuid(buf));
      case PARTITION:
        return new PartitionRecord(readUuid(buf), readVarint(buf), readIntArray(buf), readIntArray(buf),
            readVarint(buf), readVarint(buf), readVarint(buf));
      case REMOVE_TOPIC:
        return new RemoveTopicRecord(readUuid(buf));
      case CONFIG:
        return new ConfigRecord(ConfigRecord.ResourceType.forId(readVarint(buf)), readString(buf),
            readString(buf), readString(buf));
      case REGISTER_BROKER: {
        int nodeId = readVarint(buf);
        Uuid incarnation = readUuid(buf);
        int n = readLength(buf);
        List<Endpoint> endpoints = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = readString(buf);
          String host = readString(buf);
          int port = readVarint(buf);
          int protocolId = readVarint(buf);
          SecurityProtocol protocol = protocolId == (short) protocolId ? SecurityProtocol.forId((short) protocolId)
              : null;
          if (protocol == null) {
            throw new CorruptMetadataException("Unknown security protocol id " + protocolId);
          }
          endpoints.add(new Endpoint(name, host, port, protocol));
        }
        return new RegisterBrokerRecord(nodeId, incarnation, endpoints, readString(buf));
      }
      case PRODUCER_IDS:
        return new ProducerIdsRecord(readVarint(buf), readVarlong(buf));
      default:
        throw new CorruptMetadataException("Unknown metadata record type " + type);
    }
  }

  static int crc(ByteBuffer buf) {
    CRC32C crc = new CRC32C();
    crc.update(buf.duplicate());
    return (int) crc.getValue();
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  // ---- primitive decoding ----

  private static long readUnsignedVarlong(ByteBuffer buf) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = buf.get();
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new CorruptMetadataException("Varint is too long");
  }

  private static long readVarlong(ByteBuffer buf) {
    long raw = readUnsignedVarlong(buf);
    return (raw >>> 1) ^ -(raw & 1);
  }

  private static int readVarint(ByteBuffer buf) {
    long v = readVarlong(buf);
    if (v != (int) v) {
      throw new CorruptMetadataException("Varint out of int range: " + v);
    }
    return (int) v;
  }

  /** A count or length: must fit in what is left of the buffer (every element takes at least one byte). */
  private static int readLength(ByteBuffer buf) {
    long n = readUnsignedVarlong(buf);
    if (n < 0 || n > buf.remaining()) {
      throw new CorruptMetadataException("Length " + n + " exceeds the " + buf.remaining() + " remaining bytes");
    }
    return (int) n;
  }

  private static String readString(ByteBuffer buf) {
    long n = readUnsignedVarlong(buf);
    if (n == 0) {
      return null;
    }
    if (n - 1 > buf.remaining() || n < 0) {
      throw new CorruptMetadataException("String length " + (n - 1) + " exceeds the remaining bytes");
    }
    byte[] bytes = new byte[(int) (n - 1)];
    buf.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static Uuid readUuid(ByteBuffer buf) {
    return new Uuid(buf.getLong(), buf.getLong());
  }

  private static int[] readIntArray(ByteBuffer buf) {
    int n = readLength(buf);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = readVarint(buf);
    }
    return out;
  }

  /** Growable output; metadata batches are small and rare, so simplicity beats buffer pooling here. */
  private static final class Writer {
    private byte[] buf = new byte[256];
    private int pos;

    private void ensure(int n) {
      if (pos + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    void byte8(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void header(byte type) {
      byte8(type);
      byte8(RECORD_VERSION);
    }

    void int32(int v) {
      ensure(4);
      ByteBuffer.wrap(buf, pos, 4).putInt(v);
      pos += 4;
    }

    void int64(long v) {
      ensure(8);
      ByteBuffer.wrap(buf, pos, 8).putLong(v);
      pos += 8;
    }

    void uvarint(long v) {
      ensure(10);
      while ((v & ~0x7fL) != 0) {
        buf[pos++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void varlong(long v) {
      uvarint((v << 1) ^ (v >> 63));
    }

    void varint(int v) {
      varlong(v);
    }

    void string(String s) {
      if (s == null) {
        uvarint(0);
        return;
      }
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      uvarint(bytes.length + 1L);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, pos, bytes.length);
      pos += bytes.length;
    }

    void uuid(Uuid id) {
      int64(id.getMostSignificantBits());
      int64(id.getLeastSignificantBits());
    }

    void intArray(int[] values) {
      uvarint(values.length);
      for (int v : values) {
        varint(v);
      }
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, pos);
    }
  }
}
