package io.tributary.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What run.sh recorded while it ran: one {@code subject TAB scope TAB key TAB value} row per fact, appended as it
 * goes so a run that dies half way still leaves everything measured so far. {@code subject} is a broker name
 * ("kafka", "tributary") or {@code _} for facts about the whole run; {@code scope} groups facts, e.g. {@code meta},
 * {@code broker}, {@code start:2}, {@code w100-acks1.produce}, {@code workload:w100-acks1}. A later row for the
 * same subject, scope and key replaces an earlier one.
 */
final class Measurements {

    static final String RUN = "_";

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> scopesInOrder = new ArrayList<>();

    static Measurements load(Path tsv) throws IOException {
        Measurements m = new Measurements();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\t", 4);
            if (cells.length != 4) {
                throw new IllegalArgumentException("malformed measurement row (want 4 tab-separated cells): " + line);
            }
            m.put(cells[0], cells[1], cells[2], cells[3]);
        }
        return m;
    }

    void put(String subject, String scope, String key, String value) {
        values.put(subject + "\t" + scope + "\t" + key, value);
        String scoped = subject + "\t" + scope;
        if (!scopesInOrder.contains(scoped)) {
            scopesInOrder.add(scoped);
        }
    }

    Optional<String> text(String subject, String scope, String key) {
        return Optional.ofNullable(values.get(subject + "\t" + scope + "\t" + key));
    }

    OptionalDouble number(String subject, String scope, String key) {
        Optional<String> text = text(subject, scope, key);
        if (text.isEmpty()) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(text.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /** Scopes of a subject that start with {@code prefix}, in the order they were first recorded. */
    List<String> scopes(String subject, String prefix) {
        List<String> out = new ArrayList<>();
        for (String scoped : scopesInOrder) {
            int tab = scoped.indexOf('\t');
            if (scoped.substring(0, tab).equals(subject) && scoped.startsWith(prefix, tab + 1)) {
                out.add(scoped.substring(tab + 1));
            }
        }
        return out;
    }
}
