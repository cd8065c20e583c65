package io.tributary.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction in the background (Kafka's LogCleaner + LogCleanerManager): {@code log.cleaner.threads} threads
 * each repeatedly pick the dirtiest compacted log nobody else is cleaning ({@link CleaningCandidate}: highest dirty
 * ratio above min.cleanable.dirty.ratio, or forced by max.compaction.lag.ms or by a tombstone whose delete horizon
 * passed), clean it with their own {@link Cleaner} (and its fixed offset map), store the progress in the
 * {@link CleanerCheckpoints}, and back off for {@code log.cleaner.backoff.ms} when nothing needs cleaning. All
 * threads share one I/O {@link Throttler}.
 *
 * <p>A log whose cleaning fails with anything but an abort (corrupt batch, I/O error in a segment that is still live
 * and unchanged) is marked uncleanable until the next restart, as in Kafka, so one bad partition does not make the
 * cleaner spin. Races with retention, DeleteRecords or truncation abort the cleaning instead (see {@link Cleaner}).
 *
 * <p>A deleted log's state (uncleanable mark, tombstone horizon, checkpoint) is dropped by {@link #forget}; a
 * cleaning still running on it records nothing, so a partition recreated under the same name starts afresh.
 *
 * <p>Threads are never interrupted (an interrupt would close the shared FileChannels of the segments being read);
 * stopping sets a flag that the cleaners check between batches and the throttler checks while sleeping.
 */
final class LogCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    private static final long JOIN_TIMEOUT_MS = 60_000;

    private final Supplier<Collection<PartitionLog>> logs;
    private final CleanerCheckpoints checkpoints;
    private final Time time;
    private final Throttler throttler;
    private final Set<TopicPartition> inProgress = new HashSet<>();
    private final Set<TopicPartition> uncleanable = ConcurrentHashMap.newKeySet();
    /** Earliest delete horizon each log's last cleaning wrote; when it passes the log is cleaned again. */
    private final Map<TopicPartition, Long> tombstoneHorizons = new ConcurrentHashMap<>();
    private final Object backoffMonitor = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private volatile CleanerConfig config;
    private volatile boolean stopping;
    private volatile SegmentSwap.Hook hook = SegmentSwap.Hook.NONE;
    private boolean started;
    /** The cleaner of synchronous test passes ({@link #cleanNow}), created on demand. */
    private Cleaner callerCleaner;

    LogCleaner(CleanerConfig config, Supplier<Collection<PartitionLog>> logs, CleanerCheckpoints checkpoints,
               Time time) {
        this.config = config;
        this.logs = logs;
        this.checkpoints = checkpoints;
        this.time = time;
        this.throttler = new Throttler(config.ioMaxBytesPerSecond(), time, () -> stopping);
    }

    CleanerConfig config() {
        return config;
    }

    Throttler throttler() {
        return throttler;
    }

    void setHook(SegmentSwap.Hook hook) {
        this.hook = hook;
    }

    /** Starts the threads if log.cleaner.enable is true (and whenever a later reconfiguration enables it). */
    synchronized void startup() {
        started = true;
        startThreads();
    }

    private void startThreads() {
        if (!config.enabled() || !threads.isEmpty()) {
            return;
        }
        stopping = false;
        for (int i = 0; i < config.threads(); i++) {
            Cleaner cleaner = newCleaner();
            Thread thread = new Thread(() -> runThread(cleaner), "tributary-log-cleaner-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        LOG.info("Started {} log cleaner thread(s), {} bytes of offset map each", config.threads(),
                config.dedupeBufferBytesPerThread());
    }

    /**
     * Applies new broker settings: the I/O rate at once, everything else by stopping the threads (an ongoing
     * cleaning is abandoned and redone later) and starting new ones, as Kafka's reconfiguration does.
     */
    synchronized void reconfigure(CleanerConfig newConfig) {
        CleanerConfig old = config;
        config = newConfig;
        throttler.setRate(newConfig.ioMaxBytesPerSecond());
        boolean restart = old.enabled() != newConfig.enabled() || old.threads() != newConfig.threads()
                || old.dedupeBufferBytes() != newConfig.dedupeBufferBytes()
                || old.ioBufferBytes() != newConfig.ioBufferBytes()
                || old.ioBufferLoadFactor() != newConfig.ioBufferLoadFactor();
        if (restart) {
            callerCleaner = null;
            if (started) {
                stopThreads();
                startThreads();
            }
        }
    }

    /** Stops the threads, waiting for them to leave their current batch. */
    synchronized void shutdown() {
        started = false;
        stopThreads();
    }

    private void stopThreads() {
        stopping = true;
        synchronized (backoffMonitor) {
            backoffMonitor.notifyAll();
        }
        for (Thread thread : threads) {
            try {
                thread.join(JOIN_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (thread.isAlive()) {
                LOG.warn("Log cleaner thread {} did not stop within {} ms", thread.getName(), JOIN_TIMEOUT_MS);
            }
        }
        threads.clear();
    }

    boolean isRunning() {
        return !threads.isEmpty() && !stopping;
    }

    private Cleaner newCleaner() {
        CleanerConfig c = config;
        Cleaner cleaner = new Cleaner(c.dedupeBufferBytesPerThread(), c.ioBufferLoadFactor(), c.ioBufferBytes(),
                throttler, time, () -> stopping);
        cleaner.setHook((step, base) -> hook.after(step, base));
        return cleaner;
    }

    private void runThread(Cleaner cleaner) {
        while (!stopping) {
            boolean cleaned = false;
            try {
                cleaned = cleanFilthiestLog(cleaner);
            } catch (RuntimeException e) {
                LOG.error("Log cleaner pass failed", e);
            }
            if (!cleaned) {
                synchronized (backoffMonitor) {
                    if (!stopping) {
                        try {
                            backoffMonitor.wait(Math.max(1, config.backoffMs()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Picks, cleans and releases the dirtiest log; false if no log needed cleaning (the thread backs off). */
    boolean cleanFilthiestLog(Cleaner cleaner) {
        CleaningCandidate selected = grabFilthiestLog(true);
        if (selected == null) {
            return false;
        }
        Cleaner.Result result;
        try {
            result = runCleaning(cleaner, selected);
        } finally {
            release(selected.log().topicPartition());
        }
        return result == null || !result.skipped();
    }

    /** One synchronous pass on the caller's thread (tests, and a broker with the threads disabled). */
    synchronized boolean cleanFilthiestLog() {
        return cleanFilthiestLog(callerCleaner());
    }

    /**
     * Cleans {@code log} now on the caller's thread whatever its dirty ratio (the high watermark, the active
     * segment and min.compaction.lag.ms still bound it). Returns null if another thread is cleaning it.
     */
    synchronized Cleaner.Result cleanNow(PartitionLog log) {
        TopicPartition tp = log.topicPartition();
        synchronized (inProgress) {
            if (!inProgress.add(tp)) {
                return null;
            }
        }
        try {
            CleaningCandidate candidate = CleaningCandidate.of(log, checkpoints.firstDirtyOffset(tp),
                    tombstoneHorizons.getOrDefault(tp, Long.MAX_VALUE), time.milliseconds());
            return runCleaning(callerCleaner(), candidate);
        } catch (IOException e) {
            throw new org.apache.kafka.common.errors.KafkaStorageException("Cannot measure " + tp + ": " + e, e);
        } finally {
            release(tp);
        }
    }

    private Cleaner callerCleaner() {
        if (callerCleaner == null) {
            callerCleaner = newCleaner();
        }
        return callerCleaner;
    }

    /** The dirtiest log worth cleaning now, or null; with {@code reserve} it is marked in progress. */
    private CleaningCandidate grabFilthiestLog(boolean reserve) {
        long nowMs = time.milliseconds();
        synchronized (inProgress) {
            CleaningCandidate best = null;
            for (PartitionLog log : logs.get()) {
                TopicPartition tp = log.topicPartition();
                if (!log.config().cleanupPolicy().compact() || log.isClosed() || log.isOffline()
                        || inProgress.contains(tp) || uncleanable.contains(tp)) {
                    continue;
                }
                try {
                    CleaningCandidate candidate = CleaningCandidate.of(log, checkpoints.firstDirtyOffset(tp),
                            tombstoneHorizons.getOrDefault(tp, Long.MAX_VALUE), nowMs);
                    if (candidate.shouldClean() && (best == null || candidate.dirtyRatio() > best.dirtyRatio())) {
                        best = candidate;
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Cannot measure the dirtiness of {}: {}", tp, e.toString());
                }
            }
            if (best != null && reserve) {
                inProgress.add(best.log().topicPartition());
            }
            return best;
        }
    }

    /** For tests: the candidate the next pass would choose, without reserving it. */
    CleaningCandidate peekFilthiestLog() {
        return grabFilthiestLog(false);
    }

    private void release(TopicPartition tp) {
        synchronized (inProgress) {
            inProgress.remove(tp);
        }
    }

    private Cleaner.Result runCleaning(Cleaner cleaner, CleaningCandidate candidate) {
        PartitionLog log = candidate.log();
        TopicPartition tp = log.topicPartition();
        try {
            Cleaner.Result result = cleaner.clean(candidate);
            if (result.skipped()) {
                return result;
            }
            if (!checkpoints.update(log, result.endOffset(), candidate.truncations())) {
                LOG.info("{} was truncated or deleted while being cleaned; its cleaner checkpoint stays", tp);
            }
            synchronized (inProgress) {
                if (!log.isClosed()) {
                    tombstoneHorizons.put(tp, result.tombstoneHorizonMs());
                }
            }
            return result;
        } catch (Cleaner.CleaningAbortedException e) {
            LOG.info("Cleaning of {} aborted: {}", tp, e.getMessage());
        } catch (IOException e) {
            // Races with retention, DeleteRecords and truncation were turned into aborts above; what is left is the
            // disk itself (full, failing). As for any other write, the directory goes offline, as in Kafka; the
            // .cleaned leftovers are removed by recovery when the directory comes back.
            if (!log.isClosed()) {
                log.failDirectory("clean", e);
            }
        } catch (RuntimeException e) {
            boolean marked;
            synchronized (inProgress) {
                marked = !log.isClosed();
                if (marked) {
                    uncleanable.add(tp);
                }
            }
            if (marked) {
                LOG.error("Cleaning of {} failed; it will not be cleaned again until a restart", tp, e);
            } else {
                LOG.info("Cleaning of {} stopped: the log was closed ({})", tp, e.toString());
            }
        }
        return null;
    }

    /**
     * {@code log} was deleted (and is closed): drop its uncleanable mark, tombstone horizon and checkpoint. A
     * cleaning still running on it checks {@link PartitionLog#isClosed} under the same monitors before recording
     * anything, so nothing comes back afterwards.
     */
    void forget(PartitionLog log) {
        assert log.isClosed() : "forget() after the log is closed";
        TopicPartition tp = log.topicPartition();
        synchronized (inProgress) {
            uncleanable.remove(tp);
            tombstoneHorizons.remove(tp);
        }
        checkpoints.forget(log);
    }

    boolean isUncleanable(TopicPartition tp) {
        return uncleanable.contains(tp);
    }

    /** For tests: the earliest delete horizon the partition's last cleaning wrote, or Long.MAX_VALUE. */
    long tombstoneHorizonMs(TopicPartition tp) {
        return tombstoneHorizons.getOrDefault(tp, Long.MAX_VALUE);
    }
}
