package io.tributary.storage;

import java.util.List;
import org.apache.kafka.common.InvalidRecordException;

/**
 * An INVALID_RECORD rejection that can point at the offending records. The produce response carries these as
 * {@code record_errors} (KIP-467), so a producer fails exactly those records with their own message and the rest
 * of the batch with a generic "part of a batch with invalid records" error, instead of one opaque failure.
 */
public final class RecordValidationException extends InvalidRecordException {
    private static final long serialVersionUID = 1L;

    /**
     * One rejected record.
     *
     * @param batchIndex position of the record in the partition's record set, counting from 0 across its batches
     * @param message    why this record was rejected
     */
    public record RecordError(int batchIndex, String message) {
    }

    private final transient List<RecordError> recordErrors;

    RecordValidationException(String message, List<RecordError> recordErrors) {
        super(message);
        assert !recordErrors.isEmpty() : "a record-level rejection names at least one record";
        this.recordErrors = List.copyOf(recordErrors);
    }

    public List<RecordError> recordErrors() {
        return recordErrors;
    }
}
