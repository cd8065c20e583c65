package io.tributary.cli;

/**
 * A failure the user can act on (a missing topic, a group that still has members, a malformed option), with a
 * message already worded for the terminal. {@link ClientCommand} prints it as one line and exits with
 * {@link #exitCode}; anything else that escapes a command is treated as unexpected but reported the same way.
 */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int exitCode;

    CommandFailure(String message) {
        this(message, 1);
    }

    CommandFailure(String message, int exitCode) {
        super(message);
        assert exitCode != 0 : "a failure must not exit 0";
        this.exitCode = exitCode;
    }
}
