package io.tributary.broker;

import io.tributary.storage.LogAppendInfo;
import io.tributary.storage.PartitionLog;
import java.nio.ByteBuffer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A partition this broker leads: its log, the leader epoch the metadata image gave it, and whether this
 * node is its whole in-sync replica set. While it is, everything appended is committed, so the high
 * watermark follows the log end; replication will move it only as followers catch up.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private volatile int leaderEpoch;
    private volatile boolean soleInSyncReplica;

    Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int leaderEpoch, boolean soleInSyncReplica) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.leaderEpoch = leaderEpoch;
        this.soleInSyncReplica = soleInSyncReplica;
        maybeAdvanceHighWatermark();
    }

    /** Appends as leader at the current epoch and advances the high watermark as far as it is committed. */
    public LogAppendInfo appendAsLeader(ByteBuffer records) {
        LogAppendInfo info = log.appendAsLeader(records, leaderEpoch);
        if (!info.duplicate()) {
            maybeAdvanceHighWatermark();
        }
        return info;
    }

    /** After a crash the checkpointed high watermark lags; acknowledged records must not stay invisible. */
    private void maybeAdvanceHighWatermark() {
        if (soleInSyncReplica) {
            log.updateHighWatermark(log.logEndOffset());
        }
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    void update(int epoch, boolean soleInSyncReplica) {
        this.leaderEpoch = epoch;
        this.soleInSyncReplica = soleInSyncReplica;
        maybeAdvanceHighWatermark();
    }
}
