package dev.udpecho.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The largest UDP payloads the protocols carry, without IPv6 jumbograms.
 *
 * <p>Stateless and safe to use from any thread.
 */
public final class DatagramLimits {
    /** 65535 − 20 (IPv4 header) − 8 (UDP header). */
    public static final int MAX_IPV4_PAYLOAD = 65_507;
    /** 65535 − 8 (UDP header); the IPv6 header is not counted in its payload length. */
    public static final int MAX_IPV6_PAYLOAD = 65_527;
    /** A receive buffer this large holds any datagram whole, with room to spare. */
    public static final int RECEIVE_BUFFER_SIZE = 65_536;

    private DatagramLimits() {
    }

    /**
     * @param peer the address a datagram is sent to.
     * @return the largest payload that can be sent to it.
     */
    public static int maxPayload(PeerAddress peer) {
        return peer.isIpv4() ? MAX_IPV4_PAYLOAD : MAX_IPV6_PAYLOAD;
    }

    /**
     * @param peer the address a datagram is sent to.
     * @return the largest payload that can be sent to it: IPv4 limits apply to IPv4-mapped IPv6 peers too.
     */
    public static int maxPayload(InetAddress peer) {
        if (peer instanceof Inet4Address || (peer instanceof Inet6Address && Addresses.isIpv4Mapped(peer))) {
            return MAX_IPV4_PAYLOAD;
        }
        return MAX_IPV6_PAYLOAD;
    }
}
