package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LoopGuardTest {
    private static final byte[] OK = "OK...".getBytes(StandardCharsets.US_ASCII);

    private static PeerAddress from(String host, int port) {
        return new PeerAddress().set(new InetSocketAddress(host, port));
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ordinaryClientsPass() {
        LoopGuard guard = new LoopGuard(OK, false, 8888);
        assertThat(guard.decide(from("127.0.0.1", 46622), text("hello"))).isNull();
        assertThat(guard.decide(from("::1", 50000), text("OK...hello"))).as("one prefix is fine").isNull();
        assertThat(guard.decide(from("203.0.113.9", 1024), text(""))).isNull();
    }

    @Test
    void lowSourcePortsAreRefusedUnlessAllowed() {
        for (int port : new int[] {7, 19, 53, 123, 1023}) {
            assertThat(new LoopGuard(OK, false, 8888).decide(from("192.0.2.1", port), text("x")))
                    .isEqualTo(DropReason.LOW_SOURCE_PORT);
            assertThat(new LoopGuard(OK, true, 8888).decide(from("192.0.2.1", port), text("x"))).isNull();
        }
    }

    @Test
    void ourOwnPortIsRefusedOnceKnown() {
        LoopGuard guard = new LoopGuard(OK, false, 0);
        assertThat(guard.decide(from("127.0.0.2", 8888), text("x"))).isNull();
        guard.ownPort(8888);
        assertThat(guard.decide(from("127.0.0.2", 8888), text("x"))).isEqualTo(DropReason.OWN_PORT);
    }

    @Test
    void impossibleSourcesAreRefused() {
        LoopGuard guard = new LoopGuard(OK, true, 8888);
        for (String bad : new String[] {"0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255",
            "240.0.0.1", "::", "ff02::1", "ff05::2"}) {
            assertThat(guard.decide(from(bad, 5000), text("x"))).as(bad).isEqualTo(DropReason.BAD_SOURCE);
        }
        assertThat(guard.decide(from("192.0.2.1", 0), text("x"))).isEqualTo(DropReason.BAD_SOURCE);
    }

    @Test
    void anAnswerToAnAnswerIsRefused() {
        LoopGuard guard = new LoopGuard(OK, false, 8888);
        assertThat(guard.decide(from("127.0.0.1", 9999), text("OK...OK...ping"))).isEqualTo(DropReason.ECHO_OF_ECHO);
        assertThat(guard.decide(from("127.0.0.1", 9999), text("OK...OK..."))).isEqualTo(DropReason.ECHO_OF_ECHO);
        assertThat(guard.decide(from("127.0.0.1", 9999), text("OK...OK.."))).isNull();
        ByteBuffer offset = text("xxOK...OK...").position(2);
        assertThat(guard.decide(from("127.0.0.1", 9999), offset)).as("reads from readerIndex").isEqualTo(DropReason.ECHO_OF_ECHO);
    }

    @Test
    void withAnEmptyPrefixNothingLooksLikeAnAnswer() {
        LoopGuard guard = new LoopGuard(new byte[0], false, 7777);
        assertThat(guard.decide(from("127.0.0.1", 9999), text(""))).isNull();
        assertThat(guard.decide(from("127.0.0.1", 9999), text("anything"))).isNull();
    }

    @Test
    void ipv4MappedSourcesAreJudgedAsIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 224, 0, 0, 1};
        PeerAddress multicast = new PeerAddress().set(mapped, 0, 16, 5000, 0);
        assertThat(multicast.isIpv4()).isTrue();
        assertThat(new LoopGuard(OK, false, 8888).decide(multicast, text("x"))).isEqualTo(DropReason.BAD_SOURCE);
    }
}
