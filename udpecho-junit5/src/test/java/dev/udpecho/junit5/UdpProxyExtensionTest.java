package dev.udpecho.junit5;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.proxy.UdpProxy;
import dev.udpecho.testing.Await;
import dev.udpecho.testing.Dnsmasq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Hashtable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The proxy extension in front of an echo server of the same class, and in front of a DNS server nobody on the
 * team wrote (dnsmasq), asked by the JDK's own DNS resolver (JNDI).
 */
@Timeout(60)
class UdpProxyExtensionTest {
    private static final String NAME = "udpecho.test";
    private static final String ADDRESS = "10.201.0.7";

    @RegisterExtension
    static UdpEchoExtension echo = UdpEchoExtension.echo();

    /** Registered after the echo here, but it would start the echo first were it the other way round. */
    @RegisterExtension
    static UdpProxyExtension proxy = UdpProxyExtension.inFrontOf(echo);

    @Test
    void forwardsToTheServerItStandsBeforeAndInjectsBothAddresses(@Proxied InetSocketAddress through,
                                                                  InetSocketAddress server, UdpProxy injected)
            throws Exception {
        assertThat(through).isEqualTo(proxy.address()).isNotEqualTo(server);
        assertThat(server).isEqualTo(echo.address());
        assertThat(injected.upstream()).isEqualTo(server);
        long before = echo.stats().received();
        assertThat(ask(through, "hello", 5000)).isEqualTo("OK...hello");
        assertThat(echo.stats().received()).as("the echo server was asked").isEqualTo(before + 1);
        Await.until("the reply counted", Duration.ofSeconds(5), () -> injected.stats().down().forwarded() > 0);
    }

    @Test
    void impairmentsChangedDuringATestTakeEffectOnTheNextDatagram() throws Exception {
        try {
            proxy.impair("up-loss=1");
            long lost = proxy.stats().up().impaired(Impairment.LOST);
            assertThat(ask(proxy.address(), "lost", 300)).as("no answer while up-loss is 1").isNull();
            assertThat(proxy.stats().up().impaired(Impairment.LOST)).isEqualTo(lost + 1);
            proxy.impair("blackhole=down");
            long cut = proxy.stats().down().blackholed();
            assertThat(ask(proxy.address(), "cut", 300)).isNull();
            assertThat(proxy.stats().down().blackholed()).isEqualTo(cut + 1);
        } finally {
            proxy.impair();
        }
        assertThat(ask(proxy.address(), "back", 5000)).isEqualTo("OK...back");
    }

    @Nested
    class InFrontOfDnsmasq {
        /** A fresh proxy for each test; dnsmasq's port is known only once it runs, so it is asked at start. */
        @RegisterExtension
        UdpProxyExtension dns = UdpProxyExtension.inFrontOf(() -> new InetSocketAddress("127.0.0.1", dnsmasq.port()));

        @Test
        void theJdksResolverGetsItsAnswerThroughTheProxy(@Proxied InetSocketAddress through) throws Exception {
            assertThat(lookUp(through, 1000, 1)).isEqualTo(ADDRESS);
            assertThat(dns.stats().sessionsOpened()).isPositive();
            // Counted just after the kernel took it: by now, or a moment later.
            Await.until("the answer counted", Duration.ofSeconds(5), () -> dns.stats().down().forwarded() > 0);
        }

        @Test
        void withTheAnswersCutTheLookupFailsAndThenSucceedsOnceRestored(@Proxied InetSocketAddress through) {
            dns.impair("blackhole=down");
            assertThatThrownBy(() -> lookUp(through, 300, 1)).isInstanceOf(NamingException.class);
            assertThat(dns.stats().down().blackholed()).isPositive();
            assertThat(dns.stats().down().forwarded()).isZero();
            dns.impair();
            assertThat(dns.stats().down().forwarded()).isZero();
            try {
                assertThat(lookUp(through, 1000, 1)).isEqualTo(ADDRESS);
            } catch (NamingException e) {
                throw new AssertionError("no answer once the cut was lifted", e);
            }
        }

        @Test
        void eachTestHasItsOwnProxy() {
            assertThat(dns.stats().sessionsOpened()).isZero();
            assertThat(dns.port()).isNotEqualTo(proxy.port());
        }
    }

    private static Dnsmasq dnsmasq;

    @BeforeAll
    static void startDnsmasq() throws Exception {
        dnsmasq = Dnsmasq.start(NAME, ADDRESS);
    }

    @AfterAll
    static void stopDnsmasq() throws InterruptedException {
        if (dnsmasq != null) {
            dnsmasq.close();
        }
    }

    /** @return the A record of {@link #NAME}, asked by JNDI's DNS provider at {@code server}. */
    private static String lookUp(InetSocketAddress server, int timeoutMillis, int retries) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + server.getPort());
        env.put("com.sun.jndi.dns.timeout.initial", Integer.toString(timeoutMillis));
        env.put("com.sun.jndi.dns.timeout.retries", Integer.toString(retries));
        InitialDirContext context = new InitialDirContext(env);
        try {
            Attributes answer = context.getAttributes(NAME, new String[] {"A"});
            return (String) answer.get("A").get();
        } finally {
            context.close();
        }
    }

    /** @return the reply, or null if none came within the timeout. */
    private static String ask(InetSocketAddress to, String message, int timeoutMillis) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(timeoutMillis);
            byte[] data = message.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(data, data.length, to));
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            try {
                socket.receive(reply);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
        }
    }
}
