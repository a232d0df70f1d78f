package dev.udpecho.junit5;

import dev.udpecho.impairment.ImpairmentOption;
import dev.udpecho.impairment.Impairments;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.ServerStats;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A UDP echo server on a free loopback port for the tests of a UDP client, optionally a bad network: it loses,
 * delays, duplicates, reorders, corrupts or truncates replies as asked.
 *
 * <p>Registered on a {@code static} field it serves the whole test class; on an instance field, each test gets
 * a fresh server. Test methods and constructors may take the server's {@link InetSocketAddress} or the
 * {@link EchoServer} itself as parameters (an address marked {@link Proxied @Proxied} is a
 * {@link UdpProxyExtension}'s).
 *
 * <pre>{@code
 * class MyClientTest {
 *     @RegisterExtension
 *     static UdpEchoExtension echo = UdpEchoExtension.echo().prefix("").impair("loss=20%", "seed=42");
 *
 *     @Test
 *     void retriesUntilAnswered(InetSocketAddress server) {
 *         MyClient client = new MyClient(server);
 *         assertEquals("ping", client.call("ping"));
 *         assertTrue(echo.stats().impaired(Impairment.LOST) > 0);
 *     }
 * }
 * }</pre>
 *
 * <p>Configure it before the tests start (in the field's initializer); the accessors may be called from any
 * thread while it runs.
 */
public final class UdpEchoExtension extends ServiceExtension<EchoServer> {
    private final EchoServer.Builder builder = EchoServer.builder().bind(InetAddress.getLoopbackAddress()).port(0);

    private UdpEchoExtension() {
        super("the echo server");
    }

    /** @return a server that answers every datagram, with the prefix {@code OK...}. */
    public static UdpEchoExtension echo() {
        return new UdpEchoExtension();
    }

    /** @param prefix bytes before each reply, as UTF-8; empty for a plain echo. @return this extension. */
    public UdpEchoExtension prefix(String prefix) {
        builder.prefix(prefix);
        return this;
    }

    /**
     * Makes the server a bad network, with the options of {@code udpecho server} without their dashes.
     *
     * @param options e.g. {@code "loss=20%", "delay=20ms±5ms", "seed=42"}; see {@link ImpairmentOption}.
     * @return this extension.
     * @throws IllegalArgumentException naming an unknown option or a value out of range.
     */
    public UdpEchoExtension impair(String... options) {
        return impairments(Impairments.parse(options));
    }

    /** @param what what the server does to replies, e.g. built with {@link Impairments#builder()}. @return this. */
    public UdpEchoExtension impairments(Impairments what) {
        builder.impairments(what);
        return this;
    }

    /** @return the server's loopback address and port. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), running().address().getPort());
    }

    /** @return the server's port. */
    public int port() {
        return running().address().getPort();
    }

    /** @return the server's counters so far: received, replied, and each impairment done. */
    public ServerStats stats() {
        return running().stats();
    }

    /** @return the server itself. */
    public EchoServer server() {
        return running();
    }

    @Override
    EchoServer startService() throws Exception {
        return builder.start();
    }

    @Override
    boolean supports(ParameterContext parameter) {
        Class<?> type = parameter.getParameter().getType();
        return type == InetSocketAddress.class && !parameter.isAnnotated(Proxied.class) || type == EchoServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EchoServer.class ? server() : address();
    }
}
