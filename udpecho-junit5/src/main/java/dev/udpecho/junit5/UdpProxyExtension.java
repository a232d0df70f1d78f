package dev.udpecho.junit5;

import dev.udpecho.proxy.ProxyImpairments;
import dev.udpecho.proxy.ProxyStats;
import dev.udpecho.proxy.UdpProxy;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link UdpProxy} on a free loopback port in front of a UDP service the test names, for testing the service or
 * its clients through a bad network: loss, delay, duplicates, reordering, a rate limit or a cut, each direction on
 * its own, changed at any moment.
 *
 * <p>Registered on a {@code static} field it serves the whole test class; on an instance field, each test gets
 * a fresh proxy. Test methods and constructors may take the proxy's address as an {@link InetSocketAddress}
 * marked {@link Proxied @Proxied}, or the {@link UdpProxy} itself.
 *
 * <p>A DNS lookup through loss, with the JDK's own resolver, against a DNS server on port 5353:
 * <pre>{@code
 * class LookupTest {
 *     @RegisterExtension
 *     static UdpProxyExtension dns = UdpProxyExtension.inFrontOf(new InetSocketAddress("127.0.0.1", 5353))
 *             .impair("loss=30%", "seed=7");
 *
 *     @Test
 *     void resolvesThroughLoss(@Proxied InetSocketAddress proxy) throws NamingException {
 *         Hashtable<String, String> env = new Hashtable<>();
 *         env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
 *         env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + proxy.getPort());
 *         Attributes a = new InitialDirContext(env).getAttributes("example.test", new String[] {"A"});
 *         assertEquals("10.201.0.7", a.get("A").get());
 *
 *         dns.impair("blackhole=down");      // from the next datagram on, no answer comes back
 *     }
 * }
 * }</pre>
 *
 * <p>In front of a {@link UdpEchoExtension} ({@link #inFrontOf(UdpEchoExtension)}) the proxy starts the echo
 * server first if it is not running yet, whichever order JUnit calls the two in.
 *
 * <p>Configure it in the field's initializer; {@link #impair} and {@link #impairments(ProxyImpairments)} may also
 * be called while a test runs, and take effect on the next datagram. The accessors may be called from any thread.
 */
public final class UdpProxyExtension extends ServiceExtension<UdpProxy> {
    private final UdpProxy.Builder builder = UdpProxy.builder();
    private final Supplier<InetSocketAddress> upstream;
    private final UdpEchoExtension echo;

    private UdpProxyExtension(Supplier<InetSocketAddress> upstream, UdpEchoExtension echo) {
        super("the proxy");
        this.upstream = upstream;
        this.echo = echo;
    }

    /**
     * @param upstream where datagrams go: a server the test started, or one on the host (resolved already).
     * @return a proxy that forwards everything, until told otherwise.
     */
    public static UdpProxyExtension inFrontOf(InetSocketAddress upstream) {
        Objects.requireNonNull(upstream, "upstream");
        if (upstream.isUnresolved()) {
            throw new IllegalArgumentException("unresolved upstream " + upstream);
        }
        return new UdpProxyExtension(() -> upstream, null);
    }

    /**
     * @param upstream where datagrams go, asked when the proxy starts: for a server whose port is known only then.
     * @return a proxy that forwards everything, until told otherwise.
     */
    public static UdpProxyExtension inFrontOf(Supplier<InetSocketAddress> upstream) {
        return new UdpProxyExtension(Objects.requireNonNull(upstream, "upstream"), null);
    }

    /** @param server an echo server of the same test class. @return a proxy in front of it. */
    public static UdpProxyExtension inFrontOf(UdpEchoExtension server) {
        return new UdpProxyExtension(server::address, Objects.requireNonNull(server, "server"));
    }

    /**
     * Impairs as {@code udpecho proxy}'s options do, without their dashes. Before the tests start, it configures
     * the proxy; while one runs, it replaces what the proxy does from the next datagram on.
     *
     * @param options e.g. {@code "loss=5%"}, {@code "down-delay=200ms"}, {@code "blackhole=up"}, {@code "seed=1"};
     *                see {@link ProxyImpairments#parse(String...)}. None: forward everything.
     * @return this extension.
     * @throws IllegalArgumentException naming an unknown option or a value out of range.
     */
    public UdpProxyExtension impair(String... options) {
        return impairments(ProxyImpairments.parse(options));
    }

    /** @param what what the proxy does to each direction. @return this extension. @see #impair(String...) */
    public UdpProxyExtension impairments(ProxyImpairments what) {
        Objects.requireNonNull(what, "impairments");
        UdpProxy p = runningOrNull();
        if (p != null) {
            p.impairments(what);
        } else {
            builder.impairments(what);
        }
        return this;
    }

    /** @param timeout a client idle this long loses its session. @return this extension. */
    public UdpProxyExtension sessionTimeout(Duration timeout) {
        builder.sessionTimeout(timeout);
        return this;
    }

    /** @param max sessions open at most; the least recently used goes first. @return this extension. */
    public UdpProxyExtension maxSessions(int max) {
        builder.maxSessions(max);
        return this;
    }

    /** @return the proxy's loopback address and port, where clients send. */
    public InetSocketAddress address() {
        return running().address();
    }

    /** @return the proxy's port. */
    public int port() {
        return running().address().getPort();
    }

    /** @return the counts so far, each direction and the sessions. */
    public ProxyStats stats() {
        return running().stats();
    }

    /** @return the proxy itself. */
    public UdpProxy proxy() {
        return running();
    }

    @Override
    void start(ExtensionContext context) throws Exception {
        if (runningOrNull() == null && echo != null) {
            echo.start(context); // whichever order JUnit calls the two in
        }
        super.start(context);
    }

    @Override
    UdpProxy startService() throws Exception {
        return builder.upstream(upstream.get()).start();
    }

    @Override
    boolean supports(ParameterContext parameter) {
        Class<?> type = parameter.getParameter().getType();
        return type == UdpProxy.class || type == InetSocketAddress.class && parameter.isAnnotated(Proxied.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == UdpProxy.class ? proxy() : address();
    }
}
