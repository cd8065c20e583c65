package io.tributary.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated full disk, for tests that must prove what a real {@code ENOSPC} does to the logs where mounting a
 * small file system is not possible. Armed, it gives one directory a byte budget: writes to segment files and
 * checkpoints below that directory succeed until the budget is spent, a write straddling the limit is cut short
 * (exactly as the kernel writes what fits, then fails the rest), and every later write fails with
 * {@code IOException("No space left on device")}. Disarmed (the default) it costs one volatile read per write.
 */
public final class DiskFaults {

    private record Budget(Path dir, AtomicLong remainingBytes) {
    }

    private static volatile Budget budget;

    private DiskFaults() {
    }

    /** From now on only {@code bytesLeft} more bytes fit in {@code dir} (and everything below it). */
    public static void fillUpAfter(Path dir, long bytesLeft) {
        if (bytesLeft < 0) {
            throw new IllegalArgumentException("bytesLeft must not be negative: " + bytesLeft);
        }
        budget = new Budget(dir.toAbsolutePath().normalize(), new AtomicLong(bytesLeft));
    }

    /** "Frees the space": writes succeed again. */
    public static void clear() {
        budget = null;
    }

    /** How many of {@code length} bytes may be written to {@code file}; fewer than asked means the disk is full. */
    static int writableBytes(Path file, int length) {
        Budget b = budget;
        if (b == null || !file.toAbsolutePath().normalize().startsWith(b.dir)) {
            return length;
        }
        while (true) {
            long left = b.remainingBytes.get();
            int granted = (int) Math.min(length, Math.max(0, left));
            if (b.remainingBytes.compareAndSet(left, left - granted)) {
                return granted;
            }
        }
    }

    static IOException noSpace(Path file) {
        return new IOException("No space left on device (simulated) writing " + file);
    }
}
