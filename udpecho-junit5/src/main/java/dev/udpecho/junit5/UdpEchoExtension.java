package dev.udpecho.junit5;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.ServerStats;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A UDP echo server on a free loopback port for the tests of a UDP client, optionally a bad network: it loses,
 * delays, duplicates, reorders, corrupts or truncates replies as asked.
 *
 * <p>Registered on a {@code static} field it serves the whole test class; on an instance field, each test gets
 * a fresh server. Test methods and constructors may take the server's {@link InetSocketAddress} or the
 * {@link EchoServer} itself as parameters.
 *
 * <pre>{@code
 * class MyClientTest {
 *     @RegisterExtension
 *     static UdpEchoExtension echo = UdpEchoExtension.withLoss(0.2).prefix("").seed(42);
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
public final class UdpEchoExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private EchoServer.Builder builder = EchoServer.builder().bind(InetAddress.getLoopbackAddress()).port(0);
    private Impairments impairments = Impairments.NONE;
    private volatile EchoServer server;
    /** The test class or test whose lifetime the server has: nested classes and tests inherit it. */
    private String owner;

    private UdpEchoExtension() {
    }

    /** @return a server that answers every datagram, with the prefix {@code OK...}. */
    public static UdpEchoExtension echo() {
        return new UdpEchoExtension();
    }

    /** @param p probability that a reply is not sent. @return a server that loses replies. */
    public static UdpEchoExtension withLoss(double p) {
        return echo().loss(p);
    }

    /** @param delay how long each reply waits. @return a server that delays replies. */
    public static UdpEchoExtension withDelay(Duration delay) {
        return echo().delay(delay);
    }

    /** @param prefix bytes before each reply, as UTF-8; empty for a plain echo. @return this extension. */
    public UdpEchoExtension prefix(String prefix) {
        builder.prefix(prefix);
        return this;
    }

    /** @param p probability that a reply is not sent. @return this extension. */
    public UdpEchoExtension loss(double p) {
        impairments = impairments.withLoss(p);
        return this;
    }

    /** @param delay how long each reply waits. @return this extension. */
    public UdpEchoExtension delay(Duration delay) {
        return delay(delay, Duration.ZERO);
    }

    /** @param delay how long each reply waits. @param jitter give or take up to this. @return this extension. */
    public UdpEchoExtension delay(Duration delay, Duration jitter) {
        impairments = impairments.withDelay(delay, jitter);
        return this;
    }

    /** @param p probability that a reply is sent twice. @return this extension. */
    public UdpEchoExtension duplicate(double p) {
        impairments = impairments.withDuplicate(p);
        return this;
    }

    /** @param p probability that a reply is held back and sent after the next. @return this extension. */
    public UdpEchoExtension reorder(double p) {
        impairments = impairments.withReorder(p);
        return this;
    }

    /** @param p probability that a payload byte of a reply is flipped. @return this extension. */
    public UdpEchoExtension corrupt(double p) {
        impairments = impairments.withCorrupt(p);
        return this;
    }

    /** @param p probability that a reply is cut short. @return this extension. */
    public UdpEchoExtension truncate(double p) {
        impairments = impairments.withTruncate(p);
        return this;
    }

    /** @param seed seed of the decisions: the same seed and datagrams give the same decisions. @return this. */
    public UdpEchoExtension seed(long seed) {
        impairments = impairments.withSeed(seed);
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

    private EchoServer running() {
        EchoServer s = server;
        if (s == null) {
            throw new IllegalStateException("the echo server runs only while tests run");
        }
        return s;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws BindFailedException {
        start(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws BindFailedException {
        start(context); // registered on an instance field: a server per test
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    private void start(ExtensionContext context) throws BindFailedException {
        if (server == null) {
            server = builder.impairments(impairments).start();
            owner = context.getUniqueId();
        }
    }

    private void stop(ExtensionContext context) {
        EchoServer s = server;
        if (s != null && context.getUniqueId().equals(owner)) {
            server = null;
            owner = null;
            s.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == InetSocketAddress.class || type == EchoServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EchoServer.class ? server() : address();
    }
}
