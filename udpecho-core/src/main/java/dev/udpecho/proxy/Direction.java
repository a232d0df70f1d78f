package dev.udpecho.proxy;

import java.util.Locale;

/** Which way a datagram goes through a {@link UdpProxy}. */
public enum Direction {
    /** From a client to the upstream. */
    UP,
    /** From the upstream back to a client. */
    DOWN;

    /** @return the name as options, metrics and logs use it: {@code up} or {@code down}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
