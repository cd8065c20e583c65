package io.tributary.broker.fetch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Where fetches wait for data (Kafka's "purgatory"). A fetch that found fewer than min_bytes watches its
 * partitions; every append tells the watchers of its partition how many bytes arrived, and a fetch
 * whose wait is satisfied completes at once instead of sleeping out max_wait_ms. Its timeout is a timer
 * on the fetching connection's event loop.
 */
public final class FetchPurgatory {
    private final ConcurrentHashMap<TopicPartition, Set<DelayedFetch>> watchers = new ConcurrentHashMap<>();

    void watch(DelayedFetch fetch, Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            watchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(fetch);
        }
    }

    void unwatch(DelayedFetch fetch, Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            Set<DelayedFetch> set = watchers.get(tp);
            if (set != null) {
                set.remove(fetch);
            }
        }
    }

    /** Called after every successful append. */
    public void onAppend(TopicPartition tp, int bytes) {
        Set<DelayedFetch> set = watchers.get(tp);
        if (set == null || set.isEmpty()) {
            return;
        }
        for (DelayedFetch fetch : set) {
            fetch.onBytes(bytes);
        }
    }

    /** The number of fetches waiting, for metrics and tests. */
    public int waiting() {
        int n = 0;
        for (Set<DelayedFetch> set : watchers.values()) {
            n += set.size();
        }
        return n;
    }
}
