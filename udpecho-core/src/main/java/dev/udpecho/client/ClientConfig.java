package dev.udpecho.client;

import dev.udpecho.net.Transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a client sends and how patiently it waits. Immutable; every value is checked here.
 *
 * @param server         the echo server's address, resolved.
 * @param serverName     how to name the server in messages, e.g. {@code localhost:8888}.
 * @param timeout        how long to wait for each try's reply, 1 ms to 1 hour.
 * @param retries        how many times to send again after a timeout, 0 to 100.
 * @param expectedPrefix what the server puts before each reply, or {@code null} to learn it from the first reply.
 * @param transport      the I/O transport; clients use Netty's, so {@link Transport#NATIVE} means the best of those.
 */
public record ClientConfig(InetSocketAddress server, String serverName, Duration timeout, int retries,
                           byte[] expectedPrefix, Transport transport) {
    /** The tutorial's client never gives up; ours waits this long for each try. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Tries after the first. */
    public static final int DEFAULT_RETRIES = 2;
    /** Upper bound of {@link #retries}. */
    public static final int MAX_RETRIES = 100;
    /** Upper bound of {@link #timeout}. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    /** Checks every value. */
    public ClientConfig {
        Objects.requireNonNull(server, "server");
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("server address is not resolved: " + server.getHostString());
        }
        if (server.getPort() == 0) {
            throw new IllegalArgumentException("server port must be 1 to 65535, not 0");
        }
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be 1ms to 1h, not " + timeout);
        }
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("retries must be 0 to " + MAX_RETRIES + ", not " + retries);
        }
        expectedPrefix = expectedPrefix == null ? null : expectedPrefix.clone();
        Objects.requireNonNull(transport, "transport");
    }

    /**
     * @param server the server's address.
     * @return a configuration with the default timeout and retries that learns the prefix.
     */
    public static ClientConfig of(InetSocketAddress server) {
        String host = server.getHostString();
        String name = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getPort();
        return new ClientConfig(server, name, DEFAULT_TIMEOUT, DEFAULT_RETRIES, null, Transport.best());
    }

    /** @return a copy of the expected prefix, or {@code null}. */
    @Override
    public byte[] expectedPrefix() {
        return expectedPrefix == null ? null : expectedPrefix.clone();
    }

    /** @return how many datagrams a request sends at most: {@code retries + 1}. */
    public int tries() {
        return retries + 1;
    }

    /** @param timeout per try. @return this configuration with another timeout. */
    public ClientConfig withTimeout(Duration timeout) {
        return new ClientConfig(server, serverName, timeout, retries, expectedPrefix, transport);
    }

    /** @param retries tries after the first. @return this configuration with another number of retries. */
    public ClientConfig withRetries(int retries) {
        return new ClientConfig(server, serverName, timeout, retries, expectedPrefix, transport);
    }

    /** @param prefix expected reply prefix, {@code null} to learn. @return this configuration expecting it. */
    public ClientConfig withExpectedPrefix(byte[] prefix) {
        return new ClientConfig(server, serverName, timeout, retries, prefix, transport);
    }

    /** @param transport the transport. @return this configuration on another transport. */
    public ClientConfig withTransport(Transport transport) {
        return new ClientConfig(server, serverName, timeout, retries, expectedPrefix, transport);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientConfig c && server.equals(c.server) && serverName.equals(c.serverName)
                && timeout.equals(c.timeout) && retries == c.retries
                && java.util.Arrays.equals(expectedPrefix, c.expectedPrefix) && transport == c.transport;
    }

    @Override
    public int hashCode() {
        return Objects.hash(server, serverName, timeout, retries, java.util.Arrays.hashCode(expectedPrefix), transport);
    }

    @Override
    public String toString() {
        return "ClientConfig[server=" + serverName + ", timeout=" + timeout + ", retries=" + retries + ", transport="
                + transport + "]";
    }
}
