package io.tributary.broker.group;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where a coordinator shard's records live. The state machine only ever talks to this interface, so unit tests
 * run it over an in-memory log and the broker over a {@code __consumer_offsets} partition.
 */
public interface CoordinatorLog {
    /**
     * Appends the records atomically (one batch: all or none survive a crash), durably enough that a replay after
     * this returns sees them.
     *
     * @throws RuntimeException if nothing was appended; the caller must then not apply the records
     */
    void append(List<CoordinatorRecord> records);

    /** Feeds every record in the log to {@code replay}, in log order. */
    void load(Consumer<CoordinatorRecord> replay);
}
