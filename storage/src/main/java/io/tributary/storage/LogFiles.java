package io.tributary.storage;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;

/**
 * Names of everything on disk, in one place so the layout matches Kafka's: {@code <topic>-<partition>} directories
 * holding {@code <20-digit base offset>.log/.index/.timeindex} segments and {@code <offset>.snapshot} producer
 * snapshots; deleted files get a {@code .deleted} suffix and deleted partitions a {@code .<uuid>-delete} directory.
 */
final class LogFiles {

    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String DELETED_SUFFIX = ".deleted";
    static final String TMP_SUFFIX = ".tmp";
    static final String DELETE_DIR_SUFFIX = "-delete";
    static final String PARTITION_METADATA = "partition.metadata";
    static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
    static final String CLEAN_SHUTDOWN_MARKER = ".kafka_cleanshutdown";
    static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    /** Kafka keeps the high watermark in this per-dir file too; it survives restarts the same way here. */
    static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";

    private LogFiles() {
    }

    /** The offset as 20 digits, zero-padded (Kafka's file names). Formatter was a visible cost of a restart. */
    static String offsetPrefix(long offset) {
        if (offset < 0) {
            return String.format(Locale.ROOT, "%020d", offset);
        }
        String digits = Long.toString(offset);
        return "00000000000000000000".substring(digits.length()) + digits;
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(offsetPrefix(baseOffset) + LOG_SUFFIX);
    }

    static Path offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetPrefix(baseOffset) + INDEX_SUFFIX);
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetPrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(offsetPrefix(offset) + SNAPSHOT_SUFFIX);
    }

    /** Offset encoded in a file name like {@code 00000000000000000042.log}, or -1 if the name is not one. */
    static long offsetOf(String fileName, String suffix) {
        if (!fileName.endsWith(suffix)) {
            return -1;
        }
        int digits = fileName.length() - suffix.length();
        if (digits != 20) {
            return -1;
        }
        // A plain loop: this runs for every file of every partition at load, before the JIT has compiled streams.
        long value = 0;
        for (int i = 0; i < digits; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1; // past Long.MAX_VALUE, as Long.parseLong would refuse
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static String partitionDirName(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /** Parses {@code <topic>-<partition>}; null for anything else (deleted dirs, stray files). */
    static TopicPartition parsePartitionDir(String name) {
        if (name.endsWith(DELETE_DIR_SUFFIX) || name.startsWith(".")) {
            return null;
        }
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            return partition < 0 ? null : new TopicPartition(name.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String deleteDirName(TopicPartition tp) {
        return partitionDirName(tp) + "." + UUID.randomUUID().toString().replace("-", "") + DELETE_DIR_SUFFIX;
    }

    static Path withSuffix(Path file, String suffix) {
        return file.resolveSibling(file.getFileName().toString() + suffix);
    }

    /** Deletes a directory tree, tolerating files that vanish meanwhile. */
    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
