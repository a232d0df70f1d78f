package dev.udpecho.server;

import java.util.Locale;

/**
 * Why a received datagram got no reply. Each reason has its own counter.
 */
public enum DropReason {
    /** The prefix plus the payload would exceed the largest datagram the protocol carries to that peer. */
    OVERSIZE;

    /** @return the reason as it appears in summaries and metrics, e.g. {@code oversize}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
