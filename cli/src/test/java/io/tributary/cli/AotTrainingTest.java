package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training run must keep working as the broker changes: it stops at the first request the broker
 * refuses, and after its restart it checks that every record of the first life is still there. A broken run would
 * only show up as slower starts.
 */
class AotTrainingTest {
    @Test
    void livesThroughAStartAndARestartOnItsDataAndCleansUp(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("training");

        assertThat(AotTraining.run(dir)).isZero();

        assertThat(dir).doesNotExist();
    }
}
