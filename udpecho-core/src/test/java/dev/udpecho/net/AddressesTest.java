package dev.udpecho.net;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class AddressesTest {

    private static InetSocketAddress at(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void ipv4PrintsPlain() throws Exception {
        assertThat(Addresses.format(at("127.0.0.1", 46622))).isEqualTo("127.0.0.1:46622");
    }

    @Test
    void ipv6PrintsCompressedInBrackets() throws Exception {
        assertThat(Addresses.format(at("::1", 5000))).isEqualTo("[::1]:5000");
        assertThat(Addresses.format(at("2001:0db8:0000:0000:0000:0000:0000:0001", 53))).isEqualTo("[2001:db8::1]:53");
        assertThat(Addresses.format(at("::", 8888))).isEqualTo("[::]:8888");
    }

    @Test
    void ipv4MappedIpv6PrintsAsIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6).isInstanceOf(Inet6Address.class);
        assertThat(Addresses.isIpv4Mapped(v6)).isTrue();
        assertThat(Addresses.format(new InetSocketAddress(v6, 46622))).isEqualTo("127.0.0.1:46622");
        assertThat(Addresses.unmap(v6).getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void scopedIpv6KeepsItsScope() throws Exception {
        byte[] linkLocal = {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        InetAddress scoped = Inet6Address.getByAddress(null, linkLocal, 7);
        assertThat(Addresses.format(new InetSocketAddress(scoped, 1))).isEqualTo("[fe80::1%7]:1");
    }

    @Test
    void appendingWithoutAllocationGivesTheSameTextAsFormat() throws Exception {
        java.util.Random random = new java.util.Random(5952);
        for (int n = 0; n < 5000; n++) {
            byte[] b = new byte[16];
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) > 0) { // many zero groups, so that every run length shows up
                    b[2 * g] = (byte) (random.nextBoolean() ? 0 : random.nextInt());
                    b[2 * g + 1] = (byte) random.nextInt();
                }
            }
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(b), random.nextInt(65536));
            StringBuilder out = new StringBuilder();
            Addresses.appendTo(out, new PeerAddress().set(address));
            assertThat(out.toString()).isEqualTo(Addresses.format(address));
        }
        StringBuilder v4 = new StringBuilder();
        Addresses.appendTo(v4, new PeerAddress().set(at("192.0.2.255", 65535)));
        assertThat(v4).hasToString("192.0.2.255:65535");
    }

    @Test
    void unresolvedAddressesPrintTheirName() {
        assertThat(Addresses.format(InetSocketAddress.createUnresolved("example.invalid", 9))).isEqualTo("example.invalid:9");
    }

    @Test
    void limitsFollowTheFamilyOfThePeer() throws Exception {
        assertThat(DatagramLimits.maxPayload(InetAddress.getByName("127.0.0.1"))).isEqualTo(65_507);
        assertThat(DatagramLimits.maxPayload(InetAddress.getByName("::1"))).isEqualTo(65_527);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        assertThat(DatagramLimits.maxPayload(Inet6Address.getByAddress(null, mapped, -1))).isEqualTo(65_507);
    }
}
