package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;

/** Destinations that mean many hosts at once. */
class DestinationsTest {
    private final Destinations destinations = new Destinations();

    private static PeerAddress at(String address) {
        return new PeerAddress().set(new InetSocketAddress(address, 0));
    }

    @Test
    void limitedBroadcastAndMulticastAreRefused() {
        assertThat(destinations.decide(at("255.255.255.255"))).isEqualTo(DropReason.BROADCAST);
        assertThat(destinations.decide(at("224.0.0.1"))).isEqualTo(DropReason.MULTICAST);
        assertThat(destinations.decide(at("239.255.255.250"))).isEqualTo(DropReason.MULTICAST);
        assertThat(destinations.decide(at("ff02::1"))).isEqualTo(DropReason.MULTICAST);
        assertThat(destinations.decide(at("ff05::1:3"))).isEqualTo(DropReason.MULTICAST);
        assertThat(destinations.decide(at("::ffff:239.1.2.3"))).as("IPv4-mapped").isEqualTo(DropReason.MULTICAST);
    }

    @Test
    void unicastIsLetThrough() {
        assertThat(destinations.decide(at("127.0.0.1"))).isNull();
        assertThat(destinations.decide(at("10.201.0.1"))).isNull();
        assertThat(destinations.decide(at("223.255.255.255"))).isNull();
        assertThat(destinations.decide(at("::1"))).isNull();
        assertThat(destinations.decide(at("fe80::1"))).isNull();
    }

    @Test
    void theDirectedBroadcastOfEachOfTheHostsSubnetsIsRefused() throws Exception {
        int checked = 0;
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                int prefix = ia.getNetworkPrefixLength();
                byte[] a = ia.getAddress().getAddress();
                if (!nif.isUp() || a.length != 4 || prefix == 0 || prefix >= 31) {
                    continue;
                }
                int address = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
                int broadcast = address | (-1 >>> prefix);
                byte[] b = {(byte) (broadcast >>> 24), (byte) (broadcast >>> 16), (byte) (broadcast >>> 8), (byte) broadcast};
                String literal = InetAddress.getByAddress(b).getHostAddress();
                assertThat(destinations.decide(at(literal))).as(literal + " on " + nif.getName())
                        .isEqualTo(DropReason.BROADCAST);
                assertThat(destinations.decide(at(ia.getAddress().getHostAddress()))).isNull();
                checked++;
            }
        }
        assertThat(checked).as("loopback at least (127.0.0.0/8)").isPositive();
    }

    @Test
    void anAddressAddedLaterIsSeenWithinASecond() {
        long[] now = {0};
        Destinations later = new Destinations(() -> now[0]);
        assertThat(later.decide(at("127.255.255.255"))).isEqualTo(DropReason.BROADCAST);
        now[0] += 2_000_000_000L; // reads again on the next unknown destination: nothing changed, nothing lost
        assertThat(later.decide(at("10.9.9.9"))).isNull();
        assertThat(later.decide(at("127.255.255.255"))).isEqualTo(DropReason.BROADCAST);
    }
}
