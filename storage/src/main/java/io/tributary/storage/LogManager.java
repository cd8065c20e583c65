package io.tributary.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;

    private LogManager(List<Path> logDirs, LogConfig defaults, Time time, boolean hadCleanShutdown) {
        this.logDirs = List.copyOf(logDirs);
        this.defaults = defaults;
        this.time = time;
        this.hadCleanShutdown = hadCleanShutdown;
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
        boolean allClean = true;
        try {
            for (Path logDir : logDirs) {
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
                        tasks.add(new LoadTask(dir, tp, clean, new LogLoader.Checkpointed(
                                recoveryPoints.getOrDefault(tp, -1L), logStarts.getOrDefault(tp, -1L),
                                highWatermarks.getOrDefault(tp, -1L))));
                    }
                }
                // A directory without partitions has nothing to recover, marker or not.
                allClean &= clean || partitionDirs == 0;
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot open log directories " + logDirs + ": " + e, e);
        }
        LogManager manager = new LogManager(logDirs, defaults, time, allClean);
        manager.loadAll(tasks);
        try {
            for (Path logDir : logDirs) {
                // From now on a crash must be detected: the marker only comes back with a clean close().
                Files.deleteIfExists(logDir.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER));
            }
            manager.writeCheckpoints();
        } catch (IOException e) {
            manager.closeQuietly();
            throw new KafkaStorageException("Cannot prepare log directories " + logDirs + ": " + e, e);
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
                    log.setLogStartListener(() -> writeLogStartCheckpoint(log.dir().getParent()));
                    PartitionLog previous = logs.putIfAbsent(log.topicPartition(), log);
                    if (previous != null) {
                        failure = new KafkaStorageException("Partition " + log.topicPartition()
                                + " exists in two log directories: " + previous.dir() + " and " + log.dir());
                        log.close();
                    }
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    LOG.error("Failed to load {}", tasks.get(i).dir, e.getCause());
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
                reconcileTopicId(existing, topicId);
                existing.updateConfig(config);
                return existing;
            }
            Path dir = leastLoadedDir().resolve(LogFiles.partitionDirName(tp));
            try {
                Files.createDirectories(dir);
                if (topicId != null && !Uuid.ZERO_UUID.equals(topicId)) {
                    Checkpoints.writePartitionMetadata(dir, topicId);
                }
                PartitionLog log = LogLoader.load(dir, tp, topicId, config, time, deleteQueue, true,
                        LogLoader.Checkpointed.NONE);
                Checkpoints.fsyncDirectory(dir.getParent());
                log.setLogStartListener(() -> writeLogStartCheckpoint(log.dir().getParent()));
                logs.put(tp, log);
                LOG.info("Created log for {} in {}", tp, dir);
                return log;
            } catch (IOException e) {
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

    private Path leastLoadedDir() {
        Map<Path, Integer> counts = new HashMap<>();
        for (Path dir : logDirs) {
            counts.put(dir, 0);
        }
        for (PartitionLog log : logs.values()) {
            counts.computeIfPresent(log.dir().getParent(), (dir, n) -> n + 1);
        }
        Path best = logDirs.get(0);
        for (Path dir : logDirs) {
            if (counts.get(dir) < counts.get(best)) {
                best = dir;
            }
        }
        return best;
    }

    /**
     * Removes the partition: it leaves the map at once, its directory is renamed to
     * {@code <name>.<uuid>-delete}, and the files are deleted after file.delete.delay.ms so in-flight zero-copy
     * reads still complete.
     */
    public void deleteLog(TopicPartition tp) {
        PartitionLog log;
        synchronized (createLock) {
            log = logs.remove(tp);
        }
        if (log != null) {
            log.markDeletedAndScheduleRemoval();
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

    /** Retention pass over all logs; returns the number of segments deleted. */
    int runRetention() {
        int deleted = 0;
        for (PartitionLog log : logs.values()) {
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
        try {
            writeCheckpoints();
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot write checkpoints: " + e, e);
        }
    }

    /** Writes the recovery-point, log-start and high-watermark checkpoints of every log directory. */
    void writeCheckpoints() throws IOException {
        for (Path logDir : logDirs) {
            Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
            Map<TopicPartition, Long> highWatermarks = new HashMap<>();
            for (PartitionLog log : logs.values()) {
                if (logDir.equals(log.dir().getParent())) {
                    recoveryPoints.put(log.topicPartition(), log.recoveryPoint());
                    highWatermarks.put(log.topicPartition(), log.highWatermark());
                }
            }
            Checkpoints.writeOffsets(logDir.resolve(LogFiles.RECOVERY_POINT_CHECKPOINT), recoveryPoints);
            Checkpoints.writeOffsets(logDir.resolve(LogFiles.HIGH_WATERMARK_CHECKPOINT), highWatermarks);
            writeLogStartCheckpoint(logDir);
        }
    }

    /**
     * Rewrites one directory's log-start checkpoint. Also called right after a DeleteRecords so the deletion
     * survives a crash (retention needs no such care: the deleted segments are gone either way).
     */
    private void writeLogStartCheckpoint(Path logDir) {
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
        }
        RuntimeException failure = null;
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
                LOG.error("Failed to close the log of {}", log.topicPartition(), e);
            }
        }
        deleteQueue.runAll();
        if (failure != null) {
            throw failure;
        }
        try {
            writeCheckpoints();
            for (Path logDir : logDirs) {
                Checkpoints.writeAtomically(logDir.resolve(LogFiles.CLEAN_SHUTDOWN_MARKER), new byte[0]);
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot write shutdown checkpoints: " + e, e);
        }
        LOG.info("Closed {} partition logs cleanly", logs.size());
    }

    /** Crash simulation for tests: drops everything without flushing, checkpoints or marker. */
    void closeAbruptly() throws IOException {
        synchronized (this) {
            closed = true;
            stopScheduler();
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
