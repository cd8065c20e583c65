package io.tributary.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a broker's log cleaner said about each cleaning of one topic's partitions: bytes and records read
 * and kept, and how long it took. The cleaner benchmark's throughput figure is bytes read / elapsed time, as the
 * brokers themselves count them, so both brokers are judged by the same definition.
 *
 * <p>Two formats:
 * <ul>
 *   <li>Apache Kafka 4.3 ({@code LogCleaner$CleanerThread.recordStats}): one multi-line INFO event per cleaning,
 *   <pre>
 *   [2026-11-22 04:00:05,321] INFO [kafka-log-cleaner-thread-0]:
 *   	Log cleaner thread 0 cleaned log t-0 (dirty section = [0, 90000])
 *   	95.3 MB of log processed in 2.1 seconds (45.4 MB/sec).
 *   	...
 *   	Start size: 95.3 MB (100,000 messages)
 *   	End size: 9.5 MB (10,000 messages)
 *   </pre>
 *   in MiB with one decimal (so bytes are exact to 0.05 MiB) and the elapsed time in tenths of a second. When the
 *   {@code Cleaner} also logged {@code Beginning cleaning of log t-0}, the elapsed time is taken from the two
 *   log timestamps instead (milliseconds), which matters for the small runs of {@code --quick}. Numbers use the
 *   JVM's default locale; a locale that does not write them as {@code 1,234.5} fails the parse loudly.</li>
 *   <li>Tributary: one INFO line per cleaning, {@code Cleaned log t-0: read B bytes, wrote B bytes, R records
 *   read, K kept, in E ms}.</li>
 * </ul>
 *
 * <p>Usage: {@code CleanerLog LOG_FILE TOPIC}: prints the totals over all cleanings of TOPIC's partitions as
 * {@code key<TAB>value} lines (cleanings, bytes_read, bytes_written, records_read, records_kept, elapsed_ms).
 */
public final class CleanerLog {

    /** One cleaning of one partition. */
    record Cleaning(String partition, long bytesRead, long bytesWritten, long recordsRead, long recordsKept,
                    long elapsedMs) {
    }

    private static final String NUMBER = "([0-9][0-9,]*\\.[0-9])";
    private static final Pattern TIMESTAMP = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3})\\]");
    private static final DateTimeFormatter TIMESTAMP_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern KAFKA_BEGIN = Pattern.compile("Beginning cleaning of log (\\S+)");
    private static final Pattern KAFKA_HEAD = Pattern.compile(
            "Log cleaner thread \\d+ cleaned log (\\S+) \\(dirty section = \\[\\d+, \\d+\\]\\)");
    private static final Pattern KAFKA_PROCESSED = Pattern.compile(NUMBER + " MB of log processed in " + NUMBER + " seconds");
    private static final Pattern KAFKA_START = Pattern.compile("Start size: " + NUMBER + " MB \\(([0-9,]+) messages\\)");
    private static final Pattern KAFKA_END = Pattern.compile("End size: " + NUMBER + " MB \\(([0-9,]+) messages\\)");
    private static final Pattern TRIBUTARY = Pattern.compile("Cleaned log (\\S+): read (\\d+) bytes, wrote (\\d+) bytes, "
            + "(\\d+) records read, (\\d+) kept, in (\\d+) ms");
    /** Lines of Kafka's stats event searched for its figures; the event has 9. */
    private static final int KAFKA_EVENT_LINES = 12;
    private static final double MIB = 1024 * 1024;

    private CleanerLog() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CleanerLog LOG_FILE TOPIC");
        }
        List<Cleaning> cleanings = parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8), args[1]);
        System.out.print(totals(cleanings));
    }

    static String totals(List<Cleaning> cleanings) {
        long read = 0, written = 0, recordsRead = 0, kept = 0, elapsed = 0;
        for (Cleaning c : cleanings) {
            read += c.bytesRead();
            written += c.bytesWritten();
            recordsRead += c.recordsRead();
            kept += c.recordsKept();
            elapsed += c.elapsedMs();
        }
        return "cleanings\t" + cleanings.size() + "\nbytes_read\t" + read + "\nbytes_written\t" + written
                + "\nrecords_read\t" + recordsRead + "\nrecords_kept\t" + kept + "\nelapsed_ms\t" + elapsed + "\n";
    }

    /** Every cleaning of a partition of {@code topic} in the log, in the order they were logged. */
    static List<Cleaning> parse(List<String> lines, String topic) {
        Pattern ofTopic = Pattern.compile(Pattern.quote(topic) + "-\\d+");
        List<Cleaning> cleanings = new ArrayList<>();
        Map<String, LocalDateTime> begun = new HashMap<>();
        LocalDateTime lastTimestamp = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher ts = TIMESTAMP.matcher(line);
            if (ts.find()) {
                lastTimestamp = LocalDateTime.parse(ts.group(1), TIMESTAMP_FORMAT);
            }
            Matcher m = TRIBUTARY.matcher(line);
            if (m.find()) {
                if (ofTopic.matcher(m.group(1)).matches()) {
                    cleanings.add(new Cleaning(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
                }
                continue;
            }
            m = KAFKA_BEGIN.matcher(line);
            if (m.find() && lastTimestamp != null) {
                begun.put(m.group(1), lastTimestamp);
                continue;
            }
            m = KAFKA_HEAD.matcher(line);
            if (m.find() && ofTopic.matcher(m.group(1)).matches()) {
                cleanings.add(kafkaStats(lines, i, m.group(1), begun.remove(m.group(1)), lastTimestamp));
            }
        }
        return cleanings;
    }

    private static Cleaning kafkaStats(List<String> lines, int head, String partition, LocalDateTime begun,
                                       LocalDateTime logged) {
        Matcher processed = null, start = null, end = null;
        for (int i = head + 1; i < Math.min(lines.size(), head + KAFKA_EVENT_LINES); i++) {
            String line = lines.get(i);
            processed = processed != null ? processed : found(KAFKA_PROCESSED, line);
            start = start != null ? start : found(KAFKA_START, line);
            end = end != null ? end : found(KAFKA_END, line);
        }
        if (processed == null || start == null || end == null) {
            throw new IllegalArgumentException("Kafka cleaner stats for " + partition + " (line " + (head + 1)
                    + ") lack the 'MB of log processed', 'Start size' or 'End size' line in the expected format");
        }
        long elapsedMs = begun != null && logged != null
                ? Duration.between(begun, logged).toMillis()
                : Math.round(number(processed.group(2)) * 1000);
        return new Cleaning(partition, Math.round(number(start.group(1)) * MIB), Math.round(number(end.group(1)) * MIB),
                Long.parseLong(start.group(2).replace(",", "")), Long.parseLong(end.group(2).replace(",", "")), elapsedMs);
    }

    private static Matcher found(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        return m.find() ? m : null;
    }

    private static double number(String formatted) {
        return Double.parseDouble(formatted.replace(",", ""));
    }
}
