package io.tributary.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first records of a brand-new single-voter cluster (its id and this node's registration), kept durably
 * until they are committed as the first entry of the Raft log.
 *
 * <p>Kafka writes such bootstrap records with {@code kafka-storage format} before its first start. Here the
 * broker writes them itself at its first start, once it knows its endpoint, and serves them at once while Ratis
 * formats and elects itself in the background. Whatever a client saw (the cluster id above all) must survive a
 * crash in that window, hence this file: written in the snapshot format (its batch has a CRC), fsynced and renamed
 * before anything is served, and deleted only after the entry is committed. A start that finds it replays through
 * Raft and writes the records unless the log already has a cluster id.
 */
final class BootstrapFile {
  private static final Logger log = LoggerFactory.getLogger(BootstrapFile.class);
  static final String FILE_NAME = "bootstrap-records";

  private BootstrapFile() {
  }

  /** Writes the image's records durably; the caller may serve them once this returns. */
  static void write(Path raftDir, MetadataImage image) {
    try {
      MetadataSnapshotFile.write(raftDir.resolve(FILE_NAME), image);
      MetadataSnapshotFile.syncDir(raftDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bootstrap metadata to " + raftDir, e);
    }
  }

  /** The bootstrap image a previous start left uncommitted, or null if there is none (or it does not read). */
  static MetadataImage read(Path raftDir) {
    Path file = raftDir.resolve(FILE_NAME);
    try {
      return MetadataSnapshotFile.read(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | CorruptMetadataException e) {
      // Only complete files are ever renamed into place, so this is a damaged disk, not a torn write.
      log.warn("Ignoring unreadable bootstrap metadata {}: {}; the cluster gets a new id", file, e.toString());
      return null;
    }
  }

  /** Called once the records are committed; a leftover file is harmless, so failures are only logged. */
  static void delete(Path raftDir) {
    try {
      Files.deleteIfExists(raftDir.resolve(FILE_NAME));
    } catch (IOException e) {
      log.warn("Could not delete {} in {}: {}", FILE_NAME, raftDir, e.toString());
    }
  }
}
