package io.tributary.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class IdempotenceTest extends LogTestBase {

    private static final long PID = 4242L;

    private static ByteBuffer batch(short epoch, int seq, int count) {
        return TestBatches.idempotent(T0, count, PID, epoch, seq);
    }

    @Test
    void retriedBatchIsADuplicateWithOriginalOffsets() {
        PartitionLog log = open();
        log.appendAsLeader(TestBatches.batch(T0, 4), 0);
        LogAppendInfo first = log.appendAsLeader(batch((short) 0, 0, 3), 0);
        LogAppendInfo second = log.appendAsLeader(batch((short) 0, 3, 2), 0);
        long size = log.sizeInBytes();

        LogAppendInfo retry = log.appendAsLeader(batch((short) 0, 0, 3), 0);

        assertThat(first.firstOffset()).isEqualTo(4);
        assertThat(second.firstOffset()).isEqualTo(7);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(4);
        assertThat(retry.lastOffset()).isEqualTo(6);
        assertThat(log.logEndOffset()).isEqualTo(9);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() {
        PartitionLog log = open();
        for (int i = 0; i < 6; i++) {
            log.appendAsLeader(batch((short) 0, i, 1), 0);
        }
        assertThat(log.appendAsLeader(batch((short) 0, 1, 1), 0).duplicate()).isTrue();
        assertThatThrownBy(() -> log.appendAsLeader(batch((short) 0, 0, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void gapsAndUnknownProducersAreOutOfOrder() {
        PartitionLog log = open();
        assertThatThrownBy(() -> log.appendAsLeader(batch((short) 0, 5, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        log.appendAsLeader(batch((short) 0, 0, 2), 0);
        assertThatThrownBy(() -> log.appendAsLeader(batch((short) 0, 3, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);
        log.appendAsLeader(batch((short) 0, 2, 1), 0);
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void epochRules() {
        PartitionLog log = open();
        log.appendAsLeader(batch((short) 1, 0, 2), 0);
        assertThatThrownBy(() -> log.appendAsLeader(batch((short) 0, 2, 1), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.appendAsLeader(batch((short) 2, 2, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        log.appendAsLeader(batch((short) 2, 0, 1), 0);
        // The old epoch is fenced now, even for what used to be a duplicate.
        assertThatThrownBy(() -> log.appendAsLeader(batch((short) 1, 0, 2), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void sequenceArithmeticWraps() {
        assertThat(ProducerStateEntry.addSequence(Integer.MAX_VALUE - 1, 2)).isZero();
        assertThat(ProducerStateEntry.addSequence(10, 2)).isEqualTo(12);
        assertThat(ProducerStateEntry.inSequence(Integer.MAX_VALUE, 0)).isTrue();
        assertThat(ProducerStateEntry.inSequence(5, 6)).isTrue();
        assertThat(ProducerStateEntry.inSequence(5, 7)).isFalse();
    }

    @Test
    void wrappingBatchIsAcceptedAndFollowedFromZero() {
        PartitionLog log = open();
        // Bring the producer to last seq = MAX-2 through replay (as recovery would), then wrap past MAX.
        log.appendAsLeader(batch((short) 0, 0, 1), 0);
        log.producerState().replay(new BatchHeaderFlyweight().wrap(
                withOffset(batch((short) 0, Integer.MAX_VALUE - 3, 2), 1), 0));
        assertThat(log.producerState().entry(PID).lastSeq()).isEqualTo(Integer.MAX_VALUE - 2);
        LogAppendInfo wrapping = log.appendAsLeader(batch((short) 0, Integer.MAX_VALUE - 1, 3), 0);
        assertThat(log.producerState().entry(PID).lastSeq()).isZero();
        LogAppendInfo next = log.appendAsLeader(batch((short) 0, 1, 1), 0);
        assertThat(next.firstOffset()).isEqualTo(wrapping.lastOffset() + 1);
        assertThat(log.appendAsLeader(batch((short) 0, Integer.MAX_VALUE - 1, 3), 0).duplicate()).isTrue();
    }

    @Test
    void producerStateSurvivesCleanAndUncleanRestart() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(batch((short) 0, 0, 3), 0);
        log.roll();
        log.appendAsLeader(batch((short) 0, 3, 3), 0);

        log = reopen(true);
        assertThat(log.appendAsLeader(batch((short) 0, 3, 3), 0).duplicate()).isTrue();
        log.appendAsLeader(batch((short) 0, 6, 1), 0);

        PartitionLog recovered = reopen(false);
        LogAppendInfo retry = recovered.appendAsLeader(batch((short) 0, 6, 1), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(6);
        assertThatThrownBy(() -> recovered.appendAsLeader(batch((short) 0, 9, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void corruptSnapshotIsIgnoredAndStateRebuiltFromTheLog() throws IOException {
        PartitionLog log = open();
        log.appendAsLeader(batch((short) 0, 0, 3), 0);
        manager.close();
        java.nio.file.Path snapshot = LogFiles.snapshotFile(partitionDir(), 3);
        assertThat(snapshot).exists();
        byte[] bytes = java.nio.file.Files.readAllBytes(snapshot);
        bytes[bytes.length - 1] ^= 0x11;
        java.nio.file.Files.write(snapshot, bytes);

        manager = LogManager.open(java.util.List.of(tmp), config, time);
        log = manager.log(TP);
        assertThat(log.appendAsLeader(batch((short) 0, 0, 3), 0).duplicate()).isTrue();
        assertThat(log.appendAsLeader(batch((short) 0, 3, 1), 0).firstOffset()).isEqualTo(3);
    }

    @Test
    void truncationRewindsProducerState() {
        PartitionLog log = open();
        log.appendAsLeader(batch((short) 0, 0, 2), 0);
        log.roll();
        log.appendAsLeader(batch((short) 0, 2, 2), 0);
        log.truncateTo(2);
        assertThat(log.producerState().entry(PID).lastSeq()).isEqualTo(1);
        assertThat(log.appendAsLeader(batch((short) 0, 2, 2), 0).duplicate()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(4);
    }

    private static ByteBuffer withOffset(ByteBuffer batch, long offset) {
        batch.putLong(0, offset);
        return batch;
    }
}
