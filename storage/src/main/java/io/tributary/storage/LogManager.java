package io.tributary.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All partition logs of a broker across its log directories: opening (and recovering) them at startup, creating
 * and deleting them, the background housekeeping thread, and the per-directory checkpoint files that make the next
 * startup fast ({@code recovery-point-offset-checkpoint}, {@code log-start-offset-checkpoint},
 * {@code replication-offset-checkpoint}, and the {@code .kafka_cleanshutdown} marker written by {@link #close()}).
 *
 * <p>Several log directories: a new partition goes to the online directory holding the fewest partitions, and
 * among equals to the one with the most usable space. An I/O error anywhere in a directory (a full disk, a failed
 * device) takes that directory offline, as Kafka's log dir failure handling does: every log in it refuses reads
 * and writes from then on (KafkaStorageException, which clients see as KAFKA_STORAGE_ERROR), nothing more is
 * written there (no checkpoints, no clean-shutdown marker), and the other directories carry on. A restart with the
 * directory healthy again recovers its logs from their files, cutting any batch a failed write left torn. Only if
 * no directory can be opened does startup fail.
 */
public final class LogManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    private static final long HOUSEKEEPING_INTERVAL_MS_MAX = 1000;

    private final List<Path> logDirs;
    private final LogConfig defaults;
    private final Time time;
    private final FileDeleteQueue deleteQueue = new FileDeleteQueue();
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    private final Object logStartCheckpointLock = new Object();
    private final boolean hadCleanShutdown;
    private final Set<Path> offlineDirs = ConcurrentHashMap.newKeySet();
    /** Partitions found in a directory that failed while the broker started: they must not be recreated elsewhere. */
    private final ConcurrentHashMap<TopicPartition, Path> unloadedOfflineLogs = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;
    /** Log compaction progress, kept (and lowered on truncation) even while the cleaner is not running. */
    private final CleanerCheckpoints cleanerCheckpoints;
    /** The log cleaner, once {@link #startCleaner} ran. */
    private LogCleaner cleaner;

    private LogManager(List<Path> logDirs, LogConfig defaults, Time time, boolean hadCleanShutdown) {
        this.logDirs = List.copyOf(logDirs);
        this.defaults = defaults;
        this.time = time;
        this.hadCleanShutdown = hadCleanShutdown;
        this.cleanerCheckpoints = CleanerCheckpoints.load(this.logDirs, this::logs);
    }

    /**
     * Opens every partition directory in {@code logDirs} (created if missing), recovering those that were not
     * shut down cleanly. Partitions load in parallel on a small pool.
     */
    public static LogManager open(List<Path> logDirs, LogConfig defaults, Time time) {
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("At least one log directory is required");
        }
        List<LoadTask> tasks = new ArrayList<>();
        Map<Path, IOException> failedDirs = new LinkedHashMap<>();
        Map<TopicPartition, Path> unloaded = new HashMap<>();
        boolean allClean = true;
        for (Path logDir : logDirs) {
            List<LoadTask> dirTasks = new ArrayList<>();
            try {
                Files.createDirectories(logDir);
                boolean clean = Files.exists(logDir.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER));
                Map<TopicPartition, Long> recoveryPoints =
                        Checkpoints.readOffsets(logDir.resolve(LogFiles.RECOVERY_POINT_CHECKPOINT));
                Map<TopicPartition, Long> logStarts =
                        Checkpoints.readOffsets(logDir.resolve(LogFiles.LOG_START_OFFSET_CHECKPOINT));
                Map<TopicPartition, Long> highWatermarks =
                        Checkpoints.readOffsets(logDir.resolve(LogFiles.HIGH_WATERMARK_CHECKPOINT));
                int partitionDirs = 0;
                try (DirectoryStream<Path> stream = Files.newDirectoryStream(logDir, Files::isDirectory)) {
                    for (Path dir : stream) {
                        String name = dir.getFileName().toString();
                        if (name.endsWith(LogFiles.DELETE_DIR_SUFFIX)) {
                            LogFiles.deleteRecursively(dir);
                            continue;
                        }
                        TopicPartition tp = LogFiles.parsePartitionDir(name);
                        if (tp == null) {
                            continue;
                        }
                        partitionDirs++;
                        dirTasks.add(new LoadTask(dir, tp, clean, new LogLoader.Checkpointed(
                                recoveryPoints.getOrDefault(tp, -1L), logStarts.getOrDefault(tp, -1L),
                                highWatermarks.getOrDefault(tp, -1L))));
                    }
                }
                // A directory without partitions has nothing to recover, marker or not.
                allClean &= clean || partitionDirs == 0;
                tasks.addAll(dirTasks);
            } catch (IOException e) {
                failedDirs.put(logDir, e);
                dirTasks.forEach(task -> unloaded.put(task.tp, logDir));
                allClean = false;
            }
        }
        if (failedDirs.size() == logDirs.size()) {
            IOException first = failedDirs.values().iterator().next();
            throw new KafkaStorageException("Cannot open any of the log directories " + logDirs + ": " + first, first);
        }
        LogManager manager = new LogManager(logDirs, defaults, time, allClean);
        manager.unloadedOfflineLogs.putAll(unloaded);
        failedDirs.forEach((dir, e) -> manager.markDirOffline(dir, "open it", e));
        manager.loadAll(tasks);
        for (Path logDir : logDirs) {
            if (manager.isOffline(logDir)) {
                continue;
            }
            try {
                // From now on a crash must be detected: the marker only comes back with a clean close().
                Files.deleteIfExists(logDir.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER));
            } catch (IOException e) {
                manager.markDirOffline(logDir, "remove its clean-shutdown marker", e);
            }
        }
        manager.writeCheckpoints();
        if (manager.offlineDirs.size() == logDirs.size()) {
            manager.closeQuietly();
            throw new KafkaStorageException("Every log directory of " + logDirs + " failed while starting");
        }
        return manager;
    }

    private record LoadTask(Path dir, TopicPartition tp, boolean clean, LogLoader.Checkpointed checkpointed) {
    }

    private void loadAll(List<LoadTask> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        int threads = Math.max(1, Math.min(tasks.size(), Math.min(4, Runtime.getRuntime().availableProcessors())));
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads("tributary-log-loader"));
        try {
            List<Future<PartitionLog>> futures = new ArrayList<>();
            for (LoadTask task : tasks) {
                futures.add(pool.submit(() -> LogLoader.load(task.dir, task.tp, null, defaults, time, deleteQueue,
                        task.clean, task.checkpointed)));
            }
            Throwable failure = null;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    PartitionLog log = futures.get(i).get();
                    PartitionLog previous = logs.putIfAbsent(log.topicPartition(), log);
                    if (previous != null) {
                        failure = new KafkaStorageException("Partition " + log.topicPartition()
                                + " exists in two log directories: " + previous.dir() + " and " + log.dir());
                        log.close();
                    } else {
                        register(log);
                    }
                } catch (ExecutionException e) {
                    LoadTask task = tasks.get(i);
                    if (isStorageFailure(e.getCause())) {
                        // The disk, not the data: only this directory goes offline, the broker starts without it.
                        unloadedOfflineLogs.put(task.tp, task.dir.getParent());
                        markDirOffline(task.dir.getParent(), "load " + task.dir, e.getCause());
                        continue;
                    }
                    failure = failure == null ? e.getCause() : failure;
                    LOG.error("Failed to load {}", task.dir, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = e;
                }
            }
            if (failure != null) {
                closeQuietly();
                throw new KafkaStorageException("Failed to load partition logs: " + failure, failure);
            }
        } finally {
            pool.shutdownNow();
        }
        LOG.info("Loaded {} partition logs from {}", logs.size(), logDirs);
    }

    private static boolean isStorageFailure(Throwable t) {
        return t instanceof IOException || t instanceof java.io.UncheckedIOException
                || t instanceof KafkaStorageException;
    }

    /** Wires a log that just joined the map to its directory's checkpoints and failure handling. */
    private void register(PartitionLog log) {
        Path logDir = log.dir().getParent();
        log.setLogStartListener(() -> writeLogStartCheckpoint(logDir));
        log.setTruncationListener(newEnd -> cleanerCheckpoints.onTruncation(log, newEnd));
        log.setDirFailureListener(e -> markDirOffline(logDir, "access the log of " + log.topicPartition(), e));
        if (offlineDirs.contains(logDir)) {
            log.markOffline();
        }
    }

    public boolean hadCleanShutdown() {
        return hadCleanShutdown;
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    public PartitionLog log(TopicPartition tp) {
        return logs.get(tp);
    }

    public Collection<PartitionLog> logs() {
        return List.copyOf(logs.values());
    }

    /**
     * Returns the partition's log, creating it (in the log directory holding the fewest partitions) if absent. For
     * an existing log the given config replaces the current one.
     *
     * @throws InconsistentTopicIdException if the log on disk belongs to a different topic id
     */
    public PartitionLog getOrCreateLog(TopicPartition tp, Uuid topicId, LogConfig config) {
        Objects.requireNonNull(config, "config");
        synchronized (createLock) {
            ensureOpen();
            PartitionLog existing = logs.get(tp);
            if (existing != null) {
                if (!existing.isOffline()) {
                    reconcileTopicId(existing, topicId);
                }
                existing.updateConfig(config);
                return existing;
            }
            Path offlineHome = unloadedOfflineLogs.get(tp);
            if (offlineHome != null) {
                throw new KafkaStorageException("The log of " + tp + " is in the offline log directory " + offlineHome);
            }
            Path logDir = placementDir();
            Path dir = logDir.resolve(LogFiles.partitionDirName(tp));
            try {
                Files.createDirectories(dir);
                if (topicId != null && !Uuid.ZERO_UUID.equals(topicId)) {
                    Checkpoints.writePartitionMetadata(dir, topicId);
                }
                PartitionLog log = LogLoader.load(dir, tp, topicId, config, time, deleteQueue, true,
                        LogLoader.Checkpointed.NONE);
                Checkpoints.fsyncDirectory(dir.getParent());
                logs.put(tp, log);
                register(log);
                LOG.info("Created log for {} in {}", tp, dir);
                return log;
            } catch (IOException | java.io.UncheckedIOException e) {
                markDirOffline(logDir, "create the log of " + tp, e);
                throw new KafkaStorageException("Cannot create the log of " + tp + " in " + dir + ": " + e, e);
            }
        }
    }

    private static void reconcileTopicId(PartitionLog log, Uuid topicId) {
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId)) {
            return;
        }
        Uuid current = log.topicId();
        if (Uuid.ZERO_UUID.equals(current)) {
            try {
                log.updateTopicId(topicId);
            } catch (IOException e) {
                throw new KafkaStorageException("Cannot record the topic id of " + log.topicPartition(), e);
            }
        } else if (!current.equals(topicId)) {
            throw new InconsistentTopicIdException("Log of " + log.topicPartition() + " belongs to topic id "
                    + current + ", not " + topicId);
        }
    }

    /**
     * Where a new partition goes: the online directory with the fewest partitions, then the most usable space.
     * Directories sharing a file system have the same free space, so among those the configured order decides.
     */
    private Path placementDir() {
        Map<Path, Integer> counts = new HashMap<>();
        for (Path dir : logDirs) {
            counts.put(dir, 0);
        }
        for (PartitionLog log : logs.values()) {
            counts.computeIfPresent(log.dir().getParent(), (dir, n) -> n + 1);
        }
        Map<Object, Long> usableByStore = new HashMap<>();
        Path best = null;
        long bestUsable = -1;
        for (Path dir : logDirs) {
            if (isOffline(dir)) {
                continue;
            }
            long usable = usableBytes(dir, usableByStore);
            if (best == null || counts.get(dir) < counts.get(best)
                    || counts.get(dir).equals(counts.get(best)) && usable > bestUsable) {
                best = dir;
                bestUsable = usable;
            }
        }
        if (best == null) {
            throw new KafkaStorageException("No log directory is online: " + offlineDirs + " failed");
        }
        return best;
    }

    private static long usableBytes(Path dir, Map<Object, Long> usableByStore) {
        try {
            FileStore store = Files.getFileStore(dir);
            Long known = usableByStore.get(store);
            if (known == null) {
                known = store.getUsableSpace();
                usableByStore.put(store, known);
            }
            return known;
        } catch (IOException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- directory failure

    /**
     * Takes a log directory offline after an I/O error (Kafka's LogDirFailureChannel): every log in it refuses
     * reads and writes from now on. Idempotent; only the first failure of a directory is logged.
     */
    void markDirOffline(Path logDir, String action, Throwable cause) {
        if (!offlineDirs.add(logDir)) {
            return;
        }
        int partitions = 0;
        for (PartitionLog log : logs.values()) {
            if (logDir.equals(log.dir().getParent())) {
                log.markOffline();
                partitions++;
            }
        }
        LOG.error("Log directory {} is OFFLINE after an I/O error trying to {} ({}). Its {} partition(s) answer "
                        + "KAFKA_STORAGE_ERROR to reads and writes until the broker restarts with the directory healthy; "
                        + "the other log directories keep working.", logDir, action, cause, partitions + unloadedCount(logDir),
                cause);
        if (offlineDirs.size() == logDirs.size()) {
            LOG.error("Every log directory of this broker is offline: {}", logDirs);
        }
    }

    private int unloadedCount(Path logDir) {
        int n = 0;
        for (Path dir : unloadedOfflineLogs.values()) {
            n += dir.equals(logDir) ? 1 : 0;
        }
        return n;
    }

    public boolean isOffline(Path logDir) {
        return offlineDirs.contains(logDir);
    }

    public Set<Path> offlineDirs() {
        return Set.copyOf(offlineDirs);
    }

    /** What DescribeLogDirs reports about one directory; sizes are -1 and the map empty for an offline one. */
    public record LogDirStatus(Path dir, boolean offline, long totalBytes, long usableBytes,
                               Map<TopicPartition, Long> partitionSizes) {
    }

    /** Per directory: online or not, file-system total and usable bytes, and each partition's log size. */
    public List<LogDirStatus> describeLogDirs() {
        List<LogDirStatus> result = new ArrayList<>(logDirs.size());
        for (Path dir : logDirs) {
            if (isOffline(dir)) {
                result.add(new LogDirStatus(dir, true, -1, -1, Map.of()));
                continue;
            }
            long total = -1;
            long usable = -1;
            try {
                FileStore store = Files.getFileStore(dir);
                total = store.getTotalSpace();
                usable = store.getUsableSpace();
            } catch (IOException e) {
                LOG.warn("Cannot read the space of {}: {}", dir, e.toString());
            }
            Map<TopicPartition, Long> sizes = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (dir.equals(log.dir().getParent())) {
                    sizes.put(log.topicPartition(), log.sizeInBytes());
                }
            }
            result.add(new LogDirStatus(dir, false, total, usable, Map.copyOf(sizes)));
        }
        return result;
    }

    /**
     * Removes the partition: it leaves the map at once, its directory is renamed to
     * {@code <name>.<uuid>-delete}, and the files are deleted after file.delete.delay.ms so in-flight zero-copy
     * reads still complete. Its cleaner state (checkpoint, uncleanable mark, tombstone horizon) goes too, so a
     * partition recreated under the same name is compacted from its start.
     */
    public void deleteLog(TopicPartition tp) {
        PartitionLog log;
        synchronized (createLock) {
            log = logs.remove(tp);
        }
        if (log != null) {
            try {
                log.markDeletedAndScheduleRemoval();
            } finally {
                // After the log is closed (the first thing the call above does), so a cleaning still running on it
                // cannot record anything afterwards.
                LogCleaner logCleaner = cleaner();
                if (logCleaner != null) {
                    logCleaner.forget(log);
                } else {
                    cleanerCheckpoints.forget(log);
                }
            }
            LOG.info("Scheduled deletion of the log of {}", tp);
        }
    }

    /** Live config change for one partition (takes effect for the next append, roll or retention check). */
    public void updateConfig(TopicPartition tp, LogConfig config) {
        PartitionLog log = logs.get(tp);
        if (log != null) {
            log.updateConfig(config);
        }
    }

    /**
     * Starts the single housekeeping thread: retention every {@code retentionCheckIntervalMs}, checkpoints every
     * {@code recoveryCheckpointIntervalMs}, and (at most every second) time-based flush and roll plus due file
     * deletions.
     */
    public synchronized void startBackgroundTasks(long retentionCheckIntervalMs, long recoveryCheckpointIntervalMs) {
        if (retentionCheckIntervalMs <= 0 || recoveryCheckpointIntervalMs <= 0) {
            throw new IllegalArgumentException("Intervals must be positive");
        }
        ensureOpen();
        if (scheduler != null) {
            throw new IllegalStateException("Background tasks already started");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("tributary-log-scheduler"));
        scheduler.scheduleWithFixedDelay(guarded("retention", this::runRetention), retentionCheckIntervalMs,
                retentionCheckIntervalMs, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(guarded("checkpoint", this::writeCheckpointsUnchecked),
                recoveryCheckpointIntervalMs, recoveryCheckpointIntervalMs, TimeUnit.MILLISECONDS);
        long tickMs = Math.min(HOUSEKEEPING_INTERVAL_MS_MAX,
                Math.min(retentionCheckIntervalMs, recoveryCheckpointIntervalMs));
        scheduler.scheduleWithFixedDelay(guarded("housekeeping", this::runHousekeeping), tickMs, tickMs,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the log cleaner (compaction of cleanup.policy=compact logs) with the broker's {@code log.cleaner.*}
     * settings. With {@code log.cleaner.enable=false} nothing runs until {@link #updateCleanerConfig} enables it.
     */
    public synchronized void startCleaner(CleanerConfig config) {
        Objects.requireNonNull(config, "config");
        ensureOpen();
        if (cleaner == null) {
            cleaner = new LogCleaner(config, this::logs, cleanerCheckpoints, time);
        }
        // A config set by updateCleanerConfig before the start is newer than the static one: it stays.
        cleaner.startup();
    }

    /**
     * Dynamic change of the {@code log.cleaner.*} settings: the I/O rate applies at once; thread count and memory
     * restart the cleaner threads (a cleaning in progress is abandoned and redone). Before {@link #startCleaner}
     * the config is kept for the start (and tests use the idle cleaner to run passes on their own thread).
     */
    public synchronized void updateCleanerConfig(CleanerConfig config) {
        Objects.requireNonNull(config, "config");
        ensureOpen();
        if (cleaner == null) {
            cleaner = new LogCleaner(config, this::logs, cleanerCheckpoints, time);
        } else {
            cleaner.reconfigure(config);
        }
    }

    /** The cleaner, or null before {@link #startCleaner}/{@link #updateCleanerConfig} (tests drive it directly). */
    synchronized LogCleaner cleaner() {
        return cleaner;
    }

    CleanerCheckpoints cleanerCheckpoints() {
        return cleanerCheckpoints;
    }

    private void stopCleaner() {
        if (cleaner != null) {
            cleaner.shutdown();
        }
    }

    /** Retention pass over all logs; returns the number of segments deleted. */
    int runRetention() {
        int deleted = 0;
        for (PartitionLog log : logs.values()) {
            if (log.isOffline()) {
                continue;
            }
            try {
                deleted += log.deleteOldSegments();
            } catch (RuntimeException e) {
                LOG.error("Retention failed for {}", log.topicPartition(), e);
            }
        }
        return deleted;
    }

    /** Time-based flush and roll, then due deletions. */
    void runHousekeeping() {
        long nowMs = time.milliseconds();
        for (PartitionLog log : logs.values()) {
            if (log.isOffline()) {
                continue;
            }
            try {
                log.maybeRollByTime(nowMs);
                log.maybeFlushByTime(nowMs);
            } catch (RuntimeException e) {
                LOG.error("Housekeeping failed for {}", log.topicPartition(), e);
            }
        }
        deleteQueue.runDue(time.milliseconds());
    }

    FileDeleteQueue deleteQueue() {
        return deleteQueue;
    }

    private void writeCheckpointsUnchecked() {
        writeCheckpoints();
    }

    /**
     * Writes the recovery-point, log-start and high-watermark checkpoints of every online log directory; a
     * directory that cannot be written goes offline, the others are still written.
     */
    void writeCheckpoints() {
        for (Path logDir : logDirs) {
            if (isOffline(logDir)) {
                continue;
            }
            Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
            Map<TopicPartition, Long> highWatermarks = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (logDir.equals(log.dir().getParent())) {
                    recoveryPoints.put(log.topicPartition(), log.recoveryPoint());
                    highWatermarks.put(log.topicPartition(), log.highWatermark());
                }
            }
            try {
                Checkpoints.writeOffsets(logDir.resolve(LogFiles.RECOVERY_POINT_CHECKPOINT), recoveryPoints);
                Checkpoints.writeOffsets(logDir.resolve(LogFiles.HIGH_WATERMARK_CHECKPOINT), highWatermarks);
                cleanerCheckpoints.write(logDir);
            } catch (IOException e) {
                markDirOffline(logDir, "write its checkpoints", e);
                continue;
            }
            try {
                writeLogStartCheckpoint(logDir);
            } catch (KafkaStorageException e) {
                // Already offline and logged; the other directories still get their checkpoints.
            }
        }
    }

    /**
     * Rewrites one directory's log-start checkpoint. Also called right after a DeleteRecords so the deletion
     * survives a crash (retention needs no such care: the deleted segments are gone either way).
     */
    private void writeLogStartCheckpoint(Path logDir) {
        if (isOffline(logDir)) {
            throw new KafkaStorageException("Log directory " + logDir + " is offline");
        }
        synchronized (logStartCheckpointLock) {
            Map<TopicPartition, Long> logStarts = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (logDir.equals(log.dir().getParent())) {
                    logStarts.put(log.topicPartition(), log.logStartOffset());
                }
            }
            try {
                Checkpoints.writeOffsets(logDir.resolve(LogFiles.LOG_START_OFFSET_CHECKPOINT), logStarts);
            } catch (IOException e) {
                markDirOffline(logDir, "write its log start checkpoint", e);
                throw new KafkaStorageException("Cannot write the log start checkpoint in " + logDir + ": " + e, e);
            }
        }
    }

    /**
     * Clean shutdown: stops the background thread, flushes and closes every log (writing producer snapshots),
     * writes the checkpoints, finishes pending deletions and writes the clean-shutdown marker in each directory.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopScheduler();
            stopCleaner();
        }
        RuntimeException failure = null;
        Set<Path> unclean = new HashSet<>();
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                Path logDir = log.dir().getParent();
                unclean.add(logDir);
                if (!isOffline(logDir)) {
                    // Not a disk failure (that took the directory offline and was logged): report it.
                    failure = failure == null ? e : failure;
                    LOG.error("Failed to close the log of {}", log.topicPartition(), e);
                }
                try {
                    log.closeAbruptly();
                } catch (IOException ignored) {
                    // Releasing the file handles is all that is left to do.
                }
            }
        }
        deleteQueue.runAll();
        writeCheckpoints();
        int cleanDirs = 0;
        for (Path logDir : logDirs) {
            // An offline directory gets no marker: the next start recovers whatever a failed write left there.
            if (isOffline(logDir) || unclean.contains(logDir)) {
                continue;
            }
            try {
                Checkpoints.writeAtomically(logDir.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER), new byte[0]);
                cleanDirs++;
            } catch (IOException e) {
                markDirOffline(logDir, "write its clean-shutdown marker", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        LOG.info("Closed {} partition logs; {} of {} log directories shut down cleanly", logs.size(), cleanDirs,
                logDirs.size());
    }

    /** Crash simulation for tests: drops everything without flushing, checkpoints or marker. */
    void closeAbruptly() throws IOException {
        synchronized (this) {
            closed = true;
            stopScheduler();
            stopCleaner();
        }
        for (PartitionLog log : logs.values()) {
            log.closeAbruptly();
        }
    }

    private void closeQuietly() {
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                LOG.warn("Failed to close {}", log.topicPartition(), e);
            }
        }
        logs.clear();
    }

    private void stopScheduler() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("The log manager is closed");
        }
    }

    private static Runnable guarded(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // Swallowed so the scheduler keeps running the task; the failure is logged.
                LOG.error("Background task {} failed", name, e);
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
