package io.tributary.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Turns whatever a Kafka client threw into one line for the terminal. Admin futures wrap the real error in
 * {@link ExecutionException}, and the message of the wrapper only repeats the cause's class name, so the cause is
 * what gets reported. A client timeout almost always means nothing answers at the bootstrap address, so the line
 * says which address was tried.
 */
final class Failures {
    private Failures() {
    }

    static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof ExecutionException || current instanceof CompletionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    static String describe(Throwable cause, String bootstrap) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            message = cause.getClass().getSimpleName();
        }
        if (cause instanceof TimeoutException) {
            message += " (is a broker reachable at " + bootstrap + "?)";
        }
        // One line, whatever the client put in the message.
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
