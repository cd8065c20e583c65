package io.tributary.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code trib start}, read without picocli. picocli is compiled for Java 5, and class files that
 * old are never put in a CDS or AOT archive, so loading and verifying it costs a broker start a few hundred
 * milliseconds. A start only ever takes {@code --config} and {@code --override}; anything else ({@code --help},
 * a typo) returns null and goes to picocli, which explains itself.
 */
final class StartArgs {
    private StartArgs() {
    }

    /** @return the command with its options set, or null when picocli should handle these arguments */
    static StartCommand parse(String[] args, int from) {
        Path config = null;
        List<String> overrides = new ArrayList<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            String value;
            String name;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                name = a;
                value = args[++i];
            } else {
                return null;
            }
            switch (name) {
                case "--config" -> {
                    if (config != null) {
                        return null;
                    }
                    config = Path.of(value);
                }
                case "--override" -> overrides.add(value);
                default -> {
                    return null;
                }
            }
        }
        StartCommand command = new StartCommand();
        command.configFile = config;
        command.overrides = overrides;
        return command;
    }
}
