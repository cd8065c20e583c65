package io.tributary.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The cleaner's fixed-memory map from record key to the latest offset seen for it (Kafka's SkimpyOffsetMap). Keys
 * are not stored, only their 16-byte MD5 digest, next to an 8-byte offset, in open-addressed slots of one
 * preallocated buffer: memory stays exactly what {@code log.cleaner.dedupe.buffer.size} grants, however large the
 * keys. Two keys with the same digest would be merged (the older record of one could be dropped), which for MD5 is
 * a 2^-64-ish event per pair that Kafka accepts too.
 *
 * <p>The map accepts new keys until it holds {@code loadFactor} of its slots ({@link #isFull()}); the cleaner then
 * stops reading the dirty log and cleans up to the last offset it managed to record. Not thread-safe: one per
 * cleaner thread.
 */
final class OffsetMap {

    static final int DIGEST_BYTES = 16;
    static final int ENTRY_BYTES = DIGEST_BYTES + 8;
    private static final long EMPTY = -1L;

    private final ByteBuffer slotsBuffer;
    private final int slots;
    private final int maxEntries;
    private final MessageDigest md5;
    private final byte[] digest = new byte[DIGEST_BYTES];
    private int entries;
    private long latestOffset = -1L;
    /** Probe statistics, to spot a bad load factor in tests. */
    private long lookups;
    private long probes;

    OffsetMap(int memoryBytes, double loadFactor) {
        if (memoryBytes < 2 * ENTRY_BYTES) {
            throw new IllegalArgumentException("An offset map needs at least " + 2 * ENTRY_BYTES + " bytes, got "
                    + memoryBytes);
        }
        if (!(loadFactor > 0 && loadFactor <= 1)) {
            throw new IllegalArgumentException("Load factor must be in (0, 1], got " + loadFactor);
        }
        this.slots = memoryBytes / ENTRY_BYTES;
        this.slotsBuffer = ByteBuffer.allocate(slots * ENTRY_BYTES);
        // Keep one slot free whatever the load factor, so a probe for an absent key always ends.
        this.maxEntries = Math.max(1, Math.min(slots - 1, (int) (slots * loadFactor)));
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK must provide MD5", e);
        }
        clear();
    }

    int slots() {
        return slots;
    }

    /** How many distinct keys the map takes before it reports full. */
    int maxEntries() {
        return maxEntries;
    }

    int size() {
        return entries;
    }

    boolean isFull() {
        return entries >= maxEntries;
    }

    /** Largest offset put since the last clear, or -1. */
    long latestOffset() {
        return latestOffset;
    }

    double averageProbes() {
        return lookups == 0 ? 0 : (double) probes / lookups;
    }

    void clear() {
        for (int slot = 0; slot < slots; slot++) {
            slotsBuffer.putLong(slot * ENTRY_BYTES + DIGEST_BYTES, EMPTY);
        }
        entries = 0;
        latestOffset = -1L;
        lookups = 0;
        probes = 0;
    }

    /**
     * Records {@code offset} as the latest offset of {@code key} (position..limit, not consumed). A new key needs a
     * map that is not {@link #isFull() full}; an existing key can always be updated.
     *
     * @return false if the key is new and the map is full (nothing changed)
     */
    boolean put(ByteBuffer key, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Negative offset " + offset);
        }
        hash(key);
        int slot = findSlot();
        boolean present = slotsBuffer.getLong(slot * ENTRY_BYTES + DIGEST_BYTES) != EMPTY;
        if (!present) {
            if (isFull()) {
                return false;
            }
            slotsBuffer.put(slot * ENTRY_BYTES, digest);
            entries++;
        }
        slotsBuffer.putLong(slot * ENTRY_BYTES + DIGEST_BYTES, offset);
        latestOffset = Math.max(latestOffset, offset);
        return true;
    }

    /** The latest offset recorded for {@code key}, or -1 if none. */
    long get(ByteBuffer key) {
        hash(key);
        return slotsBuffer.getLong(findSlot() * ENTRY_BYTES + DIGEST_BYTES);
    }

    private void hash(ByteBuffer key) {
        md5.reset();
        md5.update(key.duplicate());
        try {
            md5.digest(digest, 0, DIGEST_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Linear probing from the slot the digest names: the slot holding the digest, or the empty slot ending it. */
    private int findSlot() {
        lookups++;
        int start = (((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8)
                | (digest[3] & 0xff)) & Integer.MAX_VALUE;
        int slot = start % slots;
        while (true) {
            probes++;
            int at = slot * ENTRY_BYTES;
            if (slotsBuffer.getLong(at + DIGEST_BYTES) == EMPTY || sameDigest(at)) {
                return slot;
            }
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
    }

    private boolean sameDigest(int at) {
        for (int i = 0; i < DIGEST_BYTES; i++) {
            if (slotsBuffer.get(at + i) != digest[i]) {
                return false;
            }
        }
        return true;
    }
}
