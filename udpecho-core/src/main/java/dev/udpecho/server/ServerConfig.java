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
 * What a server binds and how it answers. Immutable; built by name with {@link #builder()}, and every value is
 * checked in one place, {@link Builder#build()}, so a server never starts with a value it cannot use.
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.builder().port(7).prefix("").workers(2).build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ServerConfig {
    /** The tutorial's port. */
    public static final int DEFAULT_PORT = 8888;
    /** The tutorial's reply prefix. */
    public static final String DEFAULT_PREFIX = "OK...";
    /** Upper bound of {@link #workers}. */
    public static final int MAX_WORKERS = 256;
    /** Enough for a burst of several thousand small datagrams, or a few hundred of the largest. */
    public static final int DEFAULT_RECEIVE_BUFFER = 4 << 20;

    private final List<InetAddress> bindAddresses;
    private final int port;
    private final byte[] prefix;
    private final Transport transport;
    private final int workers;
    private final int receiveBufferBytes;
    private final boolean allowLowSourcePorts;
    private final RateLimits rateLimits;
    private final AccessList accessList;
    private final Impairments impairments;

    private ServerConfig(Builder b) {
        bindAddresses = List.copyOf(Objects.requireNonNull(b.bindAddresses, "bindAddresses"));
        port = b.port;
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
        prefix = Objects.requireNonNull(b.prefix, "prefix").clone();
        if (prefix.length > DatagramLimits.MAX_IPV4_PAYLOAD) {
            throw new IllegalArgumentException("prefix must be at most " + DatagramLimits.MAX_IPV4_PAYLOAD
                    + " bytes, not " + prefix.length);
        }
        transport = Objects.requireNonNull(b.transport, "transport");
        if (!transport.isAvailable()) {
            throw new IllegalArgumentException("transport " + transport + " is not available here");
        }
        impairments = Objects.requireNonNull(b.impairments, "impairments");
        // Impaired runs repeat exactly with one worker: each worker draws its own decisions.
        workers = b.workers != null ? b.workers : impairments.isOn() ? 1 : defaultWorkers();
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1 to " + MAX_WORKERS + ", not " + workers);
        }
        receiveBufferBytes = b.receiveBufferBytes;
        if (receiveBufferBytes < 4096 || receiveBufferBytes > 1 << 30) {
            throw new IllegalArgumentException("receive buffer must be 4096 to 1073741824 bytes, not " + receiveBufferBytes);
        }
        allowLowSourcePorts = b.allowLowSourcePorts;
        rateLimits = Objects.requireNonNull(b.rateLimits, "rateLimits");
        accessList = Objects.requireNonNull(b.accessList, "accessList");
    }

    /**
     * @return a builder with the tutorial's server, made safe and fast: every interface, port 8888, prefix
     * {@code OK...}, the best transport, a worker per core (one when impairing), the loop guard and the default
     * rate limits.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults of {@link #builder()}. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /** @return a builder that starts from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bindAddresses = bindAddresses;
        b.port = port;
        b.prefix = prefix;
        b.transport = transport;
        b.workers = workers;
        b.receiveBufferBytes = receiveBufferBytes;
        b.allowLowSourcePorts = allowLowSourcePorts;
        b.rateLimits = rateLimits;
        b.accessList = accessList;
        b.impairments = impairments;
        return b;
    }

    /** @return the number of cores this process may run on (taskset limits it), at most {@link #MAX_WORKERS}. */
    public static int defaultWorkers() {
        return Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors());
    }

    /** @return local addresses to bind; empty means every interface, IPv4 and IPv6. */
    public List<InetAddress> bindAddresses() {
        return bindAddresses;
    }

    /** @return the UDP port, 0 to 65535; 0 picks a free port. */
    public int port() {
        return port;
    }

    /** @return a copy of the bytes put before every reply; empty gives a plain RFC 862 echo. */
    public byte[] prefix() {
        return prefix.clone();
    }

    /** @return the I/O transport. */
    public Transport transport() {
        return transport;
    }

    /** @return sockets (each with its own thread) per bind address; several share the port (SO_REUSEPORT). */
    public int workers() {
        return workers;
    }

    /** @return the socket receive buffer to ask the kernel for, 4 KiB to 1 GiB. */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /** @return whether sources below port 1024 are answered (the loop guard refuses them by default). */
    public boolean allowLowSourcePorts() {
        return allowLowSourcePorts;
    }

    /** @return the per-source and overall rate limits. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    /** @return the sources allowed and denied. */
    public AccessList accessList() {
        return accessList;
    }

    /** @return what is done to replies on purpose, to test clients; {@link Impairments#NONE} normally. */
    public Impairments impairments() {
        return impairments;
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

    /** Collects a configuration by name; {@link #build()} checks it. Not thread-safe. */
    public static final class Builder {
        private List<InetAddress> bindAddresses = List.of();
        private int port = DEFAULT_PORT;
        private byte[] prefix = DEFAULT_PREFIX.getBytes(StandardCharsets.UTF_8);
        private Transport transport = Transport.best();
        private Integer workers;
        private int receiveBufferBytes = DEFAULT_RECEIVE_BUFFER;
        private boolean allowLowSourcePorts;
        private RateLimits rateLimits = RateLimits.DEFAULT;
        private AccessList accessList = AccessList.OPEN;
        private Impairments impairments = Impairments.NONE;

        private Builder() {
        }

        /** @param addresses local addresses to bind; empty for every interface. @return this builder. */
        public Builder bindAddresses(List<InetAddress> addresses) {
            this.bindAddresses = addresses;
            return this;
        }

        /** @param port UDP port, 0 for any free one. @return this builder. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** @param prefix bytes put before each reply; empty for a plain echo. @return this builder. */
        public Builder prefix(byte[] prefix) {
            this.prefix = prefix;
            return this;
        }

        /** @param prefix text put before each reply, as UTF-8. @return this builder. */
        public Builder prefix(String prefix) {
            return prefix(prefix.getBytes(StandardCharsets.UTF_8));
        }

        /** @param transport the I/O transport. @return this builder. */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /**
         * @param workers sockets per bind address, each with its own thread, 1 to 256; {@code null} for one
         *                per core, or one when impairing (so that a seed repeats exactly).
         * @return this builder.
         */
        public Builder workers(Integer workers) {
            this.workers = workers;
            return this;
        }

        /** @param bytes socket receive buffer to ask for. @return this builder. */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** @param allow whether to answer sources below port 1024. @return this builder. */
        public Builder allowLowSourcePorts(boolean allow) {
            this.allowLowSourcePorts = allow;
            return this;
        }

        /** @param limits per-source and overall rate limits; {@link RateLimits#OFF} for none. @return this builder. */
        public Builder rateLimits(RateLimits limits) {
            this.rateLimits = limits;
            return this;
        }

        /** @param list sources allowed and denied. @return this builder. */
        public Builder accessList(AccessList list) {
            this.accessList = list;
            return this;
        }

        /** @param what what to do to replies on purpose. @return this builder. */
        public Builder impairments(Impairments what) {
            this.impairments = what;
            return this;
        }

        /** @return the configuration. @throws IllegalArgumentException naming a value out of range. */
        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
