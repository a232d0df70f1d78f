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

    /** Netty's property for how many of its buffers it follows to report leaks. */
    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    /**
     * The process's entry: Netty's leak detection is off unless {@code -Dio.netty.leakDetection.level} says
     * otherwise. By default Netty follows one buffer in 128 with a stack trace at each use, and the epoll
     * server's batched reads and writes make those traces a measurable part of its cost per reply
     * (docs/BENCHMARKS.md); the tests run the same paths with Netty's default.
     *
     * @param args the command line.
     */
    public static void main(String[] args) {
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
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
