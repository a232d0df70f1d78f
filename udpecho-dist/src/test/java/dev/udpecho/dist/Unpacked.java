package dev.udpecho.dist;

import dev.udpecho.testing.ChildProcesses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The distribution archive unpacked into a directory, and programs run from it, for tests. */
final class Unpacked {
    private Unpacked() {
    }

    /** @return the archive's top directory, unpacked under {@code dir} with the system's tar. */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        Result tar = run(List.of("tar", "-xzf", Repository.archive().toString(), "-C", dir.toString()), Map.of(), 60);
        if (tar.status != 0) {
            throw new IOException("tar failed: " + tar.output);
        }
        try (var entries = Files.list(dir)) {
            List<Path> top = entries.toList();
            if (top.size() != 1 || !Files.isDirectory(top.get(0))) {
                throw new IOException("the archive should hold one directory, not " + top);
            }
            return top.get(0);
        }
    }

    /** What a program did: its exit status and everything it printed, stdout and stderr together. */
    record Result(int status, String output) {
    }

    /** @return a builder for {@code command}, with the default signal dispositions ({@link ChildProcesses}). */
    static ProcessBuilder builder(List<String> command) {
        return ChildProcesses.builder(command);
    }

    /** Runs a program to its end, within {@code seconds}, with these environment variables too. */
    static Result run(List<String> command, Map<String, String> environment, int seconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = builder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("UDPECHO_"));
        pb.environment().putAll(environment);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " still running after " + seconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
