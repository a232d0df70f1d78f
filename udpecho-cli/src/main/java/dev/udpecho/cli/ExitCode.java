package dev.udpecho.cli;

/**
 * The exit statuses of {@code udpecho}.
 */
public enum ExitCode {
    /** Done as asked; a server stopped by SIGINT or SIGTERM. */
    OK(0),
    /** Could not do what was asked: a port could not be bound, a message got no reply, a host is unknown. */
    FAILURE(1),
    /** The command line is wrong: an unknown option, a value out of range. */
    USAGE(2);

    private final int status;

    ExitCode(int status) {
        this.status = status;
    }

    /** @return the process exit status. */
    public int status() {
        return status;
    }
}
