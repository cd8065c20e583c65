package io.tributary.broker.group;

import java.util.Objects;

/**
 * A committed offset as stored in an OffsetCommit record.
 *
 * @param leaderEpoch       the leader epoch the consumer saw at {@code offset}, or -1
 * @param metadata          the client's free-form metadata ("" when it sent none)
 * @param commitTimestampMs broker time of the commit
 * @param expireTimestampMs explicit expiry from OffsetCommit v2-4 retention_time_ms, or -1 to use the broker's
 *                          offsets.retention.minutes
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs,
                              long expireTimestampMs) {
    public CommittedOffset {
        Objects.requireNonNull(metadata, "metadata");
    }
}
