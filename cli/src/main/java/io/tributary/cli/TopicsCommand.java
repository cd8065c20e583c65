package io.tributary.cli;

import picocli.CommandLine.Command;

/** {@code trib topics}: only groups its subcommands; run bare, picocli asks for one of them. */
@Command(name = "topics", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "List, describe, create and delete topics.",
        subcommands = {TopicsListCommand.class, TopicsDescribeCommand.class, TopicsCreateCommand.class,
            TopicsDeleteCommand.class})
final class TopicsCommand {
}
