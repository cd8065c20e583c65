package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordFormatTest {
    private static ConsumerRecord<byte[], byte[]> record(String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("a", "1".getBytes(StandardCharsets.UTF_8));
        headers.add("b", null);
        return new ConsumerRecord<>("t", 2, 42L, 1700L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    private static String format(String fmt, ConsumerRecord<byte[], byte[]> r) {
        StringBuilder out = new StringBuilder();
        RecordFormat.parse(fmt).append(out, r);
        return out.toString();
    }

    @Test
    void everyTokenAndEscape() {
        assertThat(format("%t|%p|%o|%T|%k|%s|%K|%S|%h|%%|\\t|\\\\|\\r\\n", record("kéy", "v")))
                .isEqualTo("t|2|42|1700|kéy|v|4|1|a=1,b=|%|\t|\\|\r\n");
    }

    @Test
    void nullKeyAndValuePrintAsNothingWithLengthMinusOne() {
        assertThat(format("[%k][%s] %K %S", record(null, null))).isEqualTo("[][] -1 -1");
    }

    @Test
    void theDefaultIsTheValueAndANewline() {
        assertThat(format(RecordFormat.DEFAULT, record("k", "value"))).isEqualTo("value\n");
    }

    @Test
    void unknownTokensAndDanglingCharactersAreRejected() {
        assertThatThrownBy(() -> RecordFormat.parse("%x")).hasMessage("unknown token %x in format");
        assertThatThrownBy(() -> RecordFormat.parse("\\q")).hasMessage("unknown escape \\q in format");
        assertThatThrownBy(() -> RecordFormat.parse("value %")).hasMessage("format ends with a lone '%'");
        assertThatThrownBy(() -> RecordFormat.parse("value \\")).hasMessage("format ends with a lone '\\'");
    }
}
