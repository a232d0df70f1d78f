package dev.udpecho.nativeio;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads udpecho's JNI library (recvmmsg/sendmmsg batching), built for Linux by udpecho-core's build on the
 * build machine's architecture, x86_64 or aarch64, and carried in the jar as
 * {@code META-INF/native/libudpecho-linux-ARCH.so} (ARCH in Netty's names: {@code x86_64}, {@code aarch_64}).
 * Anywhere else, in a jar built with {@code -Dnative=skip}, or with {@code -Dudpecho.native=false}, it is
 * unavailable and the Netty transports serve.
 *
 * <p>Thread-safe; the library is loaded once, on first use.
 */
public final class NativeLibrary {
    private static final Throwable UNAVAILABILITY = load();

    private NativeLibrary() {
    }

    /** @return whether the native transport can be used here. */
    public static boolean isAvailable() {
        return UNAVAILABILITY == null;
    }

    /** @return why the native transport cannot be used, or {@code null}. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY;
    }

    /** @return the thread that frees the native memory and closes the sockets of those no one closed. */
    static Cleaner cleaner() {
        return Cleaners.CLEANER;
    }

    /** Started only where the library is used. */
    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create();
    }

    static void ensureAvailable() {
        if (UNAVAILABILITY != null) {
            throw new UnsupportedOperationException("native transport unavailable: " + UNAVAILABILITY.getMessage(),
                    UNAVAILABILITY);
        }
    }

    /**
     * @param osArch the JVM's {@code os.arch}.
     * @return the jar resource of the library for it, or {@code null} if udpecho has none for that architecture.
     */
    static String resource(String osArch) {
        switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64":
            case "x86_64":
                return "/META-INF/native/libudpecho-linux-x86_64.so";
            case "aarch64":
                return "/META-INF/native/libudpecho-linux-aarch_64.so";
            default:
                return null;
        }
    }

    private static Throwable load() {
        try {
            if (!Boolean.parseBoolean(System.getProperty("udpecho.native", "true"))) {
                return new UnsupportedOperationException("disabled by -Dudpecho.native=false");
            }
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "");
            String resource = resource(arch);
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || resource == null) {
                return new UnsupportedOperationException("built for Linux x86_64 and aarch64 only, not " + os + " "
                        + arch);
            }
            try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return new UnsupportedOperationException(resource + " is not in this build (made with"
                            + " -Dnative=skip, or on another architecture)");
                }
                Path file = Files.createTempFile("libudpecho-", ".so");
                try {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    System.load(file.toAbsolutePath().toString());
                } finally {
                    // Once mapped, the library no longer needs its file.
                    Files.deleteIfExists(file);
                }
            }
            return null;
        } catch (IOException | LinkageError | SecurityException e) {
            return e;
        }
    }
}
