package io.tributary.cli;

import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code trib groups delete <group>}: removes an empty group and its committed offsets. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "Delete a group that has no active members, with its committed offsets.")
final class GroupsDeleteCommand extends ClientCommand {
    @Parameters(paramLabel = "GROUP", description = "The group to delete.")
    String group;

    @Override
    protected int execute() throws Exception {
        try (Admin admin = admin()) {
            admin.deleteConsumerGroups(List.of(group)).all().get();
        } catch (Exception e) {
            Throwable cause = Failures.unwrap(e);
            if (cause instanceof GroupNotEmptyException) {
                throw new CommandFailure("Group '" + group + "' still has active members; stop them before deleting it");
            }
            if (cause instanceof GroupIdNotFoundException) {
                throw new CommandFailure("Group '" + group + "' does not exist");
            }
            throw e;
        }
        out().println("Deleted group " + group);
        return 0;
    }
}
