package dev.udpecho.server;

import dev.udpecho.net.Transport;
import dev.udpecho.policy.DropReason;
import dev.udpecho.testing.Await;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two udpecho servers with default settings, and a datagram forged (raw socket) to come from one and go to the
 * other, as an attacker would start an echo loop (CVE-1999-0103). The loop must die within two bounces.
 */
@Timeout(60)
class LoopGuardIT {

    private static void forge(String from, int fromPort, String to, int toPort, String payload) throws Exception {
        Tools.require("python3");
        File script = new File(LoopGuardIT.class.getResource("/tools/forge_udp.py").toURI());
        Process p = new ProcessBuilder("python3", script.getPath(), from, Integer.toString(fromPort), to,
                Integer.toString(toPort), payload).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Assumptions.assumeTrue(p.exitValue() == 0 || !out.contains("PermissionError"),
                "raw sockets are not permitted here (CAP_NET_RAW): " + out);
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static EchoServer server(Transport transport, String address, int port) throws Exception {
        return EchoServer.builder().transport(transport).bind(Loopback.address(address)).port(port).start();
    }

    /**
     * Waits until the two servers have received {@code expected} datagrams between them, then watches them for
     * a while longer: a loop that goes on would show as more. That quiet time is what is tested, not a wait.
     */
    private static void settle(EchoServer a, EchoServer b, long expected) throws InterruptedException {
        Await.until(expected + " datagrams received", Duration.ofSeconds(5),
                () -> a.stats().received() + b.stats().received() >= expected);
        Thread.sleep(300);
        assertThat(a.stats().received() + b.stats().received()).as("no more after the quiet time").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void aLoopBetweenServersOnDifferentPortsDiesAtTheSecondBounce(Transport transport) throws Exception {
        try (EchoServer a = server(transport, "127.0.0.2", 0); EchoServer b = server(transport, "127.0.0.3", 0)) {
            forge("127.0.0.3", b.address().getPort(), "127.0.0.2", a.address().getPort(), "ping");
            settle(a, b, 3);
            // a answers "OK...ping" to b; b answers "OK...OK...ping" to a; a sees an answer to an answer.
            assertThat(a.stats().received()).isEqualTo(2);
            assertThat(a.stats().replied()).isEqualTo(1);
            assertThat(a.stats().dropped(DropReason.ECHO_OF_ECHO)).isEqualTo(1);
            assertThat(b.stats().received()).isEqualTo(1);
            assertThat(b.stats().replied()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void aLoopBetweenServersOnTheSamePortNeverStarts(Transport transport) throws Exception {
        try (EchoServer a = server(transport, "127.0.0.2", 0)) {
            int port = a.address().getPort();
            try (EchoServer b = server(transport, "127.0.0.3", port)) {
                forge("127.0.0.3", port, "127.0.0.2", port, "ping");
                settle(a, b, 1);
                assertThat(a.stats().received()).isEqualTo(1);
                assertThat(a.stats().dropped(DropReason.OWN_PORT)).isEqualTo(1);
                assertThat(b.stats().received()).isZero();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void aServicePortGetsNoReply(Transport transport) throws Exception {
        try (EchoServer a = server(transport, "127.0.0.2", 0)) {
            forge("127.0.0.9", 53, "127.0.0.2", a.address().getPort(), "a DNS server's answer");
            forge("127.0.0.9", 0, "127.0.0.2", a.address().getPort(), "from port zero");
            Await.until("both datagrams read", Duration.ofSeconds(5), () -> a.stats().received() >= 2);
            assertThat(a.stats().dropped(DropReason.LOW_SOURCE_PORT)).isEqualTo(1);
            assertThat(a.stats().dropped(DropReason.BAD_SOURCE)).isEqualTo(1);
            assertThat(a.stats().replied()).isZero();
        }
    }
}
