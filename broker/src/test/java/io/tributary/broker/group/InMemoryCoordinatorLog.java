package io.tributary.broker.group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A coordinator log in memory that stores real v2 batches (encoded and decoded exactly as on disk), can be told to
 * fail appends, and can produce a compacted view (latest value per key, as log compaction would leave it).
 */
final class InMemoryCoordinatorLog implements CoordinatorLog {
    private final List<MemoryRecords> batches = new ArrayList<>();
    private int appendsToFail;

    @Override
    public synchronized void append(List<CoordinatorRecord> records) {
        if (appendsToFail > 0) {
            appendsToFail--;
            throw new KafkaStorageException("injected append failure");
        }
        batches.add(CoordinatorBatches.encode(records, 0L));
    }

    @Override
    public synchronized void load(Consumer<CoordinatorRecord> replay) {
        for (MemoryRecords batch : batches) {
            CoordinatorBatches.decode(batch, replay);
        }
    }

    void failNextAppends(int count) {
        appendsToFail = count;
    }

    synchronized int batchCount() {
        return batches.size();
    }

    /** Every record in log order. */
    synchronized List<CoordinatorRecord> records() {
        List<CoordinatorRecord> out = new ArrayList<>();
        load(out::add);
        return out;
    }

    /** What compaction would keep: the latest record of each key, in the order of those latest records. */
    synchronized List<CoordinatorRecord> compacted() {
        Map<String, Integer> latest = new LinkedHashMap<>();
        List<CoordinatorRecord> all = records();
        for (int i = 0; i < all.size(); i++) {
            latest.put(keyOf(all.get(i)), i);
        }
        List<Integer> positions = new ArrayList<>(latest.values());
        positions.sort(Integer::compare);
        List<CoordinatorRecord> out = new ArrayList<>();
        positions.forEach(i -> out.add(all.get(i)));
        return out;
    }

    private static String keyOf(CoordinatorRecord r) {
        return java.util.Base64.getEncoder().encodeToString(CoordinatorRecordSerde.key(r));
    }
}
