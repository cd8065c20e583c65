package io.tributary.broker.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * An incremental fetch session (KIP-227). After one full fetch the client sends only the partitions
 * whose fetch position changed, and the broker answers only partitions with news. Every request must
 * carry the next epoch; a mismatch means the client and broker disagree about the session's contents,
 * and the client must start again with a full fetch.
 */
final class FetchSession {
    final int id;
    final boolean usesTopicIds;
    final LinkedHashMap<Key, CachedPartition> partitions = new LinkedHashMap<>();
    int nextEpoch = 1;
    long lastUsedMs;

    FetchSession(int id, boolean usesTopicIds, long nowMs) {
        this.id = id;
        this.usesTopicIds = usesTopicIds;
        this.lastUsedMs = nowMs;
    }

    void advanceEpoch() {
        nextEpoch = nextEpoch == Integer.MAX_VALUE ? 1 : nextEpoch + 1;
    }

    /** A session's partitions are keyed by topic id when the client uses ids (v13+), else by name. */
    record Key(Uuid topicId, String topic, int partition) {
        static Key of(boolean usesTopicIds, Uuid topicId, String topic, int partition) {
            return usesTopicIds ? new Key(topicId, null, partition) : new Key(Uuid.ZERO_UUID, Objects.requireNonNull(topic), partition);
        }
    }

    Map<Key, CachedPartition> partitions() {
        return partitions;
    }
}
