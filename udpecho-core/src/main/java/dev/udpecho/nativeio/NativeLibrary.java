package dev.udpecho.nativeio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads udpecho's JNI library (recvmmsg/sendmmsg batching), built for Linux x86_64 and carried in the jar.
 * Anywhere else, or with {@code -Dudpecho.native=false}, it is unavailable and the Netty transports serve.
 *
 * <p>Thread-safe; the library is loaded once, on first use.
 */
public final class NativeLibrary {
    private static final String RESOURCE = "/META-INF/native/libudpecho-linux-x86_64.so";
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

    static void ensureAvailable() {
        if (UNAVAILABILITY != null) {
            throw new UnsupportedOperationException("native transport unavailable: " + UNAVAILABILITY.getMessage(),
                    UNAVAILABILITY);
        }
    }

    private static Throwable load() {
        try {
            if (!Boolean.parseBoolean(System.getProperty("udpecho.native", "true"))) {
                return new UnsupportedOperationException("disabled by -Dudpecho.native=false");
            }
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                return new UnsupportedOperationException("built for Linux x86_64 only, not " + os + " " + arch);
            }
            try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    return new UnsupportedOperationException(RESOURCE + " is not in this build (no gcc at build time?)");
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
