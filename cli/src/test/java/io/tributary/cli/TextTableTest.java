package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void columnsArePaddedToTheWidestCellWithoutTrailingBlanks() {
        StringWriter out = new StringWriter();
        new TextTable("TOPIC", "P", "LAG").row("orders", 0, 12).row("a", 10, null).print(new PrintWriter(out, true));
        assertThat(out.toString()).isEqualTo("""
                TOPIC   P   LAG
                orders  0   12
                a       10  -
                """);
    }

    @Test
    void aRowMustFillEveryColumn() {
        assertThatThrownBy(() -> new TextTable("A", "B").row("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
