package dev.udpecho.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where these tests start every child process: with SIGINT, SIGTERM and SIGHUP set back to their default action.
 *
 * <p>Ignored signals stay ignored across fork and exec. Started with SIGINT ignored (under {@code nohup}, or as a
 * background job of a shell without job control), the build's JVMs and every {@code ./udpecho} they start would
 * ignore it too, and a JVM that finds SIGINT ignored never runs a handler for it: the tests that stop a process with
 * SIGINT and wait for its summary would wait in vain. coreutils' {@code env --default-signal} (8.31 or newer) resets
 * the dispositions and execs the command, which so keeps env's pid.
 *
 * <p>Called from test threads only.
 */
public final class ChildProcesses {
    /** The prefix that gives a command the default dispositions of the signals the tests send. */
    public static final List<String> DEFAULT_SIGNALS = List.of("env", "--default-signal=INT,TERM,HUP");

    private ChildProcesses() {
    }

    /** @return {@code command}, to be run with the default signal dispositions. */
    public static List<String> command(List<String> command) {
        List<String> all = new ArrayList<>(DEFAULT_SIGNALS);
        all.addAll(command);
        return all;
    }

    /** @return a builder for {@code command}, run with the default signal dispositions. */
    public static ProcessBuilder builder(List<String> command) {
        return new ProcessBuilder(command(command));
    }

    public static ProcessBuilder builder(String... command) {
        return builder(Arrays.asList(command));
    }
}
