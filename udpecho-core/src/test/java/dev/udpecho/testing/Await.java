package dev.udpecho.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition on state that offers no event of its own (a server's counters, the kernel's), with a
 * deadline: it returns as soon as the condition holds, and fails the test, saying what was awaited, when it does
 * not hold in time.
 */
public final class Await {
    private Await() {
    }

    /**
     * @param what      what is awaited, for the failure message.
     * @param timeout   how long at most.
     * @param condition checked about every millisecond.
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
