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
    }
}
