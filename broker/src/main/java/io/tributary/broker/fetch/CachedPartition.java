package io.tributary.broker.fetch;

import org.apache.kafka.common.Uuid;

/**
 * One partition of a fetch session: what the client asked for last, and what the broker last told it
 * (high watermark, log start offset), so an incremental response can leave out partitions with no news.
 */
final class CachedPartition {
    final Uuid topicId;
    final String topic;
    final int partition;
    long fetchOffset;
    int maxBytes;
    int currentLeaderEpoch;
    long sentHighWatermark = -1;
    long sentLogStartOffset = -1;
    long sentLastStableOffset = -1;

    CachedPartition(Uuid topicId, String topic, int partition) {
        this.topicId = topicId;
        this.topic = topic;
        this.partition = partition;
    }

    /** Records what a response said; true when the response must carry this partition. */
    boolean noteSent(long highWatermark, long lastStableOffset, long logStartOffset, boolean hasRecords, boolean hasError) {
        boolean changed = hasRecords || hasError || highWatermark != sentHighWatermark
                || logStartOffset != sentLogStartOffset || lastStableOffset != sentLastStableOffset;
        sentHighWatermark = highWatermark;
        sentLogStartOffset = logStartOffset;
        sentLastStableOffset = lastStableOffset;
        return changed;
    }
}
