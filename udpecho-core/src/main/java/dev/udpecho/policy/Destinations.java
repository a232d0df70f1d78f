package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Collections;
import java.util.function.LongSupplier;

/**
 * Refuses datagrams sent to many hosts at once: the limited broadcast address, the directed broadcast address
 * of any subnet of the host's, and IPv4 and IPv6 multicast groups. Answering one would make every echo server
 * that hears it reply to the forged source: the Fraggle pattern (CVE-1999-0103 and its family). A datagram's
 * destination is known on sockets that report it (packet info); sockets bound to one unicast address never
 * receive such datagrams.
 *
 * <p>Thread-safe: the host's broadcast addresses are read again, at most once a second, when an IPv4
 * destination is not one of those known, so an address added after start is seen within a second.
 */
public final class Destinations {
    private static final long REFRESH_NANOS = 1_000_000_000L;
    private static final int LIMITED_BROADCAST = 0xffffffff;

    private final LongSupplier clock;
    private volatile int[] broadcasts;
    private volatile long readAt;

    /** Reads the host's broadcast addresses from its interfaces. */
    public Destinations() {
        this(System::nanoTime);
    }

    Destinations(LongSupplier clock) {
        this.clock = clock;
        this.broadcasts = read();
        this.readAt = clock.getAsLong();
    }

    /**
     * @param destination the local address a datagram was sent to.
     * @return {@link DropReason#BROADCAST} or {@link DropReason#MULTICAST} for one sent to many hosts, else
     *     {@code null}.
     */
    public DropReason decide(PeerAddress destination) {
        if (!destination.isIpv4()) {
            return destination.byteAt(0) == 0xff ? DropReason.MULTICAST : null; // ff00::/8
        }
        int a = destination.ipv4();
        if (a == LIMITED_BROADCAST) {
            return DropReason.BROADCAST;
        }
        if ((a >>> 28) == 0xe) {
            return DropReason.MULTICAST; // 224.0.0.0/4
        }
        if (isKnownBroadcast(a)) {
            return DropReason.BROADCAST;
        }
        long now = clock.getAsLong();
        if (now - readAt > REFRESH_NANOS) {
            readAt = now;
            broadcasts = read();
            return isKnownBroadcast(a) ? DropReason.BROADCAST : null;
        }
        return null;
    }

    private boolean isKnownBroadcast(int address) {
        for (int b : broadcasts) {
            if (b == address) {
                return true;
            }
        }
        return false;
    }

    private static int toInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static int[] with(int[] set, int address) {
        for (int a : set) {
            if (a == address) {
                return set;
            }
        }
        int[] more = Arrays.copyOf(set, set.length + 1);
        more[set.length] = address;
        return more;
    }

    /** @return the directed broadcast address of each IPv4 subnet of the host's interfaces that are up. */
    private static int[] read() {
        int[] found = new int[0];
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                    if (!(ia.getAddress() instanceof Inet4Address)) {
                        continue;
                    }
                    // The kernel makes a subnet's last address a broadcast one whether or not the interface
                    // names it (ip addr add without brd): take both.
                    int prefix = ia.getNetworkPrefixLength();
                    if (prefix > 0 && prefix < 31) {
                        found = with(found, toInt(ia.getAddress().getAddress()) | (-1 >>> prefix));
                    }
                    if (ia.getBroadcast() != null) {
                        found = with(found, toInt(ia.getBroadcast().getAddress()));
                    }
                }
            }
        } catch (SocketException e) {
            return found; // the limited broadcast and multicast are refused all the same
        }
        return found;
    }
}
