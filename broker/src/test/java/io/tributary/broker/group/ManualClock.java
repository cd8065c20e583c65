package io.tributary.broker.group;

import java.util.PriorityQueue;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * A clock and scheduler that only move when the test says so: {@link #advance} runs every task that falls due, in
 * deadline order (ties in scheduling order), with the clock set to each task's deadline while it runs.
 */
final class ManualClock implements Time, Scheduler {
    private record Task(long dueMs, long seq, Runnable body, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) ->
            a.dueMs != b.dueMs ? Long.compare(a.dueMs, b.dueMs) : Long.compare(a.seq, b.seq));
    private long nowMs;
    private long nextSeq;

    ManualClock(long startMs) {
        this.nowMs = startMs;
    }

    @Override
    public synchronized Cancellable schedule(long delayMs, Runnable task) {
        boolean[] cancelled = new boolean[1];
        tasks.add(new Task(nowMs + Math.max(0, delayMs), nextSeq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Moves time forward by {@code ms}, running the tasks that fall due on the way. */
    void advance(long ms) {
        long target = nowMs + ms;
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.dueMs > target) {
                    nowMs = target;
                    return;
                }
                tasks.poll();
                nowMs = Math.max(nowMs, next.dueMs);
            }
            if (!next.cancelled[0]) {
                next.body.run();
            }
        }
    }

    /** Runs what is due now (tasks scheduled with delay 0). */
    void runDue() {
        advance(0);
    }

    int pendingTasks() {
        return (int) tasks.stream().filter(t -> !t.cancelled[0]).count();
    }

    @Override
    public synchronized long milliseconds() {
        return nowMs;
    }

    @Override
    public long nanoseconds() {
        return milliseconds() * 1_000_000L;
    }

    @Override
    public void sleep(long ms) {
        advance(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (!condition.get()) {
            throw new UnsupportedOperationException("ManualClock cannot wait");
        }
    }
}
