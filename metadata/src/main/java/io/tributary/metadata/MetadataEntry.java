package io.tributary.metadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The payload of one metadata Raft entry and of the state machine's reply to it.
 *
 * <pre>
 * entry := expectedLastAppliedIndex:int64 batch     (batch per MetadataRecordSerde; -1 = unconditional)
 * reply := status:int8 index:int64 reason:utf8*      (index: where the batch applied, or the image's index)
 * </pre>
 */
final class MetadataEntry {
  static final long UNCONDITIONAL = Long.MIN_VALUE;

  enum Status { APPLIED, STALE, REJECTED }

  private MetadataEntry() {
  }

  static byte[] encode(long expectedLastAppliedIndex, List<MetadataRecord> records) {
    byte[] batch = MetadataRecordSerde.encode(records);
    return ByteBuffer.allocate(8 + batch.length).putLong(expectedLastAppliedIndex).put(batch).array();
  }

  static long expectedIndex(ByteBuffer entry) {
    if (entry.remaining() < 8) {
      throw new CorruptMetadataException("Metadata entry too short: " + entry.remaining() + " bytes");
    }
    return entry.getLong(entry.position());
  }

  static List<MetadataRecord> records(ByteBuffer entry) {
    ByteBuffer batch = entry.duplicate();
    batch.position(batch.position() + 8);
    return MetadataRecordSerde.decode(batch);
  }

  static byte[] reply(Status status, long index, String reason) {
    byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(9 + text.length).put((byte) status.ordinal()).putLong(index).put(text).array();
  }

  /** Turns a reply into the applied index, or the exception the writer's future fails with. */
  static long parseReply(ByteBuffer reply, long expectedIndex) {
    ByteBuffer buf = reply.duplicate();
    Status status = Status.values()[buf.get()];
    long index = buf.getLong();
    byte[] text = new byte[buf.remaining()];
    buf.get(text);
    switch (status) {
      case APPLIED:
        return index;
      case STALE:
        throw new StaleImageException(expectedIndex, index);
      default:
        throw new CorruptMetadataException("The metadata batch was refused: " + new String(text, StandardCharsets.UTF_8));
    }
  }
}
