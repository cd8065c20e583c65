package io.tributary.storage;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletions that must wait: a deleted segment or partition keeps its file channels open for
 * {@code file.delete.delay.ms} so fetches already handed to sendfile can finish, then this queue closes and removes
 * the files. Drained by the log manager's scheduler thread, and completely on close.
 */
final class FileDeleteQueue {

    private static final Logger LOG = LoggerFactory.getLogger(FileDeleteQueue.class);

    /** A deferred close-and-delete. */
    @FunctionalInterface
    interface Deletion {
        void run() throws Exception;
    }

    private record Pending(long dueMs, String what, Deletion deletion) {
    }

    private final List<Pending> pending = new ArrayList<>();

    /** Runs {@code deletion} once {@code dueMs} has passed (immediately if the delay is zero). */
    void schedule(long dueMs, long nowMs, String what, Deletion deletion) {
        if (dueMs <= nowMs) {
            runOne(what, deletion);
            return;
        }
        synchronized (pending) {
            pending.add(new Pending(dueMs, what, deletion));
        }
    }

    /** Runs every deletion that is due; returns how many ran. */
    int runDue(long nowMs) {
        List<Pending> due = new ArrayList<>();
        synchronized (pending) {
            pending.removeIf(p -> {
                if (p.dueMs <= nowMs) {
                    due.add(p);
                    return true;
                }
                return false;
            });
        }
        due.forEach(p -> runOne(p.what, p.deletion));
        return due.size();
    }

    /** Runs every queued deletion regardless of its due time (shutdown). */
    int runAll() {
        return runDue(Long.MAX_VALUE);
    }

    int size() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private static void runOne(String what, Deletion deletion) {
        try {
            deletion.run();
        } catch (Exception e) {
            LOG.warn("Failed to delete {}: {}", what, e.toString());
        }
    }
}
