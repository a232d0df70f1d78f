package dev.udpecho.proxy;

import java.util.Objects;

/**
 * What a {@link UdpProxy} has done since it started: a snapshot, each count read once.
 *
 * @param up              client → upstream.
 * @param down            upstream → client.
 * @param sessions        sessions open now.
 * @param sessionsOpened  sessions opened (a client seen for the first time, or again after its session ended).
 * @param sessionsExpired sessions closed after {@code sessionTimeout} without a datagram either way.
 * @param sessionsEvicted sessions closed, least recently used first, to make room for a new client.
 * @param sessionErrors   datagrams of a new client dropped because no upstream socket could be opened for it.
 */
public record ProxyStats(FlowStats up, FlowStats down, int sessions, long sessionsOpened, long sessionsExpired,
                         long sessionsEvicted, long sessionErrors) {
    /** Checks the values. */
    public ProxyStats {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(down, "down");
    }

    /** @param direction which. @return its counts. */
    public FlowStats of(Direction direction) {
        return direction == Direction.UP ? up : down;
    }
}
