package io.tributary.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The content of record number {@code i}, computed rather than remembered, so a test can write a million records
 * and check every byte of each one it reads back without holding them in memory.
 *
 * <p>The pattern covers what the record format can carry: null and non-null keys, values of varying length (so
 * batches are not uniform), one or two headers including a null header value, and a distinct timestamp.
 */
final class RecordPattern {
    private final int partitions;
    private final long baseTimestampMs;

    RecordPattern(int partitions, long baseTimestampMs) {
        this.partitions = partitions;
        this.baseTimestampMs = baseTimestampMs;
    }

    int partitionOf(long i) {
        return (int) (i % partitions);
    }

    /** Records are spread round-robin, so partition p holds records p, p+n, p+2n... at offsets 0, 1, 2... */
    long indexAt(int partition, long offset) {
        return offset * partitions + partition;
    }

    byte[] key(long i) {
        return i % 7 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    byte[] value(long i) {
        byte[] prefix = ("value-" + i + "-").getBytes(StandardCharsets.US_ASCII);
        byte[] v = Arrays.copyOf(prefix, prefix.length + (int) (i % 41));
        Arrays.fill(v, prefix.length, v.length, (byte) ('a' + i % 26));
        return v;
    }

    long timestamp(long i) {
        return baseTimestampMs + i;
    }

    Headers headers(long i) {
        RecordHeaders h = new RecordHeaders();
        h.add("idx", ByteBuffer.allocate(8).putLong(i).array());
        if (i % 3 == 0) {
            h.add("tag", null);
        } else if (i % 3 == 1) {
            h.add("tag", ("t" + i).getBytes(StandardCharsets.US_ASCII));
        }
        return h;
    }

    /** Null when the headers are exactly those of record i, else what differs. */
    String headerMismatch(long i, Headers actual) {
        Header[] want = headers(i).toArray();
        Header[] got = actual.toArray();
        if (want.length != got.length) {
            return "expected " + want.length + " headers, got " + got.length;
        }
        for (int k = 0; k < want.length; k++) {
            if (!want[k].key().equals(got[k].key()) || !Arrays.equals(want[k].value(), got[k].value())) {
                return "header " + k + " expected " + want[k] + " got " + got[k];
            }
        }
        return null;
    }
}
