package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogFilesTest {

    @Test
    void offsetsAreTwentyDigitsZeroPaddedAsInKafka() {
        assertThat(LogFiles.offsetPrefix(0)).isEqualTo("00000000000000000000");
        assertThat(LogFiles.offsetPrefix(42)).isEqualTo("00000000000000000042");
        assertThat(LogFiles.offsetPrefix(Long.MAX_VALUE)).isEqualTo("09223372036854775807");
        assertThat(LogFiles.offsetOf(LogFiles.offsetPrefix(1_234_567) + LogFiles.LOG_SUFFIX, LogFiles.LOG_SUFFIX))
                .isEqualTo(1_234_567);
        assertThat(LogFiles.offsetOf("09223372036854775807.log", ".log")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anythingButTwentyDigitsAndTheSuffixIsNotASegmentFile() {
        assertThat(LogFiles.offsetOf("09223372036854775808.log", ".log")).as("past Long.MAX_VALUE").isEqualTo(-1);
        assertThat(LogFiles.offsetOf("99999999999999999999.log", ".log")).isEqualTo(-1);
        assertThat(LogFiles.offsetOf("0000000000000000004a.log", ".log")).isEqualTo(-1);
        assertThat(LogFiles.offsetOf("-0000000000000000042.log", ".log")).isEqualTo(-1);
        assertThat(LogFiles.offsetOf("0000000000000000042.log", ".log")).as("19 digits").isEqualTo(-1);
        assertThat(LogFiles.offsetOf("00000000000000000042.index", ".log")).isEqualTo(-1);
        assertThat(LogFiles.offsetOf("00000000000000000042.snapshot", ".snapshot")).isEqualTo(42);
    }
}
