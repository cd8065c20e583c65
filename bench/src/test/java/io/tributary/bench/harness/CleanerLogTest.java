package io.tributary.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class CleanerLogTest {

    /** A cleaning as Kafka 4.3.1 logs it (format strings of LogCleaner$CleanerThread.recordStats). */
    private static final List<String> KAFKA = List.of(
            "[2026-11-22 04:00:01,000] INFO Cleaner 0: Beginning cleaning of log cleaner-none-0 (org.apache.kafka.storage.internals.log.Cleaner)",
            "[2026-11-22 04:00:01,010] INFO Cleaner 0: Building offset map for cleaner-none-0... (org.apache.kafka.storage.internals.log.Cleaner)",
            "[2026-11-22 04:00:03,345] INFO [kafka-log-cleaner-thread-0]: ",
            "\tLog cleaner thread 0 cleaned log cleaner-none-0 (dirty section = [0, 987654])",
            "\t1,006.6 MB of log processed in 2.3 seconds (437.7 MB/sec).",
            "\tIndexed 1,006.6 MB in 1.0 seconds (1,006.6 Mb/sec, 43.5% of total time)",
            "\tBuffer utilization: 1.9%",
            "\tCleaned 1,006.6 MB in 1.3 seconds (774.3 Mb/sec, 56.5% of total time)",
            "\tStart size: 1,006.6 MB (987,654 messages)",
            "\tEnd size: 100.5 MB (98,765 messages)",
            "\t90.0% size reduction (90.0% fewer messages)",
            " (org.apache.kafka.storage.internals.log.LogCleaner$CleanerThread)");

    @Test
    void kafkaStatsWithTimestampsGiveMillisecondElapsedTime() {
        List<CleanerLog.Cleaning> cleanings = CleanerLog.parse(KAFKA, "cleaner-none");

        assertThat(cleanings).containsExactly(new CleanerLog.Cleaning("cleaner-none-0",
                Math.round(1006.6 * 1024 * 1024), Math.round(100.5 * 1024 * 1024), 987_654, 98_765, 2_345));
    }

    @Test
    void kafkaStatsWithoutTheBeginningLineUseTheReportedSeconds() {
        List<CleanerLog.Cleaning> cleanings = CleanerLog.parse(KAFKA.subList(2, KAFKA.size()), "cleaner-none");

        assertThat(cleanings).singleElement().extracting(CleanerLog.Cleaning::elapsedMs).isEqualTo(2_300L);
    }

    @Test
    void otherTopicsAndPrefixesOfTheTopicNameAreLeftOut() {
        assertThat(CleanerLog.parse(KAFKA, "cleaner")).isEmpty();
        assertThat(CleanerLog.parse(KAFKA, "cleaner-lz4")).isEmpty();
    }

    @Test
    void tributaryLinesOfEveryPartitionAreSummed() {
        List<String> log = List.of(
                "2026-11-22 04:00:03.345 INFO  [log-cleaner-0] LogCleaner - Cleaned log t-0: read 1000 bytes, wrote 100 bytes, 50 records read, 5 kept, in 12 ms",
                "2026-11-22 04:00:04.000 INFO  [log-cleaner-0] LogCleaner - Cleaned log t-1: read 3000 bytes, wrote 300 bytes, 150 records read, 15 kept, in 30 ms",
                "2026-11-22 04:00:04.100 INFO  [log-cleaner-0] LogCleaner - Cleaned log t-x-0: read 9 bytes, wrote 9 bytes, 1 records read, 1 kept, in 1 ms");

        List<CleanerLog.Cleaning> cleanings = CleanerLog.parse(log, "t");

        assertThat(cleanings).hasSize(2);
        assertThat(CleanerLog.totals(cleanings)).isEqualTo("cleanings\t2\nbytes_read\t4000\nbytes_written\t400\n"
                + "records_read\t200\nrecords_kept\t20\nelapsed_ms\t42\n");
    }

    @Test
    void kafkaStatsInAnUnexpectedNumberFormatFailLoudly() {
        List<String> log = KAFKA.stream().map(l -> l.replace("1,006.6", "1.006,6").replace("100.5", "100,5")).toList();

        assertThatThrownBy(() -> CleanerLog.parse(log, "cleaner-none"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cleaner-none-0");
    }
}
