package io.tributary.metadata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The on-disk form of a state machine snapshot: the image as the records that rebuild it.
 *
 * <pre>
 * file := magic:int32 version:int8 lastAppliedIndex:int64 batch     (batch per MetadataRecordSerde, own CRC)
 * </pre>
 * Written to a temporary file, fsynced and renamed, so a crash never leaves a half-written snapshot under the
 * final name. Loading replays the records onto {@link MetadataImage#EMPTY}, the same code path as the log.
 */
final class MetadataSnapshotFile {
  private static final int MAGIC = 0x54524d53; // "TRMS"
  private static final byte VERSION = 0;
  private static final int HEADER_BYTES = 4 + 1 + 8;

  private MetadataSnapshotFile() {
  }

  static void write(Path file, MetadataImage image) throws IOException {
    byte[] batch = MetadataRecordSerde.encode(image.toRecords());
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + batch.length);
    buf.putInt(MAGIC).put(VERSION).putLong(image.lastAppliedIndex()).put(batch).flip();
    Path tmp = file.resolveSibling(file.getFileName() + ".writing");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Makes a rename or delete in {@code dir} durable. */
  static void syncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static MetadataImage read(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
    if (buf.remaining() < HEADER_BYTES || buf.getInt() != MAGIC) {
      throw new CorruptMetadataException("Not a metadata snapshot: " + file);
    }
    byte version = buf.get();
    if (version != VERSION) {
      throw new CorruptMetadataException("Unknown metadata snapshot version " + version + " in " + file);
    }
    long lastAppliedIndex = buf.getLong();
    try {
      return MetadataImage.EMPTY.apply(MetadataRecordSerde.decode(buf), lastAppliedIndex);
    } catch (IllegalStateException e) {
      throw new CorruptMetadataException("Snapshot " + file + " does not replay: " + e.getMessage(), e);
    }
  }
}
