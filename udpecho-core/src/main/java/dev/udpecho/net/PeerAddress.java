package dev.udpecho.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IP address and port held as raw bytes, overwritten in place for each datagram so that the receive path
 * allocates nothing. IPv4-mapped IPv6 addresses are held as IPv4.
 *
 * <p>Not thread-safe: each event loop or worker owns its instances; what a call is given is valid only during
 * that call. {@link #toSocketAddress()} allocates and is meant for logs and errors.
 */
public final class PeerAddress {
    private final byte[] bytes = new byte[16];
    private int family = 4;
    private int port;
    private int scopeId;

    /** @return 4 or 6. */
    public int family() {
        return family;
    }

    /** @return whether this is an IPv4 address. */
    public boolean isIpv4() {
        return family == 4;
    }

    /** @return the port. */
    public int port() {
        return port;
    }

    /** @return the IPv6 scope id, 0 if none. */
    public int scopeId() {
        return scopeId;
    }

    /** @return 4 or 16. */
    public int length() {
        return family == 4 ? 4 : 16;
    }

    /** @param i byte index below {@link #length()}. @return that byte of the address, 0 to 255. */
    public int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    /** @return an IPv4 address as a big-endian int. */
    public int ipv4() {
        return (byteAt(0) << 24) | (byteAt(1) << 16) | (byteAt(2) << 8) | byteAt(3);
    }

    /** @return the first 8 bytes of an IPv6 address (its /64 prefix), big-endian. */
    public long ipv6High() {
        return longAt(0);
    }

    /** @return the last 8 bytes of an IPv6 address, big-endian. */
    public long ipv6Low() {
        return longAt(8);
    }

    private long longAt(int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | byteAt(i);
        }
        return v;
    }

    /**
     * @param source raw address bytes: 4 for IPv4, 16 for IPv6 (IPv4-mapped ones become IPv4).
     * @param offset where they start.
     * @param length 4 or 16.
     * @param port   the port.
     * @param scope  the IPv6 scope id, or 0.
     * @return this.
     */
    public PeerAddress set(byte[] source, int offset, int length, int port, int scope) {
        if (length == 16 && isMapped(source, offset)) {
            offset += 12;
            length = 4;
        }
        System.arraycopy(source, offset, bytes, 0, length);
        this.family = length == 4 ? 4 : 6;
        this.port = port;
        this.scopeId = length == 4 ? 0 : scope;
        return this;
    }

    /**
     * @param address a resolved socket address; its address bytes are copied (one small allocation by the JDK).
     * @return this.
     */
    public PeerAddress set(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        byte[] raw = ip.getAddress();
        int scope = ip instanceof Inet6Address ? ((Inet6Address) ip).getScopeId() : 0;
        return set(raw, 0, raw.length, address.getPort(), scope);
    }

    /** @param other where to copy this address to. */
    public void copyTo(PeerAddress other) {
        System.arraycopy(bytes, 0, other.bytes, 0, 16);
        other.family = family;
        other.port = port;
        other.scopeId = scopeId;
    }

    /** @return whether it is the same address and port as {@code other}. */
    public boolean sameAs(PeerAddress other) {
        return family == other.family && port == other.port && scopeId == other.scopeId
                && Arrays.equals(bytes, 0, length(), other.bytes, 0, length());
    }

    /** @return the address as an {@link InetAddress}; allocates. */
    public InetAddress toInetAddress() {
        try {
            return family == 4 ? Inet4Address.getByAddress(Arrays.copyOf(bytes, 4))
                    : Inet6Address.getByAddress(null, Arrays.copyOf(bytes, 16), scopeId);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // the lengths are always valid
        }
    }

    /** @return the address and port as a socket address; allocates. */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(toInetAddress(), port);
    }

    /** @return {@code 127.0.0.1:5000} or {@code [::1]:5000}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(48);
        Addresses.appendTo(out, this);
        return out.toString();
    }

    private static boolean isMapped(byte[] b, int offset) {
        for (int i = 0; i < 10; i++) {
            if (b[offset + i] != 0) {
                return false;
            }
        }
        return b[offset + 10] == (byte) 0xff && b[offset + 11] == (byte) 0xff;
    }
}
