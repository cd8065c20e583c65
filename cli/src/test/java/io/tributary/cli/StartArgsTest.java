package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StartArgsTest {

    @Test
    void readsConfigAndRepeatedOverridesInBothSpellings() {
        StartCommand c = StartArgs.parse(new String[] {"start", "--config", "a.properties", "--override", "node.id=2",
            "--override=log.dirs=/x,/y", "--override", "listeners=PLAINTEXT://:9093"}, 1);

        assertThat(c).isNotNull();
        assertThat(c.configFile).isEqualTo(Path.of("a.properties"));
        assertThat(c.overrides).containsExactly("node.id=2", "log.dirs=/x,/y", "listeners=PLAINTEXT://:9093");
        assertThat(StartArgs.parse(new String[] {"start", "--config=b.properties"}, 1).configFile)
                .isEqualTo(Path.of("b.properties"));
    }

    @Test
    void noArgumentsIsAPlainStart() {
        StartCommand c = StartArgs.parse(new String[] {"start"}, 1);
        assertThat(c.configFile).isNull();
        assertThat(c.overrides).isEmpty();
    }

    @Test
    void anythingElseIsLeftToPicocliSoItCanExplain() {
        assertThat(StartArgs.parse(new String[] {"start", "--help"}, 1)).isNull();
        assertThat(StartArgs.parse(new String[] {"start", "-h"}, 1)).isNull();
        assertThat(StartArgs.parse(new String[] {"start", "--version"}, 1)).isNull();
        assertThat(StartArgs.parse(new String[] {"start", "--config"}, 1)).as("missing value").isNull();
        assertThat(StartArgs.parse(new String[] {"start", "--confg", "x"}, 1)).as("typo").isNull();
        assertThat(StartArgs.parse(new String[] {"start", "--config", "a", "--config", "b"}, 1)).isNull();
    }
}
