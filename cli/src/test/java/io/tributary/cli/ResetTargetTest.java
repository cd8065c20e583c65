package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ResetTargetTest {
    /** Parses the target options the way the command does, through picocli's exclusive group. */
    private static ResetTarget parse(String... args) {
        GroupsResetOffsetsCommand command = new GroupsResetOffsetsCommand();
        String[] all = new String[args.length + 3];
        all[0] = "g";
        all[1] = "--topic";
        all[2] = "t";
        System.arraycopy(args, 0, all, 3, args.length);
        new CommandLine(command).parseArgs(all);
        return command.target;
    }

    @Test
    void eachTargetPicksItsOffset() {
        // committed 5, log [2, 9], timestamp look-up found 7
        assertThat(parse("--to-earliest").target(5L, 2, 9, 7)).isEqualTo(2);
        assertThat(parse("--to-latest").target(5L, 2, 9, 7)).isEqualTo(9);
        assertThat(parse("--to-offset", "4").target(5L, 2, 9, 7)).isEqualTo(4);
        assertThat(parse("--shift-by", "-2").target(5L, 2, 9, 7)).isEqualTo(3);
        assertThat(parse("--to-datetime", "2024-01-01T00:00:00Z").target(5L, 2, 9, 7)).isEqualTo(7);
        assertThat(parse("--to-datetime", "2024-01-01T00:00:00Z").target(5L, 2, 9, -1))
                .as("no record that recent: the log end").isEqualTo(9);
    }

    @Test
    void datetimesWithAndWithoutZones() {
        assertThat(parse("--to-datetime", "2024-05-01T12:00:00Z").timestampMs()).isEqualTo(1_714_564_800_000L);
        assertThat(parse("--to-datetime", "2024-05-01T14:00:00.000+02:00").timestampMs()).isEqualTo(1_714_564_800_000L);
        assertThat(parse("--to-datetime", "2024-05-01T12:00:00").timestampMs()).isEqualTo(
                LocalDateTime.of(2024, 5, 1, 12, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli());
        assertThat(parse("--to-datetime", "2024-05-01").timestampMs()).isEqualTo(
                LocalDateTime.of(2024, 5, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli());
        assertThatThrownBy(() -> parse("--to-datetime", "yesterday").timestampMs())
                .isInstanceOf(CommandFailure.class).hasMessageContaining("got: yesterday");
    }

    @Test
    void exactlyOneTargetIsRequired() {
        assertThatThrownBy(() -> parse()).isInstanceOf(CommandLine.ParameterException.class);
        assertThatThrownBy(() -> parse("--to-earliest", "--to-latest")).isInstanceOf(CommandLine.ParameterException.class);
    }
}
