package dev.udpecho.proxy;

import dev.udpecho.impairment.Impairment;

import java.util.Objects;

/**
 * One direction's counts, since the proxy started.
 *
 * @param received       datagrams that came in to be forwarded.
 * @param forwarded      datagrams the kernel took to send on (a duplicate counts twice).
 * @param bytesForwarded their bytes.
 * @param rateLimited    datagrams not forwarded because of the direction's rate limit.
 * @param blackholed     datagrams not forwarded because the direction was cut.
 * @param errors         sends the system refused: up, an upstream that refused (ICMP port unreachable) or a
 *                       session closed before its delayed datagram went; down, a client that could not be sent to.
 * @param impaired       datagrams impaired on purpose, by {@link Impairment#ordinal()}.
 */
public record FlowStats(long received, long forwarded, long bytesForwarded, long rateLimited, long blackholed,
                        long errors, long[] impaired) {
    /** Checks the values. */
    public FlowStats {
        Objects.requireNonNull(impaired, "impaired");
        if (impaired.length != Impairment.values().length) {
            throw new IllegalArgumentException("one count per impairment");
        }
        impaired = impaired.clone();
    }

    /** @param what which impairment. @return datagrams it was done to. */
    public long impaired(Impairment what) {
        return impaired[what.ordinal()];
    }

    /** @return a copy of the counts by impairment. */
    @Override
    public long[] impaired() {
        return impaired.clone();
    }
}
