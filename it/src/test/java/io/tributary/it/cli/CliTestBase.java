package io.tributary.it.cli;

import io.tributary.it.BrokerPerClass;
import io.tributary.it.Clients;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared broker plus one Admin client per test class: the CLI tests set up topics and check what a command
 * did through the Admin API, independently of the command under test.
 */
abstract class CliTestBase extends BrokerPerClass {
    static Admin admin;

    @BeforeAll
    static void startAdmin() {
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void closeAdmin() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
