package io.tributary.cli;

import picocli.CommandLine.Command;

/** {@code trib topics}: only groups its subcommands; run bare, picocli asks for one of them. */
@Command(name = "topics", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "List, describe, create, grow and delete topics, and delete records.",
        subcommands = {TopicsListCommand.class, TopicsDescribeCommand.class, TopicsCreateCommand.class,
            TopicsDeleteCommand.class, TopicsAddPartitionsCommand.class, TopicsDeleteRecordsCommand.class})
final class TopicsCommand {
}
