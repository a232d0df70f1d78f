package dev.udpecho.net;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;

/**
 * Formats socket addresses the way people read them: {@code 127.0.0.1:5000}, {@code [::1]:5000}.
 * IPv4-mapped IPv6 addresses (what a dual-stack socket reports for an IPv4 peer) print as plain IPv4,
 * IPv6 addresses in RFC 5952 form inside brackets, with their scope where they have one.
 *
 * <p>Stateless and safe to use from any thread.
 */
public final class Addresses {
    private Addresses() {
    }

    /**
     * @param address a socket address; unresolved addresses print their host name.
     * @return {@code host:port}, with IPv6 hosts in brackets.
     */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            String host = address.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        }
        ip = unmap(ip);
        String host = host(ip);
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Appends {@code host:port} as {@link #format} does, without allocating: for log writers.
     *
     * @param out  where to append.
     * @param peer the address.
     */
    public static void appendTo(StringBuilder out, PeerAddress peer) {
        if (peer.isIpv4()) {
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    out.append('.');
                }
                out.append(peer.byteAt(i));
            }
        } else {
            out.append('[');
            appendIpv6(out, peer);
            if (peer.scopeId() != 0) {
                out.append('%').append(peer.scopeId());
            }
            out.append(']');
        }
        out.append(':').append(peer.port());
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    private static void appendIpv6(StringBuilder out, PeerAddress peer) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && group(peer, j) == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                out.append(':');
            }
            out.append(Integer.toHexString(group(peer, i)));
        }
    }

    private static int group(PeerAddress peer, int i) {
        return (peer.byteAt(2 * i) << 8) | peer.byteAt(2 * i + 1);
    }

    /**
     * @param ip an IP address.
     * @return its text form without brackets: dotted IPv4, or compressed IPv6 with {@code %scope} if scoped.
     */
    public static String host(InetAddress ip) {
        ip = unmap(ip);
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        Inet6Address v6 = (Inet6Address) ip;
        String text = NetUtil.toAddressString(v6);
        NetworkInterface nif = v6.getScopedInterface();
        if (nif != null) {
            return text + "%" + nif.getName();
        }
        return v6.getScopeId() != 0 ? text + "%" + v6.getScopeId() : text;
    }

    /**
     * @param ip an IP address.
     * @return whether it is an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}).
     */
    public static boolean isIpv4Mapped(InetAddress ip) {
        if (!(ip instanceof Inet6Address)) {
            return false;
        }
        byte[] b = ip.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /**
     * @param ip an IP address.
     * @return the IPv4 address inside an IPv4-mapped IPv6 address, otherwise {@code ip} itself.
     */
    public static InetAddress unmap(InetAddress ip) {
        if (!isIpv4Mapped(ip)) {
            return ip;
        }
        byte[] b = ip.getAddress();
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always a valid IPv4 address
        }
    }
}
