package dev.udpecho.cli;

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
    private final Process process;
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> err = Collections.synchronizedList(new ArrayList<>());

    private UdpEchoProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), out, "stdout");
        pump(process.getErrorStream(), err, "stderr");
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
        ProcessBuilder pb = new ProcessBuilder(command).directory(home());
        pb.environment().keySet().removeIf(k -> k.startsWith("UDPECHO_") && !k.equals("UDPECHO_JAVA_OPTS"));
        pb.environment().put("UDPECHO_NO_BUILD", "1");
        pb.environment().putAll(environment);
        return new UdpEchoProcess(pb.start());
    }

    private static void pump(InputStream stream, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "pump-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** @return the first stdout line matching {@code regex}, waiting for it; its match. */
    Matcher awaitOut(String regex, long timeoutMillis) throws InterruptedException {
        return await(out, regex, timeoutMillis, "stdout");
    }

    Matcher awaitErr(String regex, long timeoutMillis) throws InterruptedException {
        return await(err, regex, timeoutMillis, "stderr");
    }

    private Matcher await(List<String> lines, String regex, long timeoutMillis, String name)
            throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            synchronized (lines) {
                for (String line : lines) {
                    Matcher m = p.matcher(line);
                    if (m.matches()) {
                        return m;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + name + " line matching " + regex + " within " + timeoutMillis
                        + " ms; stdout " + stdout() + ", stderr " + stderr());
            }
            Thread.sleep(10);
        }
    }

    /** @return the port from the server's {@code Listening on udp://...:PORT (TRANSPORT)} line. */
    int awaitListeningPort() throws InterruptedException {
        return Integer.parseInt(awaitOut("Listening on udp://.*:(\\d+) \\(\\w+\\)", 30_000).group(1));
    }

    List<String> stdout() {
        synchronized (out) {
            return new ArrayList<>(out);
        }
    }

    List<String> stderr() {
        synchronized (err) {
            return new ArrayList<>(err);
        }
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
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " failed");
        }
    }

    /** @return the exit status, waiting at most {@code timeoutMillis}. */
    int awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeoutMillis + " ms; stdout " + stdout()
                    + ", stderr " + stderr());
        }
        // let the pumps read the last lines
        Thread.sleep(50);
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
}
