package io.tributary.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers one segment after an unclean shutdown (or rebuilds a missing/corrupt index): walks every batch checking
 * framing, magic, CRC and offset order, re-creates both indexes exactly as appends would have, and cuts the file at
 * the first batch that fails. Everything before that batch survives; nothing after it can be trusted, since a
 * crash only tears the tail and a corrupt batch in the middle leaves no reliable framing for what follows.
 */
final class RecoveryScanner {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryScanner.class);

    /**
     * @param nextOffset     offset after the last valid batch (the segment base if none)
     * @param truncatedBytes bytes cut from the end of the file (0 if the segment was intact)
     * @param zeroTail       the cut bytes were all zeros: page-cache prefill (see {@link LogSegment}) a crash left
     *                       behind, or never-written space, rather than a torn or corrupt batch
     */
    record Result(long nextOffset, long truncatedBytes, boolean zeroTail) {
    }

    private RecoveryScanner() {
    }

    static Result recover(LogSegment segment, LogConfig config) throws IOException {
        segment.resetForRecovery(config.segmentIndexBytes());
        BatchScanner scanner = new BatchScanner(256 * 1024);
        int size = segment.sizeInBytes();
        scanner.reset(segment.channel(), 0, size);
        CRC32C crc = new CRC32C();
        long nextOffset = segment.baseOffset;
        long validBytes = 0;
        String problem = null;
        while (scanner.next()) {
            BatchHeaderFlyweight header = scanner.header();
            problem = check(header, nextOffset, segment.baseOffset);
            if (problem == null && scanner.computeCrc(crc) != header.storedCrc()) {
                problem = "CRC mismatch";
            }
            if (problem != null) {
                break;
            }
            segment.indexBatch((int) scanner.batchPosition(), header.lastOffset(), header.maxTimestamp(),
                    header.sizeInBytes(), config.indexIntervalBytes());
            nextOffset = header.lastOffset() + 1;
            validBytes = scanner.nextPosition();
        }
        if (problem == null && scanner.stop() != BatchScanner.Stop.END) {
            problem = scanner.stop() == BatchScanner.Stop.TRUNCATED ? "incomplete batch" : "bad batch length";
        }
        long truncated = size - validBytes;
        boolean zeroTail = truncated > 0 && allZero(segment, validBytes, size);
        if (zeroTail) {
            LOG.info("Cutting {} zero bytes after position {} of {} (prefilled space)", truncated, validBytes,
                    segment.logFile());
        } else if (truncated > 0) {
            LOG.warn("Truncating {} at position {} ({} bytes dropped): {}", segment.logFile(), validBytes, truncated,
                    problem);
        }
        if (truncated > 0) {
            segment.truncateFileTo((int) validBytes);
        }
        return new Result(nextOffset, truncated, zeroTail);
    }

    private static boolean allZero(LogSegment segment, long from, long to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long at = from;
        while (at < to) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), to - at));
            int read = segment.channel().read(buffer, at);
            if (read < 0) {
                return false;
            }
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) != 0) {
                    return false;
                }
            }
            at += read;
        }
        return true;
    }

    private static String check(BatchHeaderFlyweight header, long expectedMinOffset, long segmentBase) {
        if (header.magic() != BatchHeaderFlyweight.MAGIC_V2) {
            return "magic " + header.magic();
        }
        if (header.lastOffsetDelta() < 0) {
            return "negative lastOffsetDelta";
        }
        if (header.baseOffset() < expectedMinOffset) {
            return "offset " + header.baseOffset() + " not above " + (expectedMinOffset - 1);
        }
        if (header.lastOffset() - segmentBase > Integer.MAX_VALUE) {
            return "offset " + header.lastOffset() + " out of the segment's range";
        }
        return null;
    }
}
