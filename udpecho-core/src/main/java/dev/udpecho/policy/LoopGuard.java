package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import java.nio.ByteBuffer;

/**
 * Keeps the server out of datagram loops and away from sources that cannot be real (CVE-1999-0103: two echo
 * services made to answer each other forever). On by default. No reply:
 * <ul>
 *   <li>to a source port below 1024, where services that answer everything live (DNS, NTP, echo, chargen),
 *       unless low ports are allowed;</li>
 *   <li>to the server's own port: most likely another echo server;</li>
 *   <li>to port 0, or to a multicast, broadcast or unspecified address;</li>
 *   <li>to a datagram that already starts with the prefix twice: an answer to an answer. So a loop between two
 *       udpecho servers on different ports dies at its second bounce, and one on equal ports at once.</li>
 * </ul>
 *
 * <p>Thread-safe; allocates nothing. The server's port is set once it is bound.
 */
public final class LoopGuard implements ReplyPolicy {
    private final byte[] prefix;
    private final boolean allowLowSourcePorts;
    private final int answeredLowPort;
    private volatile int ownPort;

    /**
     * @param prefix              the server's reply prefix; with an empty one, answers cannot be told apart.
     * @param allowLowSourcePorts answer sources below port 1024 too.
     * @param ownPort             the server's port, or 0 until it is known.
     */
    public LoopGuard(byte[] prefix, boolean allowLowSourcePorts, int ownPort) {
        this(prefix, allowLowSourcePorts, ownPort, 0);
    }

    /**
     * @param answeredLowPort a port below 1024 answered all the same, 0 for none: STAMP's 862, which senders may
     *                        send from, for a reflector that tells another reflector's replies by their content.
     */
    public LoopGuard(byte[] prefix, boolean allowLowSourcePorts, int ownPort, int answeredLowPort) {
        this.answeredLowPort = answeredLowPort;
        this.prefix = prefix.clone();
        this.allowLowSourcePorts = allowLowSourcePorts;
        this.ownPort = ownPort;
    }

    /** @param port the port the server bound. */
    public void ownPort(int port) {
        this.ownPort = port;
    }

    @Override
    public DropReason decide(PeerAddress source, ByteBuffer payload) {
        int port = source.port();
        if (port == 0 || !isUnicast(source)) {
            return DropReason.BAD_SOURCE;
        }
        if (port == answeredLowPort) {
            return null; // it may be the server's own port too: a sender may use it, and a reflector knows replies
        }
        if (port < 1024 && !allowLowSourcePorts) {
            return DropReason.LOW_SOURCE_PORT;
        }
        if (port == ownPort) {
            return DropReason.OWN_PORT;
        }
        if (prefix.length > 0 && startsWithPrefixTwice(payload)) {
            return DropReason.ECHO_OF_ECHO;
        }
        return null;
    }

    /** @return false for unspecified, multicast and broadcast (and other class E) addresses. */
    static boolean isUnicast(PeerAddress a) {
        if (a.isIpv4()) {
            int first = a.byteAt(0);
            // 0.0.0.0/8 is "this network", 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, with 255.255.255.255.
            return first != 0 && first < 224;
        }
        if (a.byteAt(0) == 0xff) {
            return false; // ff00::/8 multicast
        }
        return a.ipv6High() != 0 || a.ipv6Low() != 0; // :: unspecified
    }

    private boolean startsWithPrefixTwice(ByteBuffer payload) {
        int n = prefix.length;
        if (payload.remaining() < 2 * n) {
            return false;
        }
        int start = payload.position();
        for (int i = 0; i < 2 * n; i++) {
            if (payload.get(start + i) != prefix[i % n]) {
                return false;
            }
        }
        return true;
    }
}
