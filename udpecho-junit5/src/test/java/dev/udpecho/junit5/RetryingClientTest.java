package dev.udpecho.junit5;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.server.EchoServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The complete example: a small UDP client tested against udpecho playing a bad network. Also the extension's
 * own test: one server per class on a static field, one per test on an instance field, parameters injected.
 */
@Timeout(60)
class RetryingClientTest {
    /** One server for the whole class: a plain echo that loses a fifth of its replies, the same ones every run. */
    @RegisterExtension
    static UdpEchoExtension lossy = UdpEchoExtension.echo().prefix("").impair("loss=20%", "seed=42");

    @Test
    void retriesThroughLoss(InetSocketAddress server) throws Exception {
        try (RetryingClient client = new RetryingClient(server, 50, 10)) {
            for (int i = 0; i < 50; i++) {
                assertThat(client.call("request " + i)).isEqualTo("request " + i);
            }
            assertThat(client.sent()).as("some requests needed a retry").isGreaterThan(50);
            assertThat(lossy.stats().impaired(Impairment.LOST)).isEqualTo(client.sent() - 50);
        }
    }

    @Test
    void theServerIsSharedByTheClassAndInjectable(EchoServer server) {
        assertThat(server.address().getPort()).isEqualTo(lossy.port());
        assertThat(server.isServing()).isTrue();
    }

    @Nested
    class WithDuplicatesAndDelay {
        /** A fresh server for each test: every reply twice, 30 ms late. */
        @RegisterExtension
        UdpEchoExtension slow = UdpEchoExtension.echo().prefix("").impair("duplicate=1", "delay=30ms");

        @Test
        void takesOneReplyAndIgnoresTheDuplicate() throws Exception {
            try (RetryingClient client = new RetryingClient(slow.address(), 1000, 1)) {
                long start = System.nanoTime();
                assertThat(client.call("once")).isEqualTo("once");
                assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(29);
                assertThat(client.call("twice")).as("the first call's duplicate is not this answer").isEqualTo("twice");
            }
            assertThat(slow.stats().received()).isEqualTo(2);
            assertThat(slow.stats().impaired(Impairment.DUPLICATED)).isEqualTo(2);
        }

        @Test
        void eachTestHasItsOwnServer() {
            assertThat(slow.stats().received()).isZero();
            assertThat(slow.port()).isNotEqualTo(lossy.port());
        }
    }

    @Test
    void outsideATestThereIsNoServer() {
        UdpEchoExtension unused = UdpEchoExtension.echo();
        org.assertj.core.api.Assertions.assertThatThrownBy(unused::address)
                .hasMessage("the echo server runs only while tests run");
    }
}
