package io.tributary.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Option;

/**
 * Where {@code groups reset-offsets} moves a group: exactly one of these options, as a picocli exclusive group.
 * It only decides the new offset of one partition from numbers the command looked up; like Kafka's tool, a target
 * outside the log is pulled back to its nearest end instead of leaving the group at an offset no fetch can serve.
 */
final class ResetTarget {
    @Option(names = "--to-earliest", required = true, description = "The earliest offset still in the log.")
    boolean toEarliest;

    @Option(names = "--to-latest", required = true, description = "The log-end offset (skip everything).")
    boolean toLatest;

    @Option(names = "--to-datetime", required = true, paramLabel = "ISO8601",
            description = "The first offset with a timestamp at or after this time, e.g. 2024-05-01T12:00:00Z "
                    + "(without a zone: local time).")
    String toDatetime;

    @Option(names = "--to-offset", required = true, paramLabel = "N", description = "Offset N.")
    Long toOffset;

    @Option(names = "--shift-by", required = true, paramLabel = "N",
            description = "The committed offset plus N (negative to go back).")
    Long shiftBy;

    /** The {@code --to-datetime} instant in epoch milliseconds. */
    long timestampMs() {
        assert toDatetime != null : "only --to-datetime has a timestamp";
        try {
            return OffsetDateTime.parse(toDatetime).toInstant().toEpochMilli();
        } catch (DateTimeParseException notWithZone) {
            try {
                return LocalDateTime.parse(toDatetime).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
            } catch (DateTimeParseException notLocalDateTime) {
                try {
                    return LocalDate.parse(toDatetime).atStartOfDay(ZoneId.systemDefault()).toInstant().toEpochMilli();
                } catch (DateTimeParseException notDate) {
                    throw new CommandFailure("--to-datetime expects ISO 8601 such as 2024-05-01T12:00:00Z, got: "
                            + toDatetime, 2);
                }
            }
        }
    }

    boolean needsCommitted() {
        return shiftBy != null;
    }

    boolean needsTimestampLookup() {
        return toDatetime != null;
    }

    /**
     * The unclamped target for one partition. {@code committed} is null when the group has none there;
     * {@code byTime} is the offset the timestamp look-up found, or -1 when no record is that recent.
     */
    long target(Long committed, long earliest, long latest, long byTime) {
        if (toEarliest) {
            return earliest;
        }
        if (toLatest) {
            return latest;
        }
        if (toDatetime != null) {
            return byTime < 0 ? latest : byTime;
        }
        if (toOffset != null) {
            return toOffset;
        }
        assert shiftBy != null : "picocli enforces exactly one target";
        if (committed == null) {
            throw new IllegalStateException("no committed offset to shift from");
        }
        return committed + shiftBy;
    }

    @Override
    public String toString() {
        if (toEarliest) {
            return "earliest";
        }
        if (toLatest) {
            return "latest";
        }
        if (toDatetime != null) {
            return "datetime " + toDatetime + " (" + Instant.ofEpochMilli(timestampMs()) + ")";
        }
        return toOffset != null ? "offset " + toOffset : "shift by " + shiftBy;
    }
}
