package io.tributary.broker.network;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts requests received but not yet answered, so shutdown can let them finish before closing. */
public final class InFlightRequests {
    private final AtomicInteger count = new AtomicInteger();

    void started() {
        count.incrementAndGet();
    }

    void finished(int n) {
        count.addAndGet(-n);
    }

    public int count() {
        return count.get();
    }

    /** Waits until nothing is in flight or the timeout passes; true if everything finished. */
    public boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (count.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
