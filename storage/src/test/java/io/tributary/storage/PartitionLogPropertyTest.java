package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;

/**
 * Random sequences of appends, rolls, reads, truncations, DeleteRecords and (clean or crashing) restarts, checked
 * after every step against the simplest possible model of a log: the list of batches it holds.
 */
class PartitionLogPropertyTest {

    private static final TopicPartition TP = new TopicPartition("prop", 3);
    private static final long T0 = 1_700_000_000_000L;

    /** The model: every batch appended and not truncated away, with the exact bytes the log should hold. */
    private static final class Model {
        final List<byte[]> batches = new ArrayList<>();
        final List<long[]> ranges = new ArrayList<>();
        final List<Integer> epochs = new ArrayList<>();
        long logStart;
        long logEnd;

        void add(ByteBuffer appended, long base, long last, int epoch) {
            byte[] bytes = new byte[appended.remaining()];
            appended.duplicate().get(bytes);
            batches.add(bytes);
            ranges.add(new long[] {base, last});
            epochs.add(epoch);
            logEnd = last + 1;
        }

        void truncateTo(long offset) {
            if (offset >= logEnd) {
                return;
            }
            if (offset < logStart) {
                batches.clear();
                ranges.clear();
                epochs.clear();
                logStart = offset;
                logEnd = offset;
                return;
            }
            while (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] >= offset) {
                int i = ranges.size() - 1;
                logEnd = ranges.get(i)[0];
                batches.remove(i);
                ranges.remove(i);
                epochs.remove(i);
            }
            logStart = Math.min(logStart, logEnd);
        }
    }

    sealed interface Op permits Append, Roll, Read, Truncate, DeleteRecords, Reopen {
    }

    record Append(List<Integer> recordCounts, int valueBytes, boolean gzip, boolean bumpEpoch) implements Op {
    }

    record Roll() implements Op {
    }

    record Read(double offsetFraction, int maxBytes, boolean minOneBatch, int limitSlack) implements Op {
    }

    record Truncate(double offsetFraction, boolean belowStart) implements Op {
    }

    record DeleteRecords(double offsetFraction) implements Op {
    }

    record Reopen(boolean clean) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> append = Combinators.combine(
                Arbitraries.integers().between(1, 6).list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.integers().between(0, 60), Arbitraries.of(false, false, false, true),
                Arbitraries.of(false, false, false, false, true))
                .as(Append::new);
        Arbitrary<Op> read = Combinators.combine(Arbitraries.doubles().between(0, 0.99),
                Arbitraries.integers().between(0, 1500), Arbitraries.of(true, false),
                Arbitraries.integers().between(-10, 3))
                .as(Read::new);
        Arbitrary<Op> truncate = Combinators.combine(Arbitraries.doubles().between(0, 1),
                Arbitraries.of(false, false, false, false, false, false, false, true)).as(Truncate::new);
        Arbitrary<Op> deleteRecords = Arbitraries.doubles().between(0, 1).map(DeleteRecords::new);
        Arbitrary<Op> reopen = Arbitraries.of(true, false).map(Reopen::new);
        Arbitrary<Op> roll = Arbitraries.just(new Roll());
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, append), net.jqwik.api.Tuple.of(6, read),
                net.jqwik.api.Tuple.of(1, roll), net.jqwik.api.Tuple.of(2, truncate),
                net.jqwik.api.Tuple.of(1, deleteRecords), net.jqwik.api.Tuple.of(2, reopen))
                .list().ofMinSize(5).ofMaxSize(40);
    }

    @Property(tries = 100, shrinking = ShrinkingMode.BOUNDED)
    void logAgreesWithModel(@ForAll("ops") List<Op> ops,
                            @ForAll @IntRange(min = 200, max = 1500) int segmentBytes,
                            @ForAll @IntRange(min = 0, max = 300) int indexIntervalBytes,
                            @ForAll @IntRange(min = 24, max = 200) int segmentIndexBytes) throws IOException {
        Path dir = Files.createTempDirectory("tributary-prop");
        ManualTime time = new ManualTime(T0);
        LogConfig config = LogConfig.from(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(segmentBytes),
                LogConfig.INDEX_INTERVAL_BYTES, String.valueOf(indexIntervalBytes),
                LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(segmentIndexBytes),
                LogConfig.FILE_DELETE_DELAY_MS, "0"), LogConfig.DEFAULTS);
        LogManager manager = LogManager.open(List.of(dir), config, time);
        try {
            PartitionLog log = manager.getOrCreateLog(TP, Uuid.randomUuid(), config);
            Model model = new Model();
            int epoch = 0;
            int step = 0;
            for (Op op : ops) {
                step++;
                if (op instanceof Append a) {
                    epoch += a.bumpEpoch ? 1 : 0;
                    appendAll(log, model, a, epoch, time);
                } else if (op instanceof Roll) {
                    log.roll();
                } else if (op instanceof Read r) {
                    checkRead(log, model, r);
                } else if (op instanceof Truncate t) {
                    long offset = t.belowStart && model.logStart > 0 ? model.logStart - 1
                            : pick(model.logStart, model.logEnd, t.offsetFraction);
                    log.truncateTo(offset);
                    model.truncateTo(offset);
                } else if (op instanceof DeleteRecords d) {
                    log.updateHighWatermark(log.logEndOffset());
                    long offset = pick(model.logStart, model.logEnd, d.offsetFraction);
                    log.maybeIncrementLogStartOffset(offset);
                    model.logStart = Math.max(model.logStart, offset);
                } else if (op instanceof Reopen r) {
                    if (r.clean) {
                        manager.close();
                    } else {
                        manager.closeAbruptly();
                    }
                    manager = LogManager.open(List.of(dir), config, time);
                    log = manager.log(TP);
                }
                String context = "step " + step + " " + op;
                assertThat(log.logEndOffset()).as(context).isEqualTo(model.logEnd);
                assertThat(log.logStartOffset()).as(context).isEqualTo(model.logStart);
                int lastBatchEpoch = model.epochs.isEmpty() ? -1 : model.epochs.get(model.epochs.size() - 1);
                if (model.logEnd > model.logStart) {
                    assertThat(log.latestEpoch()).as(context).isEqualTo(lastBatchEpoch);
                } else {
                    // Nothing visible: like Kafka, the epoch clamped to the log start may have been truncated away.
                    assertThat(log.latestEpoch()).as(context).isIn(-1, lastBatchEpoch);
                }
                epoch = Math.max(epoch, log.latestEpoch());
            }
            checkEverything(log, model);
        } finally {
            try {
                manager.close();
            } catch (RuntimeException ignored) {
                // a crashed manager cannot close cleanly
            }
            LogFiles.deleteRecursively(dir);
        }
    }

    private static long pick(long from, long to, double fraction) {
        return from + (long) Math.floor((to - from) * fraction);
    }

    private static void appendAll(PartitionLog log, Model model, Append a, int epoch, ManualTime time) {
        List<ByteBuffer> batches = new ArrayList<>();
        for (int count : a.recordCounts) {
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(256 + count * (a.valueBytes + 32)),
                    a.gzip ? Compression.gzip().build() : Compression.NONE, TimestampType.CREATE_TIME, 0L);
            for (int i = 0; i < count; i++) {
                builder.append(time.milliseconds() - 1000 + i, null, new byte[a.valueBytes]);
            }
            batches.add(builder.build().buffer());
        }
        ByteBuffer request = TestBatches.concat(batches.toArray(new ByteBuffer[0]));
        if (request.remaining() > log.config().segmentBytes()) {
            assertThatThrownBy(() -> log.appendAsLeader(request, epoch))
                    .isInstanceOf(org.apache.kafka.common.errors.RecordBatchTooLargeException.class);
            return;
        }
        LogAppendInfo info = log.appendAsLeader(request, epoch);
        assertThat(info.firstOffset()).isEqualTo(model.logEnd);
        // The request buffer now holds exactly what was written: split it back into batches for the model.
        int position = 0;
        long next = info.firstOffset();
        for (int count : a.recordCounts) {
            int size = request.getInt(position + 8) + 12;
            ByteBuffer one = request.duplicate();
            one.position(position).limit(position + size);
            model.add(one.slice(), next, next + count - 1, epoch);
            next += count;
            position += size;
        }
        assertThat(info.lastOffset()).isEqualTo(next - 1);
        time.advance(1);
    }

    private static void checkRead(PartitionLog log, Model model, Read r) throws IOException {
        long fetch = pick(model.logStart, model.logEnd + 1, r.offsetFraction);
        long limit = Math.max(0, model.logEnd + r.limitSlack);
        FetchSlice slice = log.read(fetch, r.maxBytes, r.minOneBatch, limit);
        assertThat(TestBatches.bytes(slice)).isEqualTo(expectedRead(log, model, fetch, r.maxBytes, r.minOneBatch,
                limit));
    }

    /** Whole batches from the one holding fetch, within maxBytes and limit, and never past a segment's end. */
    private static ByteBuffer expectedRead(PartitionLog log, Model model, long fetch, int maxBytes,
                                           boolean minOneBatch, long limit) {
        List<Long> segmentBases = log.segmentBaseOffsets();
        ByteBuffer out = ByteBuffer.allocate(1 << 20);
        Long segment = null;
        for (int i = 0; i < model.ranges.size(); i++) {
            long[] range = model.ranges.get(i);
            if (range[1] < fetch) {
                continue;
            }
            long batchSegment = floor(segmentBases, range[0]);
            if (range[1] >= limit || (segment != null && batchSegment != segment)) {
                break;
            }
            byte[] bytes = model.batches.get(i);
            boolean first = segment == null;
            if (out.position() + bytes.length > maxBytes && !(first && minOneBatch)) {
                break;
            }
            out.put(bytes);
            segment = batchSegment;
        }
        return out.flip();
    }

    private static long floor(List<Long> sorted, long value) {
        long result = -1;
        for (long v : sorted) {
            if (v <= value) {
                result = v;
            }
        }
        return result;
    }

    /** Reads the whole log back in big chunks and compares with the model; checks the range edges. */
    private static void checkEverything(PartitionLog log, Model model) throws IOException {
        ByteBuffer expected = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < model.ranges.size(); i++) {
            if (model.ranges.get(i)[1] >= model.logStart) {
                expected.put(model.batches.get(i));
            }
        }
        expected.flip();
        ByteBuffer actual = ByteBuffer.allocate(1 << 20);
        long next = model.logStart;
        while (next < model.logEnd) {
            FetchSlice slice = log.read(next, 100_000, true, Long.MAX_VALUE);
            assertThat(slice.isEmpty()).isFalse();
            ByteBuffer bytes = TestBatches.bytes(slice);
            actual.put(bytes.duplicate());
            int position = 0;
            while (position < bytes.limit()) {
                next = bytes.getLong(position) + bytes.getInt(position + 23) + 1;
                position += bytes.getInt(position + 8) + 12;
            }
        }
        assertThat(actual.flip()).isEqualTo(expected);
        assertThat(log.read(model.logEnd, 100, true, Long.MAX_VALUE).isEmpty()).isTrue();
        assertThatThrownBy(() -> log.read(model.logEnd + 1, 100, true, Long.MAX_VALUE))
                .isInstanceOf(OffsetOutOfRangeException.class);
        if (model.logStart > 0) {
            assertThatThrownBy(() -> log.read(model.logStart - 1, 100, true, Long.MAX_VALUE))
                    .isInstanceOf(OffsetOutOfRangeException.class);
        }
    }
}
