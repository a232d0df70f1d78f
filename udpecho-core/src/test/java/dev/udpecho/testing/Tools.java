package dev.udpecho.testing;

import dev.udpecho.nativeio.NativeLibrary;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * External programs the end-to-end tests drive (ncat, tmux, python3, systemd-analyze, C compilers), and
 * udpecho's native transport, which the build makes with gcc.
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

    /** Debian's Python, which has the Debian packages' modules (another python3 may come first on the PATH). */
    public static final String DEBIAN_PYTHON = "/usr/bin/python3";

    /**
     * @param module  a module Debian's Python must import for the calling test, e.g. {@code scapy.contrib.stamp}.
     * @param debianPackage the package that has it, e.g. {@code python3-scapy}.
     */
    public static void requirePythonModule(String module, String debianPackage) {
        boolean present;
        try {
            Process p = ChildProcesses.builder(DEBIAN_PYTHON, "-c", "import " + module)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            present = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
            p.destroyForcibly();
        } catch (java.io.IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (present) {
            return;
        }
        String message = DEBIAN_PYTHON + " cannot import " + module + " (apt-get install -y " + debianPackage + ")";
        if (System.getenv("UDPECHO_REQUIRE_TOOLS") != null) {
            throw new AssertionError(message + ", and UDPECHO_REQUIRE_TOOLS is set");
        }
        Assumptions.abort(message + ": test skipped");
    }

    /**
     * For tests of udpecho's native transport: skips the calling test where its library is not loaded, but
     * fails it, with the cause, under {@code UDPECHO_REQUIRE_TOOLS} on Linux x86_64 or aarch64, where the
     * build makes the library and it must load.
     */
    public static void requireNativeTransport() {
        if (NativeLibrary.isAvailable()) {
            return;
        }
        Throwable cause = NativeLibrary.unavailabilityCause();
        String message = "udpecho's native transport is not available: " + cause;
        if (System.getenv("UDPECHO_REQUIRE_TOOLS") != null && nativeTransportIsBuiltHere()) {
            throw new AssertionError(message + ", and UDPECHO_REQUIRE_TOOLS is set", cause);
        }
        Assumptions.abort(message + ": test skipped");
    }

    /** @return whether this is a platform whose builds carry the native transport: Linux x86_64 or aarch64. */
    public static boolean nativeTransportIsBuiltHere() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        return os.startsWith("linux") && List.of("amd64", "x86_64", "aarch64").contains(arch);
    }

    public static boolean onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = path == null ? List.of() : Arrays.asList(path.split(File.pathSeparator));
        return dirs.stream().anyMatch(d -> new File(d, name).canExecute());
    }

    private static String debianPackage(String name) {
        switch (name) {
            case "systemd-analyze":
                return "systemd";
            case "musl-gcc":
                return "musl-tools";
            case "aarch64-linux-gnu-gcc":
                return "gcc-aarch64-linux-gnu";
            case "mvn":
                return "maven";
            case "dnsmasq":
                return "dnsmasq-base";
            case "dig":
                return "dnsutils";
            case "ip":
            case "tc":
                return "iproute2";
            default:
                return name;
        }
    }
}
