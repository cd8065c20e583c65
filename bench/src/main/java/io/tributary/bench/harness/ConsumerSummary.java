package io.tributary.bench.harness;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result row of Kafka's {@code ConsumerPerformance} tool: a CSV header starting with {@code start.time} and
 * one data row after it.
 *
 * <p>Throughput is taken from the {@code fetch.*} columns, which exclude the consumer-group join
 * ({@code rebalance.time.ms}): the join is dominated by the coordinator's fixed delays, not by how fast the broker
 * serves bytes. The join time is kept separately so it is still visible.
 */
record ConsumerSummary(long records, double megabytes, double fetchMs, double fetchRecordsPerSec,
                       double fetchMbPerSec, double rebalanceMs) {

    static Optional<ConsumerSummary> parse(List<String> lines) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (!lines.get(i).trim().startsWith("start.time")) {
                continue;
            }
            String[] names = lines.get(i).trim().split("\\s*,\\s*");
            String[] values = dataRowAfter(lines, i, names.length);
            if (values == null) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < names.length; c++) {
                row.put(names[c], values[c]);
            }
            try {
                return Optional.of(new ConsumerSummary(
                        Math.round(Double.parseDouble(row.get("data.consumed.in.nMsg"))),
                        Double.parseDouble(row.get("data.consumed.in.MB")),
                        Double.parseDouble(row.get("fetch.time.ms")),
                        Double.parseDouble(row.get("fetch.nMsg.sec")),
                        Double.parseDouble(row.get("fetch.MB.sec")),
                        Double.parseDouble(row.get("rebalance.time.ms"))));
            } catch (NullPointerException | NumberFormatException malformed) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The first later line with as many cells as the header. The JVM can print warnings (e.g. about native
     * access when lz4 loads) between the header and the data row, so "the next line" is not good enough.
     */
    private static String[] dataRowAfter(List<String> lines, int header, int cells) {
        for (int j = header + 1; j < lines.size(); j++) {
            String[] values = lines.get(j).trim().split("\\s*,\\s*");
            if (values.length == cells && !lines.get(j).trim().startsWith("start.time")) {
                return values;
            }
        }
        return null;
    }
}
