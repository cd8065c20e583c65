package io.tributary.broker.fetch;

import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * A parked fetch. It completes exactly once: when appends to its partitions bring enough new bytes, or
 * when max_wait_ms runs out, whichever comes first. Completion always runs on the fetching connection's
 * event loop, so the producer's thread only bumps a counter.
 */
final class DelayedFetch {
    private final FetchPurgatory purgatory;
    private final List<TopicPartition> partitions;
    private final long bytesNeeded;
    private final EventLoop loop;
    private final Runnable onComplete;
    private final AtomicLong bytesArrived = new AtomicLong();
    private final AtomicBoolean completed = new AtomicBoolean();
    private ScheduledFuture<?> timeout;

    DelayedFetch(FetchPurgatory purgatory, List<TopicPartition> partitions, long bytesNeeded, EventLoop loop, Runnable onComplete) {
        this.purgatory = purgatory;
        this.partitions = partitions;
        this.bytesNeeded = bytesNeeded;
        this.loop = loop;
        this.onComplete = onComplete;
    }

    /** Starts waiting; must be called on the event loop. */
    void park(long maxWaitMs) {
        purgatory.watch(this, partitions);
        timeout = loop.schedule(this::complete, maxWaitMs, TimeUnit.MILLISECONDS);
    }

    void onBytes(int bytes) {
        if (bytesArrived.addAndGet(bytes) >= bytesNeeded && !completed.get()) {
            loop.execute(this::complete);
        }
    }

    private void complete() {
        if (completed.compareAndSet(false, true)) {
            purgatory.unwatch(this, partitions);
            if (timeout != null) {
                timeout.cancel(false);
            }
            onComplete.run();
        }
    }
}
