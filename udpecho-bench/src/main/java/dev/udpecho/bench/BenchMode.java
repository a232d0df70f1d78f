package dev.udpecho.bench;

import java.util.Locale;

/**
 * How a run loads the server.
 */
public enum BenchMode {
    /** One datagram in flight: the next goes out when the last is answered or given up. The round-trip time. */
    PINGPONG,
    /** A fixed number in flight, each answer (or timeout) sending the next. The highest sustained echo rate. */
    WINDOW,
    /**
     * Open loop: datagrams go out on a fixed schedule whatever comes back, and latency counts from each one's
     * scheduled send time, so that a stalled server or client cannot hide the stall (no coordinated omission).
     */
    RATE;

    /**
     * @param name {@code pingpong}, {@code window} or {@code rate}, any case.
     * @return the mode.
     * @throws IllegalArgumentException for any other name.
     */
    public static BenchMode parse(String name) {
        for (BenchMode m : values()) {
            if (m.toString().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + name + "' (pingpong, window or rate)");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
