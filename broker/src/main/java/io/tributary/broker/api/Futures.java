package io.tributary.broker.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.protocol.Errors;

/** Turns a failed future's cause into the Kafka error a client should see. */
final class Futures {
    private Futures() {
    }

    static Errors error(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return Errors.forException(t);
    }
}
