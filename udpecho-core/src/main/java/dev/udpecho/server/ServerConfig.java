package dev.udpecho.server;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.AccessList;
import dev.udpecho.policy.RateLimits;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a server binds and how it answers. Immutable; every value is checked here, so a server never starts
 * with a value it cannot use.
 *
 * @param bindAddresses       local addresses to bind; empty means every interface, IPv4 and IPv6.
 * @param port                UDP port, 0 to 65535; 0 picks a free port.
 * @param prefix              bytes put before every reply; empty gives a plain RFC 862 echo.
 * @param transport           the I/O transport.
 * @param workers             sockets (each with its own thread) per bind address, 1 to 256; several share the
 *                            port through SO_REUSEPORT.
 * @param receiveBufferBytes  socket receive buffer to ask the kernel for, 4 KiB to 1 GiB.
 * @param allowLowSourcePorts answer sources below port 1024 (the loop guard refuses them by default).
 * @param rateLimits          per-source and overall rate limits.
 * @param accessList          sources allowed and denied.
 * @param impairments         what to do to replies on purpose, to test clients; {@link Impairments#NONE} normally.
 */
public record ServerConfig(List<InetAddress> bindAddresses, int port, byte[] prefix, Transport transport,
                           int workers, int receiveBufferBytes, boolean allowLowSourcePorts, RateLimits rateLimits,
                           AccessList accessList, Impairments impairments) {
    /** The tutorial's port. */
    public static final int DEFAULT_PORT = 8888;
    /** The tutorial's reply prefix. */
    public static final String DEFAULT_PREFIX = "OK...";
    /** Upper bound of {@link #workers}. */
    public static final int MAX_WORKERS = 256;
    /** Enough for a burst of several thousand small datagrams, or a few hundred of the largest. */
    public static final int DEFAULT_RECEIVE_BUFFER = 4 << 20;

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
        if (receiveBufferBytes < 4096 || receiveBufferBytes > 1 << 30) {
            throw new IllegalArgumentException("receive buffer must be 4096 to 1073741824 bytes, not " + receiveBufferBytes);
        }
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(accessList, "accessList");
        Objects.requireNonNull(impairments, "impairments");
    }

    /**
     * @return the tutorial's server, made safe and fast: every interface, port 8888, prefix {@code OK...}, the
     * best transport, a worker per core, the loop guard and the default rate limits.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(List.of(), DEFAULT_PORT, DEFAULT_PREFIX.getBytes(StandardCharsets.UTF_8),
                Transport.best(), defaultWorkers(), DEFAULT_RECEIVE_BUFFER, false, RateLimits.DEFAULT, AccessList.OPEN,
                Impairments.NONE);
    }

    /** @return the number of cores this process may run on (taskset limits it), at most {@link #MAX_WORKERS}. */
    public static int defaultWorkers() {
        return Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors());
    }

    /** @return a copy of the prefix bytes. */
    @Override
    public byte[] prefix() {
        return prefix.clone();
    }

    /** @param port the port. @return this configuration with another port. */
    public ServerConfig withPort(int port) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    /** @param prefix the prefix. @return this configuration with another reply prefix. */
    public ServerConfig withPrefix(byte[] prefix) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    /** @param addresses local addresses, empty for all. @return this configuration bound elsewhere. */
    public ServerConfig withBindAddresses(List<InetAddress> addresses) {
        return new ServerConfig(addresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    /** @param transport the transport. @return this configuration on another transport. */
    public ServerConfig withTransport(Transport transport) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    /** @param workers sockets per address. @return this configuration with another number of workers. */
    public ServerConfig withWorkers(int workers) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    /** @param bytes receive buffer size. @return this configuration with another receive buffer. */
    public ServerConfig withReceiveBuffer(int bytes) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, bytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    /** @param allow whether to answer sources below port 1024. @return the changed configuration. */
    public ServerConfig withAllowLowSourcePorts(boolean allow) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allow, rateLimits, accessList, impairments);
    }

    /** @param limits the rate limits. @return the changed configuration. */
    public ServerConfig withRateLimits(RateLimits limits) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, limits, accessList, impairments);
    }

    /** @param list sources allowed and denied. @return the changed configuration. */
    public ServerConfig withAccessList(AccessList list) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, list, impairments);
    }

    /** @param what what to do to replies. @return the changed configuration. */
    public ServerConfig withImpairments(Impairments what) {
        return new ServerConfig(bindAddresses, port, prefix, transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, what);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerConfig c && bindAddresses.equals(c.bindAddresses) && port == c.port
                && Arrays.equals(prefix, c.prefix) && transport == c.transport && workers == c.workers
                && receiveBufferBytes == c.receiveBufferBytes && allowLowSourcePorts == c.allowLowSourcePorts
                && rateLimits.equals(c.rateLimits) && accessList.equals(c.accessList)
                && impairments.equals(c.impairments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bindAddresses, port, Arrays.hashCode(prefix), transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments);
    }

    @Override
    public String toString() {
        return "ServerConfig[bind=" + bindAddresses + ", port=" + port + ", prefix="
                + new String(prefix, StandardCharsets.UTF_8) + ", transport=" + transport + ", workers=" + workers
                + ", receiveBuffer=" + receiveBufferBytes + ", allowLowSourcePorts=" + allowLowSourcePorts
                + ", rateLimits=" + rateLimits + ", accessList=" + accessList + ", impairments=" + impairments + "]";
    }
}
