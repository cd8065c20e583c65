package io.tributary.storage;

/**
 * Outcome of one {@link PartitionLog#appendAsLeader} call, i.e. what the produce response needs.
 *
 * @param firstOffset     offset of the first record written (for a duplicate: of the original write)
 * @param lastOffset      offset of the last record written (for a duplicate: of the original write)
 * @param logAppendTimeMs the broker time stamped into the batches, or -1 unless the topic uses LogAppendTime
 * @param logStartOffset  the log start offset after the append
 * @param recordCount     number of records in the request
 * @param duplicate       true when the batch was an idempotent retry that had already been written
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
                            int recordCount, boolean duplicate) {
}
