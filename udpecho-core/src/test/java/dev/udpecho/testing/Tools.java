package dev.udpecho.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.util.Arrays;
import java.util.List;

/**
 * External programs the end-to-end tests drive: ncat, tmux, python3, systemd-analyze.
 *
 * <p>On a machine without one, its tests are skipped with a message saying what to install. CI sets
 * {@code UDPECHO_REQUIRE_TOOLS=1} after installing them, and then a missing tool fails the test instead, so
 * that nothing is skipped there unnoticed.
 */
public final class Tools {
    private Tools() {
    }

    /** @param name a program that must be on the PATH for the calling test. */
    public static void require(String name) {
        if (onPath(name)) {
            return;
        }
        String message = name + " is not installed (apt-get install -y " + debianPackage(name) + ")";
        if (System.getenv("UDPECHO_REQUIRE_TOOLS") != null) {
            throw new AssertionError(message + ", and UDPECHO_REQUIRE_TOOLS is set");
        }
        Assumptions.abort(message + ": test skipped");
    }

    public static boolean onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = path == null ? List.of() : Arrays.asList(path.split(File.pathSeparator));
        return dirs.stream().anyMatch(d -> new File(d, name).canExecute());
    }

    private static String debianPackage(String name) {
        return name.equals("systemd-analyze") ? "systemd" : name;
    }
}
