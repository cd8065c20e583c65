package io.tributary.it;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls for a condition that becomes true asynchronously (a deletion, a metadata change) with a deadline. */
public final class Await {
    private Await() {
    }

    public static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
