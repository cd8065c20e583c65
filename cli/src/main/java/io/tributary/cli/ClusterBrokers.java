package io.tributary.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * The broker ids of the cluster, asked before addressing one broker by id. The Admin client routes a per-broker
 * request to that node and, for an id the cluster does not have, waits for it to appear until its API timeout; a
 * typo would then look like a hang followed by a timeout, so commands check the id first and say what exists.
 */
final class ClusterBrokers {
    private ClusterBrokers() {
    }

    static Set<Integer> ids(Admin admin) throws Exception {
        return admin.describeCluster().nodes().get().stream().map(Node::id)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static void requireKnown(Admin admin, int brokerId) throws Exception {
        Set<Integer> ids = ids(admin);
        if (!ids.contains(brokerId)) {
            throw new CommandFailure("Broker " + brokerId + " is not in the cluster (brokers: "
                    + ids.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")");
        }
    }
}
