package io.tributary.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * One producer/consumer configuration that both brokers are put through: a full-speed produce run, a consume of
 * what it wrote, and a produce run at a fixed rate for latency. run.sh defines them and records them under
 * {@code _ workload:<id>}, so the report needs no copy of the definitions.
 */
record Workload(String id, String description, int recordBytes, long latencyRatePerSec) {

    static List<Workload> all(Measurements m) {
        List<Workload> out = new ArrayList<>();
        for (String scope : m.scopes(Measurements.RUN, "workload:")) {
            String id = scope.substring("workload:".length());
            out.add(new Workload(id,
                    m.text(Measurements.RUN, scope, "description").orElse(id),
                    (int) m.number(Measurements.RUN, scope, "record_bytes").orElseThrow(
                            () -> new IllegalArgumentException("workload " + id + " has no record_bytes")),
                    (long) m.number(Measurements.RUN, scope, "latency_rate").orElse(0)));
        }
        return out;
    }
}
