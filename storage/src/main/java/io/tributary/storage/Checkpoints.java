package io.tributary.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small text files in Kafka's checkpoint format ({@code version\ncount\nentries...}), written atomically
 * (temp file, fsync, rename, fsync directory) so a crash leaves either the old or the new content, never a mix.
 * A malformed file is reported and treated as absent: the caller falls back to the safe, slower path (e.g. full
 * recovery).
 */
final class Checkpoints {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    private static final int VERSION = 0;

    private Checkpoints() {
    }

    /** Reads a per-dir {@code topic partition offset} file. Missing or malformed: empty map. */
    static Map<TopicPartition, Long> readOffsets(Path file) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String[] fields : readEntries(file, 3)) {
            try {
                offsets.put(new TopicPartition(fields[0], Integer.parseInt(fields[1])), Long.parseLong(fields[2]));
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring malformed checkpoint {}", file);
                return new HashMap<>();
            }
        }
        return offsets;
    }

    static void writeOffsets(Path file, Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder text = header(offsets.size());
        offsets.forEach((tp, offset) -> text.append(tp.topic()).append(' ').append(tp.partition()).append(' ')
                .append(offset).append('\n'));
        writeAtomically(file, text.toString());
    }

    /** Reads {@code epoch startOffset} lines of a leader-epoch-checkpoint. Missing or malformed: empty. */
    static List<long[]> readEpochs(Path file) {
        List<long[]> epochs = new ArrayList<>();
        for (String[] fields : readEntries(file, 2)) {
            try {
                epochs.add(new long[] {Integer.parseInt(fields[0]), Long.parseLong(fields[1])});
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring malformed leader epoch checkpoint {}", file);
                return new ArrayList<>();
            }
        }
        return epochs;
    }

    static void writeEpochs(Path file, List<long[]> epochs) throws IOException {
        StringBuilder text = header(epochs.size());
        for (long[] entry : epochs) {
            text.append(entry[0]).append(' ').append(entry[1]).append('\n');
        }
        writeAtomically(file, text.toString());
    }

    /** Kafka's partition.metadata: {@code version: 0} and {@code topic_id: <uuid>}. */
    static void writePartitionMetadata(Path dir, Uuid topicId) throws IOException {
        writeAtomically(dir.resolve(LogFiles.PARTITION_METADATA), "version: 0\ntopic_id: " + topicId + "\n");
    }

    /** The topic id in partition.metadata, or null if the file is missing or unreadable. */
    static Uuid readPartitionMetadata(Path dir) {
        Path file = dir.resolve(LogFiles.PARTITION_METADATA);
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("topic_id:")) {
                    return Uuid.fromString(line.substring("topic_id:".length()).trim());
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Ignoring unreadable {}: {}", file, e.toString());
        }
        return null;
    }

    private static StringBuilder header(int count) {
        return new StringBuilder().append(VERSION).append('\n').append(count).append('\n');
    }

    private static List<String[]> readEntries(Path file, int fieldsPerLine) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable checkpoint {}: {}", file, e.toString());
            return List.of();
        }
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                throw new IllegalArgumentException("bad header");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (count < 0 || lines.size() < 2 + count) {
                throw new IllegalArgumentException("expected " + count + " entries");
            }
            List<String[]> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String[] fields = lines.get(2 + i).trim().split(" ");
                if (fields.length != fieldsPerLine) {
                    throw new IllegalArgumentException("bad line " + lines.get(2 + i));
                }
                entries.add(fields);
            }
            return entries;
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring malformed checkpoint {}: {}", file, e.getMessage());
            return List.of();
        }
    }

    /** Replaces {@code file} with {@code content} so that a crash leaves one version or the other intact. */
    static void writeAtomically(Path file, String content) throws IOException {
        writeAtomically(file, content.getBytes(StandardCharsets.UTF_8));
    }

    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = LogFiles.withSuffix(file, LogFiles.TMP_SUFFIX);
        if (DiskFaults.writableBytes(tmp, content.length) < content.length) {
            throw DiskFaults.noSpace(tmp);
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(file.getParent());
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems do not allow syncing a directory; the rename is still atomic there.
            LOG.debug("Could not fsync directory {}: {}", dir, e.toString());
        }
    }
}
