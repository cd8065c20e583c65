package io.tributary.cli;

import picocli.CommandLine.Command;

/** {@code trib groups}: only groups its subcommands; run bare, picocli asks for one of them. */
@Command(name = "groups", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "List, describe, reset and delete consumer groups.",
        subcommands = {GroupsListCommand.class, GroupsDescribeCommand.class, GroupsResetOffsetsCommand.class,
            GroupsDeleteCommand.class})
final class GroupsCommand {
}
