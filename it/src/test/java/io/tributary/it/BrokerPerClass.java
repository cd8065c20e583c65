package io.tributary.it;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the test classes that share one in-process broker, set up for forming groups quickly
 * ({@link TestBroker#QUICK_GROUPS}), for all their tests. JUnit runs a superclass's {@code @BeforeAll} first, so a
 * subclass's own {@code @BeforeAll} may already use {@link #broker}. The fields are static (JUnit's per-class
 * lifecycle) and are re-assigned by each test class; test classes run one after the other in this module.
 */
public abstract class BrokerPerClass {
    @TempDir
    protected static Path dir;
    protected static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start(dir, TestBroker.QUICK_GROUPS);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
