package io.tributary.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import picocli.CommandLine.Command;

/** {@code trib groups list}: every group the brokers coordinate, with its state, type and protocol type. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Trib.Version.class,
        description = "List groups.")
final class GroupsListCommand extends ClientCommand {
    @Override
    protected int execute() throws Exception {
        List<GroupListing> groups;
        try (Admin admin = admin()) {
            groups = new ArrayList<>(admin.listGroups().all().get());
        }
        groups.sort(Comparator.comparing(GroupListing::groupId));
        TextTable table = new TextTable("GROUP", "STATE", "TYPE", "PROTOCOL");
        for (GroupListing g : groups) {
            table.row(g.groupId(), g.groupState().map(Object::toString).orElse(""),
                    g.type().map(Object::toString).orElse(""), g.protocol());
        }
        table.print(out());
        return 0;
    }
}
