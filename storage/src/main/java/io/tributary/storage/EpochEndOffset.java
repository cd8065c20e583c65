package io.tributary.storage;

/**
 * Answer to OffsetForLeaderEpoch: the largest known epoch not above the requested one and the offset where it ends.
 * Both are -1 when the epoch is unknown.
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {

    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_EPOCH_OFFSET = -1L;
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
}
