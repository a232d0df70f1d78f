package dev.udpecho.cli;

import dev.udpecho.testing.ChildProcesses;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A pseudo-terminal driven by tmux on a server socket of its own: the program in it sees a real terminal,
 * the test types into it and reads the screen back.
 *
 * <p>A control-mode client ({@code tmux -C attach}) is attached too, for its {@code %output} notification, which
 * tmux prints each time the program writes to the terminal: {@link #awaitScreen} reads the screen again on each,
 * instead of on a timer. Called from one test thread; the notifications are read on a thread of their own.
 */
final class Tmux implements AutoCloseable {
    private static final long ATTACH_MILLIS = 10_000;

    private final String socket = "udpecho-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final Process control;
    private boolean attached; // guarded by this
    private long outputs; // guarded by this: %output notifications so far
    private boolean ended; // guarded by this: the control client is gone

    /** Runs {@code shellCommand} in a new 120×40 terminal; the pane stays after it ends, for reading. */
    Tmux(String shellCommand) throws IOException, InterruptedException {
        // The sleep waits for nothing: it keeps the pane, and so the screen, after the program ended; close() ends it.
        run("new-session", "-d", "-x", "120", "-y", "40", "-s", "it",
                "bash -c '" + shellCommand + "; echo EXIT=$?; sleep 600'");
        control = ChildProcesses.builder("tmux", "-L", socket, "-C", "attach-session", "-t", "it")
                .redirectErrorStream(true).start();
        Thread notifications = new Thread(this::readNotifications, "tmux-control-" + socket);
        notifications.setDaemon(true);
        notifications.start();
        // Output from now on is notified; what came before is on the first screen read.
        if (!awaitAttached(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ATTACH_MILLIS))) {
            close();
            throw new IOException("tmux -C attach did not attach within " + ATTACH_MILLIS + " ms");
        }
    }

    /** Types {@code keys} (tmux key names, e.g. {@code Enter}, {@code C-c}) into the terminal. */
    void send(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "it"));
        args.addAll(Arrays.asList(keys));
        run(args.toArray(new String[0]));
    }

    /** Types text literally, without interpreting key names. */
    void type(String text) throws IOException, InterruptedException {
        run("send-keys", "-t", "it", "-l", text);
    }

    /** @return the screen's lines, trailing blank lines dropped. */
    List<String> screen() throws IOException, InterruptedException {
        String text = run("capture-pane", "-p", "-t", "it");
        List<String> lines = new ArrayList<>(text.lines().toList());
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** @return the screen once {@code condition} holds, waiting at most {@code timeoutMillis}. */
    List<String> awaitScreen(Predicate<List<String>> condition, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long seen = outputs();
            List<String> lines = screen();
            if (condition.test(lines)) {
                return lines;
            }
            if (!awaitOutputAfter(seen, deadline)) {
                throw new AssertionError("screen not as expected within " + timeoutMillis + " ms"
                        + (ended() ? " (tmux control client gone)" : "") + ":\n" + String.join("\n", lines));
            }
        }
    }

    private void readNotifications() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(control.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("%output ")) {
                    notified(false);
                } else if (line.startsWith("%session-changed ")) {
                    notified(true);
                }
            }
        } catch (IOException e) {
            // the control client is gone
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private synchronized void notified(boolean attach) {
        if (attach) {
            attached = true;
        } else {
            outputs++;
        }
        notifyAll();
    }

    private synchronized long outputs() {
        return outputs;
    }

    private synchronized boolean ended() {
        return ended;
    }

    private synchronized boolean awaitAttached(long deadline) throws InterruptedException {
        while (!attached && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return attached;
    }

    /** @return whether the program wrote again since {@code seen} notifications, before {@code deadline}. */
    private synchronized boolean awaitOutputAfter(long seen, long deadline) throws InterruptedException {
        while (outputs == seen && !ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return outputs != seen;
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(Arrays.asList(args));
        Process p = ChildProcesses.builder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            ChildProcesses.builder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing left to kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The server is gone, so the control client ends by itself; this only bounds it.
        control.destroyForcibly();
    }
}
