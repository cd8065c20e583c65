package io.tributary.broker.group;

/**
 * Runs coordinator timers (session expiry, join and sync deadlines, the initial rebalance delay, offset expiry).
 * Injected so that tests drive time by hand; in the broker it is one daemon thread.
 */
public interface Scheduler {
    /** A scheduled task that may still be cancelled. */
    interface Cancellable {
        void cancel();
    }

    /** Runs {@code task} once, {@code delayMs} from now (0 = as soon as possible, never inline). */
    Cancellable schedule(long delayMs, Runnable task);
}
