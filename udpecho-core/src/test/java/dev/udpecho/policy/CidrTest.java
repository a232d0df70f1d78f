package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    private static PeerAddress at(String host) {
        return new PeerAddress().set(new InetSocketAddress(host, 5000));
    }

    @Test
    void ipv4Blocks() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertThat(ten.contains(at("10.255.1.2"))).isTrue();
        assertThat(ten.contains(at("11.0.0.1"))).isFalse();
        assertThat(ten.contains(at("::1"))).isFalse();
        Cidr odd = Cidr.parse("192.168.1.128/25");
        assertThat(odd.contains(at("192.168.1.200"))).isTrue();
        assertThat(odd.contains(at("192.168.1.127"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(at("203.0.113.1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(at("127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(at("127.0.0.2"))).isFalse();
    }

    @Test
    void ipv6Blocks() {
        Cidr doc = Cidr.parse("2001:db8::/32");
        assertThat(doc.contains(at("2001:db8:1::5"))).isTrue();
        assertThat(doc.contains(at("2001:db9::5"))).isFalse();
        assertThat(doc.contains(at("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("::1/128").contains(at("::1"))).isTrue();
    }

    @Test
    void mappedBlocksAreIpv4() {
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        assertThat(mapped).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(mapped.contains(at("10.1.1.1"))).isTrue();
    }

    @Test
    void hostBitsAreClearedAndPrinted() {
        assertThat(Cidr.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
        assertThat(Cidr.parse("2001:db8::1/32")).hasToString("2001:db8::/32");
    }

    @Test
    void badBlocksSayWhy() {
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageContaining("is not an address or address block");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessage("'10.0.0.0/33' has a prefix length outside 0-32");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> Cidr.parse("::/129")).hasMessageContaining("outside 0-128");
    }

    @Test
    void accessListDenyWinsAndAllowNarrows() {
        AccessList list = new AccessList(List.of(Cidr.parse("10.0.0.0/8")), List.of(Cidr.parse("10.6.6.0/24")));
        assertThat(list.decide(at("10.1.1.1"), ByteBuffer.allocate(0))).isNull();
        assertThat(list.decide(at("10.6.6.6"), ByteBuffer.allocate(0))).isEqualTo(DropReason.ACCESS_DENIED);
        assertThat(list.decide(at("192.0.2.1"), ByteBuffer.allocate(0))).isEqualTo(DropReason.ACCESS_DENIED);
        AccessList denyOnly = new AccessList(List.of(), List.of(Cidr.parse("192.0.2.0/24")));
        assertThat(denyOnly.decide(at("192.0.2.1"), ByteBuffer.allocate(0))).isEqualTo(DropReason.ACCESS_DENIED);
        assertThat(denyOnly.decide(at("198.51.100.1"), ByteBuffer.allocate(0))).isNull();
        assertThat(AccessList.OPEN.decide(at("198.51.100.1"), ByteBuffer.allocate(0))).isNull();
    }
}
