package dev.udpecho.server;

import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.Transport;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a server binds and how it answers. Immutable; every value is checked here, so a server never starts
 * with a value it cannot use.
 *
 * @param bindAddresses local addresses to bind; empty means every interface, IPv4 and IPv6.
 * @param port          UDP port, 0 to 65535; 0 picks a free port.
 * @param prefix        bytes put before every reply; empty gives a plain RFC 862 echo.
 * @param transport     the I/O transport.
 * @param workers       sockets (each with its own event loop) per bind address, 1 to 256.
 */
public record ServerConfig(List<InetAddress> bindAddresses, int port, byte[] prefix, Transport transport,
                           int workers) {
    /** The tutorial's port. */
    public static final int DEFAULT_PORT = 8888;
    /** The tutorial's reply prefix. */
    public static final String DEFAULT_PREFIX = "OK...";
    /** Upper bound of {@link #workers}. */
    public static final int MAX_WORKERS = 256;

    /** Checks and copies every value. */
    public ServerConfig {
        bindAddresses = List.copyOf(Objects.requireNonNull(bindAddresses, "bindAddresses"));
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
        prefix = Objects.requireNonNull(prefix, "prefix").clone();
        if (prefix.length > DatagramLimits.MAX_IPV4_PAYLOAD) {
            throw new IllegalArgumentException("prefix must be at most " + DatagramLimits.MAX_IPV4_PAYLOAD
                    + " bytes, not " + prefix.length);
        }
        Objects.requireNonNull(transport, "transport");
        if (!transport.isAvailable()) {
            throw new IllegalArgumentException("transport " + transport + " is not available here");
        }
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1 to " + MAX_WORKERS + ", not " + workers);
        }
    }

    /** @return the tutorial's server: every interface, port 8888, prefix {@code OK...}, best transport, one worker. */
    public static ServerConfig defaults() {
        return new ServerConfig(List.of(), DEFAULT_PORT, DEFAULT_PREFIX.getBytes(StandardCharsets.UTF_8),
                Transport.best(), 1);
    }

    /** @return a copy of the prefix bytes. */
    @Override
    public byte[] prefix() {
        return prefix.clone();
    }

    /** @param port the port. @return this configuration with another port. */
    public ServerConfig withPort(int port) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers);
    }

    /** @param prefix the prefix. @return this configuration with another reply prefix. */
    public ServerConfig withPrefix(byte[] prefix) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers);
    }

    /** @param addresses local addresses, empty for all. @return this configuration bound elsewhere. */
    public ServerConfig withBindAddresses(List<InetAddress> addresses) {
        return new ServerConfig(addresses, port, prefix, transport, workers);
    }

    /** @param transport the transport. @return this configuration on another transport. */
    public ServerConfig withTransport(Transport transport) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers);
    }

    /** @param workers sockets per address. @return this configuration with another number of workers. */
    public ServerConfig withWorkers(int workers) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerConfig c && bindAddresses.equals(c.bindAddresses) && port == c.port
                && Arrays.equals(prefix, c.prefix) && transport == c.transport && workers == c.workers;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bindAddresses, port, Arrays.hashCode(prefix), transport, workers);
    }

    @Override
    public String toString() {
        return "ServerConfig[bind=" + bindAddresses + ", port=" + port + ", prefix="
                + new String(prefix, StandardCharsets.UTF_8) + ", transport=" + transport + ", workers=" + workers + "]";
    }
}
