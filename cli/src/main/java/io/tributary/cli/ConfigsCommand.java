package io.tributary.cli;

import picocli.CommandLine.Command;

/** {@code trib configs}: only groups its subcommands; run bare, picocli asks for one of them. */
@Command(name = "configs", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Describe and change topic and broker configs.",
        subcommands = {ConfigsDescribeCommand.class, ConfigsAlterCommand.class})
final class ConfigsCommand {
}
