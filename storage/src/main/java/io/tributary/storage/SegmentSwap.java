package io.tributary.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk protocol that replaces a group of old segments by one cleaned segment so that a crash at any moment
 * leaves exactly the old segments or exactly the new one (Kafka's protocol):
 *
 * <ol>
 *   <li>the cleaner writes {@code <base>.log/.index/.timeindex.cleaned} and fsyncs them;</li>
 *   <li>the index files, then the log file, are renamed to {@code .swap}. The rename of the log file is the commit
 *       point: from then on recovery finishes the swap instead of undoing it;</li>
 *   <li>the old segments are renamed to {@code .deleted} and handed to the delayed-delete queue (so zero-copy reads
 *       in flight keep a valid file);</li>
 *   <li>the index files, then the log file, lose the {@code .swap} suffix.</li>
 * </ol>
 *
 * <p>Recovery ({@link #recover}) deletes {@code .cleaned} files and {@code .swap} index files without a
 * {@code .log.swap} (steps 1-2: old state), and for every {@code <b>.log.swap} deletes the segment files with a base
 * offset in {@code [b, swapEnd)} before renaming it into place (steps 2-4: new state); its indexes are rebuilt by
 * the loader. That rule needs the cleaned segment to cover the whole offset range of the group it replaces, which is
 * why the cleaner always keeps the group's last batch (emptied of records if none survives): a swap segment's end
 * offset is then the old group's end offset.
 */
final class SegmentSwap {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSwap.class);

    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";

    /** The observable steps of a swap, in order; tests crash the broker at each of them. */
    enum Step {
        /** Cleaned files complete and fsynced; nothing renamed yet. */
        CLEANED_WRITTEN,
        /** Index files renamed to .swap; the log file is still .cleaned (not committed). */
        INDEXES_SWAPPED,
        /** Log file renamed to .swap: committed. */
        LOG_SWAPPED,
        /** One old segment renamed to .deleted (reported once per old segment). */
        OLD_SEGMENT_RETIRED,
        /** Index files have their final names; the log file is still .swap. */
        INDEXES_RENAMED,
        /** Log file has its final name: the swap is complete. */
        COMPLETED
    }

    /** Package-private observation point: called after each step (tests throw from it to simulate a crash). */
    @FunctionalInterface
    interface Hook {
        Hook NONE = (step, baseOffset) -> { };

        void after(Step step, long baseOffset) throws IOException;
    }

    private SegmentSwap() {
    }

    /** Step 2: rename .cleaned to .swap, indexes first, the log file last (the commit point). */
    static void commit(Path dir, LogSegment cleaned, Hook hook) throws IOException {
        cleaned.renameIndexFiles(dir, SWAP_SUFFIX);
        hook.after(Step.INDEXES_SWAPPED, cleaned.baseOffset);
        cleaned.renameLogFile(dir, SWAP_SUFFIX);
        Checkpoints.fsyncDirectory(dir);
        hook.after(Step.LOG_SWAPPED, cleaned.baseOffset);
    }

    /** Step 4: give the committed segment its final names, indexes first. */
    static void finish(Path dir, LogSegment cleaned, Hook hook) throws IOException {
        cleaned.renameIndexFiles(dir, "");
        hook.after(Step.INDEXES_RENAMED, cleaned.baseOffset);
        cleaned.renameLogFile(dir, "");
        Checkpoints.fsyncDirectory(dir);
        hook.after(Step.COMPLETED, cleaned.baseOffset);
    }

    /**
     * Resolves interrupted cleanings in a partition directory before its segments are listed (see the class
     * comment). Idempotent, so a crash during recovery is recovered the same way.
     */
    static void recover(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(files::add);
        }
        TreeMap<Long, Path> swapLogs = new TreeMap<>();
        boolean changed = false;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(CLEANED_SUFFIX)) {
                changed |= Files.deleteIfExists(file);
            } else if (name.endsWith(SWAP_SUFFIX)) {
                long base = LogFiles.offsetOf(stripSuffix(name, SWAP_SUFFIX), LogFiles.LOG_SUFFIX);
                if (base >= 0) {
                    swapLogs.put(base, file);
                }
            }
        }
        for (var swap : swapLogs.entrySet()) {
            long base = swap.getKey();
            long end = Math.max(base + 1, nextOffset(swap.getValue(), base));
            LOG.info("Completing an interrupted cleaner swap in {}: segment {} replaces the segments in [{}, {})",
                    dir, base, base, end);
            for (Path file : files) {
                String name = file.getFileName().toString();
                long old = Math.max(LogFiles.offsetOf(name, LogFiles.LOG_SUFFIX),
                        Math.max(LogFiles.offsetOf(name, LogFiles.INDEX_SUFFIX),
                                LogFiles.offsetOf(name, LogFiles.TIME_INDEX_SUFFIX)));
                if (old >= base && old < end) {
                    Files.deleteIfExists(file);
                }
            }
            // The loader rebuilds missing indexes; cheaper to reason about than trusting half-renamed ones.
            Files.deleteIfExists(LogFiles.withSuffix(LogFiles.offsetIndexFile(dir, base), SWAP_SUFFIX));
            Files.deleteIfExists(LogFiles.withSuffix(LogFiles.timeIndexFile(dir, base), SWAP_SUFFIX));
            Files.move(swap.getValue(), LogFiles.logFile(dir, base), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            changed = true;
        }
        // Index .swap files without a .log.swap: the swap never committed.
        for (Path file : files) {
            if (file.getFileName().toString().endsWith(SWAP_SUFFIX) && Files.exists(file)) {
                Files.delete(file);
                changed = true;
            }
        }
        // Only a directory this changed needs its entries made durable; every partition loads through here, and
        // an fsync per directory cost ~150 ms of a restart with 200 partitions.
        if (changed) {
            Checkpoints.fsyncDirectory(dir);
        }
    }

    private static String stripSuffix(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    /** Offset after the last complete batch of a segment file (the base offset if it has none). */
    private static long nextOffset(Path logFile, long base) throws IOException {
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.READ)) {
            BatchScanner scanner = new BatchScanner(BatchScanner.DEFAULT_WINDOW_BYTES);
            scanner.reset(channel, 0, channel.size());
            long next = base;
            while (scanner.next()) {
                next = Math.max(next, scanner.header().lastOffset() + 1);
            }
            return next;
        }
    }
}
