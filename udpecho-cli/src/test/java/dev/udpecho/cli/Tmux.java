package dev.udpecho.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A pseudo-terminal driven by tmux on a server socket of its own: the program in it sees a real terminal,
 * the test types into it and reads the screen back.
 */
final class Tmux implements AutoCloseable {
    private final String socket = "udpecho-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /** Runs {@code shellCommand} in a new 120×40 terminal; the pane stays after it ends, for reading. */
    Tmux(String shellCommand) throws IOException, InterruptedException {
        run("new-session", "-d", "-x", "120", "-y", "40", "-s", "it",
                "bash -c '" + shellCommand + "; echo EXIT=$?; sleep 600'");
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
        List<String> lines = screen();
        while (!condition.test(lines)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("screen not as expected within " + timeoutMillis + " ms:\n" + String.join("\n", lines));
            }
            Thread.sleep(20);
            lines = screen();
        }
        return lines;
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
    }
}
