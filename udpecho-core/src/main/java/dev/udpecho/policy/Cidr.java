package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a block of one.
 * IPv4-mapped IPv6 blocks are held as IPv4, as sources are. Immutable.
 */
public final class Cidr {
    private final byte[] network;
    private final int bits;

    private Cidr(byte[] network, int bits) {
        this.network = network;
        this.bits = bits;
        for (int i = 0; i < network.length; i++) {
            network[i] &= (byte) mask(i);
        }
    }

    /**
     * @param text an IP literal with an optional {@code /bits} (no host names).
     * @return the block; host bits are cleared.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String ip = slash < 0 ? t : t.substring(0, slash);
        byte[] address = NetUtil.createByteArrayFromIpAddressString(ip);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an address or address block (e.g. 10.0.0.0/8, 2001:db8::/32)");
        }
        int max = address.length * 8;
        int bits = max;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + max);
            }
        }
        if (address.length == 16 && isMapped(address) && bits >= 96) {
            return new Cidr(Arrays.copyOfRange(address, 12, 16), bits - 96);
        }
        return new Cidr(address, bits);
    }

    /** @param source an address. @return whether it lies in this block. */
    public boolean contains(PeerAddress source) {
        if (source.length() != network.length) {
            return false;
        }
        for (int i = 0; i < network.length && i * 8 < bits; i++) {
            if ((source.byteAt(i) & mask(i)) != (network[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    private int mask(int byteIndex) {
        int remaining = bits - byteIndex * 8;
        return remaining >= 8 ? 0xff : remaining <= 0 ? 0 : (0xff << (8 - remaining)) & 0xff;
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr && bits == ((Cidr) o).bits && Arrays.equals(network, ((Cidr) o).network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + bits;
    }

    /** @return e.g. {@code 10.0.0.0/8}. */
    @Override
    public String toString() {
        try {
            return NetUtil.toAddressString(InetAddress.getByAddress(network)) + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
