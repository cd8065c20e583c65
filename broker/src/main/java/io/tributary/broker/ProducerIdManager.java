package io.tributary.broker;

import io.tributary.metadata.QuorumController;
import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids from blocks the controller allocated durably through Raft, so ids are never
 * reused across restarts. The next block is requested when the current one is 90% used, keeping the
 * Raft round trip off InitProducerId's path.
 */
public final class ProducerIdManager {
    private static final int BLOCK_SIZE = 1000;

    private final int nodeId;
    private final QuorumController controller;
    private long next;
    private long end;
    private CompletableFuture<Long> prefetch;

    public ProducerIdManager(int nodeId, QuorumController controller) {
        this.nodeId = nodeId;
        this.controller = controller;
    }

    /** The next unused producer id; completes after a Raft round trip only when both blocks ran out. */
    public synchronized CompletableFuture<Long> nextId() {
        if (next < end) {
            long id = next++;
            if (prefetch == null && end - next < BLOCK_SIZE / 10) {
                prefetch = controller.allocateProducerIds(nodeId, BLOCK_SIZE);
            }
            return CompletableFuture.completedFuture(id);
        }
        CompletableFuture<Long> block = prefetch != null ? prefetch : controller.allocateProducerIds(nodeId, BLOCK_SIZE);
        prefetch = null;
        return block.thenCompose(first -> {
            synchronized (this) {
                if (next >= end) {
                    next = first;
                    end = first + BLOCK_SIZE;
                }
            }
            return nextId();
        });
    }
}
