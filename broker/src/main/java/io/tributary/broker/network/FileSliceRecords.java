package io.tributary.broker.network;

import io.tributary.storage.FetchSlice;
import java.io.IOException;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * A fetch response's record set that stays in the segment file. The response encoder turns it into a
 * Netty {@code FileRegion}, so the bytes travel from page cache to socket by {@code sendfile} and never
 * enter the JVM heap.
 */
public final class FileSliceRecords implements BaseRecords {
    private final FetchSlice slice;

    public FileSliceRecords(FetchSlice slice) {
        this.slice = slice;
    }

    public FetchSlice slice() {
        return slice;
    }

    @Override
    public int sizeInBytes() {
        return slice.sizeInBytes();
    }

    /** Kafka's own Send path, used only when a response is written through kafka-clients' network layer. */
    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        return new RecordsSend<FileSliceRecords>(this, slice.sizeInBytes()) {
            @Override
            protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
                return (int) channel.transferFrom(slice.channel(), slice.position() + previouslyWritten, remaining);
            }
        };
    }
}
