package dev.udpecho.cli;

import dev.udpecho.testing.ChildProcesses;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real process (the {@code ./udpecho} launcher, ncat, python3) with its output collected line by line.
 * {@link #close()} kills it if it still runs.
 */
final class UdpEchoProcess implements AutoCloseable {
    /** How long the pumps may take to read the last lines once the process ended. */
    private static final long DRAIN_MILLIS = 10_000;

    private final Process process;
    private final Output out;
    private final Output err;

    private UdpEchoProcess(Process process) {
        this.process = process;
        out = new Output(process.getInputStream(), "stdout");
        err = new Output(process.getErrorStream(), "stderr");
    }

    /** @return the repository's root, where the {@code udpecho} launcher is. */
    static File home() {
        File dir = new File(System.getProperty("user.dir")).getAbsoluteFile();
        for (File d = dir; d != null; d = d.getParentFile()) {
            if (new File(d, "udpecho").canExecute() && new File(d, "pom.xml").isFile()) {
                return d;
            }
        }
        throw new IllegalStateException("no udpecho launcher above " + dir);
    }

    /** Starts {@code ./udpecho args...}, using the jar this build made. */
    static UdpEchoProcess udpecho(String... args) throws IOException {
        return udpecho(Map.of(), args);
    }

    /** Starts {@code ./udpecho args...} with these environment variables too. */
    static UdpEchoProcess udpecho(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(new File(home(), "udpecho").getPath());
        Collections.addAll(command, args);
        return start(command, environment);
    }

    /** Starts any program. */
    static UdpEchoProcess start(List<String> command) throws IOException {
        return start(command, Map.of());
    }

    /**
     * Starts any program with these environment variables too. Options set in the environment running the tests
     * ({@code UDPECHO_PORT}...) are not passed on: each test says what it sets.
     */
    static UdpEchoProcess start(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder pb = ChildProcesses.builder(command).directory(home());
        pb.environment().keySet().removeIf(k -> k.startsWith("UDPECHO_") && !k.equals("UDPECHO_JAVA_OPTS"));
        pb.environment().put("UDPECHO_NO_BUILD", "1");
        pb.environment().putAll(environment);
        return new UdpEchoProcess(pb.start());
    }

    /** @return the first stdout line matching {@code regex}, waiting for it; its match. */
    Matcher awaitOut(String regex, long timeoutMillis) throws InterruptedException {
        return await(out, regex, timeoutMillis);
    }

    Matcher awaitErr(String regex, long timeoutMillis) throws InterruptedException {
        return await(err, regex, timeoutMillis);
    }

    private Matcher await(Output output, String regex, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Matcher m = output.await(Pattern.compile(regex), deadline);
        if (m == null) {
            throw new AssertionError("no " + output.name + " line matching " + regex + " within " + timeoutMillis
                    + " ms" + (output.ended() ? " (it ended)" : "") + "; stdout " + stdout() + ", stderr " + stderr());
        }
        return m;
    }

    /** @return the port from the server's {@code Listening on udp://...:PORT (TRANSPORT)} line. */
    int awaitListeningPort() throws InterruptedException {
        return Integer.parseInt(awaitOut("Listening on udp://.*:(\\d+) \\(\\w+\\)", 30_000).group(1));
    }

    List<String> stdout() {
        return out.lines();
    }

    List<String> stderr() {
        return err.lines();
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    void write(String text) throws IOException {
        stdin().write(text.getBytes(StandardCharsets.UTF_8));
        stdin().flush();
    }

    /** Sends a signal by name (INT, TERM) to the process. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = ChildProcesses.builder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " failed");
        }
    }

    /**
     * @return the exit status, waiting at most {@code timeoutMillis} for the process to end; then its output is
     * read to the end, so that {@link #stdout()} and {@link #stderr()} hold every line it printed.
     */
    int awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeoutMillis + " ms; stdout " + stdout()
                    + ", stderr " + stderr());
        }
        // The pipes close when the process ends, unless a process it started still holds them.
        for (Output output : List.of(out, err)) {
            if (!output.awaitEnd(DRAIN_MILLIS)) {
                throw new AssertionError(output.name + " still open " + DRAIN_MILLIS + " ms after the process ended"
                        + " (a process it started holds it); stdout " + stdout() + ", stderr " + stderr());
            }
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One output stream of the process, read line by line by a pump thread of its own; a test thread waits on it
     * for a line, or for its end.
     */
    private static final class Output {
        private final String name;
        private final Thread pump;
        private final List<String> lines = new ArrayList<>(); // guarded by this
        private boolean ended; // guarded by this

        Output(InputStream stream, String name) {
            this.name = name;
            pump = new Thread(() -> read(stream), "pump-" + name);
            pump.setDaemon(true);
            pump.start();
        }

        private void read(InputStream stream) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    add(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                end();
            }
        }

        private synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        private synchronized void end() {
            ended = true;
            notifyAll();
        }

        /** @return the first line matching {@code p}, or null if none came before {@code deadline} or the end. */
        synchronized Matcher await(Pattern p, long deadline) throws InterruptedException {
            for (int next = 0; ; ) {
                for (; next < lines.size(); next++) {
                    Matcher m = p.matcher(lines.get(next));
                    if (m.matches()) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** @return whether the stream was read to its end within {@code timeoutMillis}. */
        boolean awaitEnd(long timeoutMillis) throws InterruptedException {
            pump.join(timeoutMillis);
            return !pump.isAlive();
        }

        synchronized boolean ended() {
            return ended;
        }

        synchronized List<String> lines() {
            return new ArrayList<>(lines);
        }
    }
}
