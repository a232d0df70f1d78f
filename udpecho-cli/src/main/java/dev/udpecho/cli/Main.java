package dev.udpecho.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Entry point of the {@code udpecho} command.
 *
 * <p>{@link #run} holds all the logic and is callable in a test with its own streams; {@link #main} only exits
 * with its status.
 */
public final class Main {
    private Main() {
    }

    /** @param args the command line. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, utf8(System.out), utf8(System.err)));
    }

    /**
     * @param args the command line.
     * @param in   standard input.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit status, one of {@link ExitCode}.
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), in, out, err);
    }

    /**
     * @param args        the command line.
     * @param environment environment variables, for options not on the command line ({@code UDPECHO_PORT}).
     * @param in          standard input.
     * @param out         standard output.
     * @param err         standard error.
     * @return the exit status, one of {@link ExitCode}.
     */
    public static int run(String[] args, Map<String, String> environment, InputStream in, PrintStream out,
                          PrintStream err) {
        return UdpEchoCommand.commandLine(environment, in, out, err).execute(args);
    }

    /** Payload text is printed as UTF-8 whatever the locale; escaping keeps it safe for any terminal. */
    private static PrintStream utf8(PrintStream stream) {
        return new PrintStream(stream, true, StandardCharsets.UTF_8);
    }
}
