package io.tributary.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trib} command. Every subcommand but {@code start} talks to brokers over the wire. */
@Command(name = "trib", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Tributary: an event-streaming platform that speaks the Kafka protocol.",
        subcommands = {StartCommand.class, TopicsCommand.class, ProduceCommand.class, ConsumeCommand.class,
            GroupsCommand.class, ConfigsCommand.class, LogDirsCommand.class})
public final class Trib implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("aot-training")) {
            // Not a user command: bin/trib runs it once per build, in the JVM that records the AOT cache.
            System.exit(runTraining(java.nio.file.Path.of(args[1])));
        }
        if (args.length > 0 && args[0].equals("start")) {
            StartCommand fast = StartArgs.parse(args, 1);
            if (fast != null) {
                System.exit(runStart(fast));
            }
            // Building the whole command tree reflects over every subcommand; a broker start skips that.
            CommandLine start = new CommandLine(new StartCommand()).setCommandName("trib start");
            System.exit(start.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(new CommandLine(new Trib()).execute(args));
    }

    private static int runTraining(java.nio.file.Path dir) {
        try {
            return AotTraining.run(dir);
        } catch (Exception e) {
            System.err.println("trib aot-training: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    private static int runStart(StartCommand command) {
        try {
            return command.call();
        } catch (Exception e) {
            System.err.println("trib start: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static String version() {
        String v = Trib.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Tributary " + version()};
        }
    }
}
