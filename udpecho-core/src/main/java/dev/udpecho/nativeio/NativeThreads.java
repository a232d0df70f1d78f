package dev.udpecho.nativeio;

/**
 * Scheduling of the calling thread, where the native library is available.
 *
 * <p>Thread-safe; each call concerns the thread that makes it.
 */
public final class NativeThreads {
    private NativeThreads() {
    }

    /**
     * Makes the calling thread yield to every other: on a busy CPU it then gets about 1.5% of it next to a
     * thread of normal priority (nice 19 against 0). For work that must never slow the receive path, such as
     * writing log lines.
     *
     * @return whether it was done; false without the native library.
     */
    public static boolean lowestPriority() {
        return NativeLibrary.isAvailable() && nice0(19) == 0;
    }

    private static native int nice0(int nice);
}
