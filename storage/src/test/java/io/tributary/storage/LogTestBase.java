package io.tributary.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A log manager over a temp dir with a manual clock, plus reopen helpers for durability tests. */
abstract class LogTestBase {

    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final Uuid TOPIC_ID = Uuid.randomUuid();
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path tmp;
    final ManualTime time = new ManualTime(T0);
    LogManager manager;
    LogConfig config = LogConfig.DEFAULTS;

    static LogConfig config(Map<String, String> overrides) {
        return LogConfig.from(overrides, LogConfig.DEFAULTS);
    }

    PartitionLog open(LogConfig cfg) {
        this.config = cfg;
        manager = LogManager.open(List.of(tmp), cfg, time);
        return manager.getOrCreateLog(TP, TOPIC_ID, cfg);
    }

    PartitionLog open() {
        return open(config);
    }

    /** Closes (cleanly, or as if the process died) and opens the manager again. */
    PartitionLog reopen(boolean clean) throws IOException {
        if (clean) {
            manager.close();
        } else {
            manager.closeAbruptly();
        }
        manager = LogManager.open(List.of(tmp), config, time);
        return manager.log(TP);
    }

    Path partitionDir() {
        return tmp.resolve(TP.topic() + "-" + TP.partition());
    }

    @AfterEach
    void closeManager() {
        if (manager != null) {
            try {
                manager.close();
            } catch (RuntimeException ignored) {
                // already closed or crashed on purpose
            }
        }
    }
}
