package dev.udpecho.server;

import dev.udpecho.net.Transport;
import dev.udpecho.testing.Await;
import dev.udpecho.testing.Loopback;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy that throws on one datagram (an application's, or a bug in the engine) costs that datagram its reply
 * and counts an error; the socket goes on serving, on every transport.
 */
@Timeout(30)
class FailingPolicyIT {
    @ParameterizedTest
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void aDatagramThePolicyFailsOnIsCountedAndTheNextIsAnswered(Transport transport) throws Exception {
        if (transport == Transport.NATIVE) {
            Tools.requireNativeTransport();
        }
        try (EchoServer server = EchoServer.builder().port(0).bind(Loopback.address("127.0.0.1"))
                .transport(transport).workers(1).policy((source, payload) -> {
                    if (payload.remaining() == 4 && payload.get(payload.position()) == 'b') {
                        throw new IllegalArgumentException("boom");
                    }
                    return null;
                }).start();
             DatagramSocket client = Loopback.socket("127.0.0.1", 5_000)) {
            InetSocketAddress to = new InetSocketAddress(Loopback.address("127.0.0.1"), server.address().getPort());
            Loopback.send(client, "boom".getBytes(StandardCharsets.US_ASCII), to);
            Loopback.send(client, "hello".getBytes(StandardCharsets.US_ASCII), to);
            assertThat(new String(Loopback.receive(client), StandardCharsets.US_ASCII)).isEqualTo("OK...hello");
            Loopback.send(client, "again".getBytes(StandardCharsets.US_ASCII), to);
            assertThat(new String(Loopback.receive(client), StandardCharsets.US_ASCII)).isEqualTo("OK...again");
            // Netty counts a reply once its write completed, which may be just after it arrived.
            Await.until("both replies counted", Duration.ofSeconds(5), () -> server.stats().replied() == 2);
            assertThat(server.stats().errors()).isEqualTo(1);
        }
    }
}
