package dev.udpecho.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The host's own addresses under a wildcard binding, for every engine. A wildcard server also binds a socket to
 * each of them, on the same port: the kernel delivers a datagram to the most specific socket, and a reply from
 * a socket bound to one address leaves from that address, on any transport, with no control message. The
 * wildcard sockets still receive what is sent to addresses that come later; only the native transport names
 * their replies' source (IP_PKTINFO), Netty's leave from the address the kernel's routing chooses.
 *
 * <p>Stateless.
 */
final class HostAddresses {
    /** A host with more addresses than this is served by the wildcard sockets alone (a thread per socket). */
    static final int MAX_SOCKETS = 16;

    private HostAddresses() {
    }

    /**
     * @return the addresses of the host's interfaces that are up and that a wildcard in {@code bound} covers:
     *     IPv4 under 0.0.0.0, IPv4 and IPv6 under a dual-stack [::], less those bound already. IPv6 link-local
     *     addresses are left to the wildcard sockets, whose replies name the interface such an address belongs to.
     *     Empty when more than {@link #MAX_SOCKETS}.
     */
    static List<InetAddress> under(List<InetAddress> bound) {
        List<InetAddress> found = all(bound);
        return found.size() > MAX_SOCKETS ? List.of() : found;
    }

    /** @return the same as {@link #under}, however many. */
    static List<InetAddress> all(List<InetAddress> bound) {
        // Every wildcard covers IPv4: 0.0.0.0, and [::], which udpecho makes dual-stack.
        boolean v4 = bound.stream().anyMatch(InetAddress::isAnyLocalAddress);
        boolean v6 = bound.stream().anyMatch(a -> a.isAnyLocalAddress() && a instanceof Inet6Address);
        List<InetAddress> found = new ArrayList<>();
        if (!v4) {
            return found;
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    boolean wanted = a instanceof Inet6Address ? v6 && !a.isLinkLocalAddress() : v4;
                    if (wanted && !a.isMulticastAddress() && !a.isAnyLocalAddress()) {
                        InetAddress unscoped = unscoped(a);
                        if (!found.contains(unscoped) && !bound.contains(unscoped)) {
                            found.add(unscoped);
                        }
                    }
                }
            }
        } catch (SocketException e) {
            return List.of(); // the wildcard sockets serve every address anyway
        }
        return found;
    }

    /** @return the address without the interface name Java adds to every IPv6 address it lists. */
    private static InetAddress unscoped(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a byte array of the wrong length
        }
    }
}
