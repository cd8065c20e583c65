package io.tributary.metadata;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A note a single voter leaves at a clean shutdown: "the snapshot at this path holds every metadata entry I ever
 * applied". With one voter nobody else can commit anything, so the next start may serve that snapshot's image
 * before Ratis has started.
 *
 * <p>The note is consumed (deleted, durably) before Ratis starts, whether it is used or not, because from then on
 * the log can grow past the snapshot. A crash therefore never leaves a note behind that is out of date. It is
 * checked twice: its own checksum, then the snapshot's MD5 that Ratis wrote beside the snapshot. Anything wrong
 * means the slow path, replaying through Ratis, never a failed start.
 */
final class CleanShutdownMarker {
  private static final Logger log = LoggerFactory.getLogger(CleanShutdownMarker.class);
  static final String FILE_NAME = "clean-shutdown-snapshot";

  private CleanShutdownMarker() {
  }

  static void write(Path raftDir, SingleFileSnapshotInfo snapshot) {
    Path file = raftDir.resolve(FILE_NAME);
    Path tmp = raftDir.resolve(FILE_NAME + ".writing");
    String body = snapshot.getIndex() + " " + raftDir.relativize(snapshot.getFile().getPath().toAbsolutePath()) + "\n";
    byte[] text = (body + checksum(body) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(text));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      MetadataSnapshotFile.syncDir(raftDir);
    } catch (IOException | RuntimeException e) {
      log.warn("Could not record the clean metadata shutdown in {}; the next start replays through Raft: {}",
          file, e.toString());
    }
  }

  /** The image of a clean shutdown and the snapshot file it was read from. */
  record LastClean(MetadataImage image, Path snapshot) {
  }

  /**
   * Deletes the note and returns the image of the snapshot it names, or null if there was no note or it cannot be
   * trusted.
   */
  static LastClean consume(Path raftDir, Path groupDir) {
    Path file = raftDir.resolve(FILE_NAME);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
      Files.delete(file);
      MetadataSnapshotFile.syncDir(raftDir);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot consume " + file
          + "; it must not outlive this start (delete it by hand to replay through Raft)", e);
    }
    try {
      String[] lines = text.split("\n");
      if (lines.length != 2 || !lines[1].equals(checksum(lines[0] + "\n"))) {
        throw new IOException("checksum mismatch");
      }
      String[] fields = lines[0].split(" ", 2);
      long index = Long.parseLong(fields[0]);
      Path snapshot = raftDir.resolve(fields[1]).normalize();
      if (!snapshot.startsWith(groupDir)) {
        throw new IOException("snapshot " + snapshot + " is outside " + groupDir);
      }
      MD5Hash md5 = MD5FileUtil.readStoredMd5ForFile(snapshot.toFile());
      MD5FileUtil.verifySavedMD5(snapshot.toFile(), md5);
      MetadataImage image = MetadataSnapshotFile.read(snapshot);
      log.debug("Clean shutdown snapshot {} at Raft index {}", snapshot, index);
      return new LastClean(image, snapshot);
    } catch (IOException | RuntimeException e) {
      log.warn("Ignoring {}: {}; replaying the metadata through Raft instead", file, e.toString());
      return null;
    }
  }

  private static String checksum(String body) {
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(crc.getValue());
  }
}
