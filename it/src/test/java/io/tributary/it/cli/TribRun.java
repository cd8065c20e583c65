package io.tributary.it.cli;

import io.tributary.cli.Trib;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of the {@code trib} command line in this JVM, the way {@code main} runs it minus {@code System.exit}:
 * stdout and stderr are captured through picocli's writers and stdin is swapped for the given text while the
 * command runs. Kafka client logging still goes to the real stderr, so {@link #err} holds only what the command
 * itself printed.
 */
record TribRun(int exitCode, String out, String err) {
    static TribRun run(String bootstrap, String... args) {
        return runWithInput(bootstrap, "", args);
    }

    /** Runs {@code trib args... --bootstrap-server bootstrap} with {@code stdin} as its input. */
    static synchronized TribRun runWithInput(String bootstrap, String stdin, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        if (bootstrap != null) {
            all.add("--bootstrap-server");
            all.add(bootstrap);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Trib());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        InputStream originalIn = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = cmd.execute(all.toArray(String[]::new));
            return new TribRun(code, out.toString(), err.toString());
        } finally {
            System.setIn(originalIn);
        }
    }

    /** The output lines, for assertions on tables. */
    List<String> outLines() {
        return out.lines().toList();
    }

    /** The whitespace-separated cells of the first table row whose leading cells are {@code prefix}. */
    List<String> row(String... prefix) {
        for (String line : outLines()) {
            List<String> cells = Arrays.asList(line.trim().split("\\s+"));
            if (cells.size() >= prefix.length && cells.subList(0, prefix.length).equals(Arrays.asList(prefix))) {
                return cells;
            }
        }
        throw new AssertionError("no row starting with " + Arrays.toString(prefix) + " in:\n" + out);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
