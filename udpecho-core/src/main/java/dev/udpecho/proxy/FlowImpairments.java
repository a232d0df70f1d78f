package dev.udpecho.proxy;

import dev.udpecho.impairment.Impairments;

import java.util.Objects;

/**
 * What a {@link UdpProxy} does to the datagrams of one {@link Direction}: the server's impairments (loss, delay,
 * duplicates, reordering, damage), a rate limit and a switch that cuts the direction entirely. Immutable.
 *
 * @param impairments what is done to each datagram, with the same semantics as the server's replies.
 * @param rate        datagrams per second forwarded at most (a token bucket holding one second's worth); 0 for no
 *                    limit.
 * @param blackhole   whether nothing is forwarded at all.
 */
public record FlowImpairments(Impairments impairments, double rate, boolean blackhole) {
    /** Everything forwarded, untouched. */
    public static final FlowImpairments NONE = new FlowImpairments(Impairments.NONE, 0, false);

    /** Checks the values. */
    public FlowImpairments {
        Objects.requireNonNull(impairments, "impairments");
        if (!(rate >= 0 && rate <= 1e9)) {
            throw new IllegalArgumentException("rate must be 0 (no limit) to 1e9 datagrams a second, not " + rate);
        }
    }

    /** @return whether anything at all is done to the datagrams. */
    public boolean isOn() {
        return blackhole || rate > 0 || impairments.isOn();
    }
}
