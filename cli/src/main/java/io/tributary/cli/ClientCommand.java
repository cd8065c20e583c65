package io.tributary.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The base of every command that talks to brokers. It owns the shared options and the one error policy: whatever
 * goes wrong becomes a single {@code Error: ...} line on stderr and a non-zero exit code, with the stack trace only
 * under {@code --verbose}, so scripts can rely on the exit code and people are not shown client internals.
 * Output goes through picocli's writers so a caller (or a test) can redirect it with {@code setOut}/{@code setErr}.
 */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (Throwable t) {
            return report(t);
        } finally {
            out().flush();
            err().flush();
        }
    }

    /** The command proper: returns the exit code, or throws and lets the base report it. */
    protected abstract int execute() throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Admin admin() {
        return Admin.create(client.clientConfig());
    }

    private int report(Throwable thrown) {
        Throwable cause = Failures.unwrap(thrown);
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        err().println("Error: " + Failures.describe(cause, client.bootstrapServer));
        if (client.verbose) {
            thrown.printStackTrace(err());
        }
        return cause instanceof CommandFailure f ? f.exitCode : 1;
    }
}
