package io.tributary.storage;

/**
 * A record found by timestamp (ListOffsets).
 *
 * @param leaderEpoch the partition leader epoch stored in the record's batch, -1 if unknown
 */
public record TimestampOffset(long timestampMs, long offset, int leaderEpoch) {
}
