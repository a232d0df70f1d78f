package dev.udpecho.server;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.AccessList;
import dev.udpecho.policy.RateLimits;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.protocol.Stamp;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
    /** Most STAMP senders a stateful reflector keeps, per socket, by default. */
    public static final int DEFAULT_STAMP_SESSIONS = 10_000;
    public static final int MAX_STAMP_SESSIONS = 1 << 20;
    public static final Duration DEFAULT_STAMP_SESSION_TIMEOUT = Duration.ofSeconds(60);
    /** The clock error a STAMP reflector states by default: a host clock kept by NTP on a LAN is within this. */
    public static final Duration DEFAULT_CLOCK_ERROR = Duration.ofMillis(1);

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
    private final Protocol protocol;
    private final boolean stampStateful;
    private final int stampMaxSessions;
    private final Duration stampSessionTimeout;
    private final boolean clockSynchronised;
    private final Duration clockError;

    private ServerConfig(Builder b) {
        bindAddresses = List.copyOf(Objects.requireNonNull(b.bindAddresses, "bindAddresses"));
        protocol = Objects.requireNonNull(b.protocol, "protocol");
        port = b.port != null ? b.port : protocol == Protocol.STAMP ? Stamp.PORT : DEFAULT_PORT;
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
        if (protocol != Protocol.ECHO && b.prefix != null && b.prefix.length > 0) {
            throw new IllegalArgumentException("--prefix is for the echo: a " + protocol.label()
                    + " reply is the protocol's packet");
        }
        prefix = b.prefix != null ? b.prefix.clone()
                : protocol == Protocol.ECHO ? DEFAULT_PREFIX.getBytes(StandardCharsets.UTF_8) : new byte[0];
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
        stampStateful = b.stampStateful;
        stampMaxSessions = b.stampMaxSessions;
        if (stampMaxSessions < 1 || stampMaxSessions > MAX_STAMP_SESSIONS) {
            throw new IllegalArgumentException("STAMP sessions must be 1 to " + MAX_STAMP_SESSIONS + ", not "
                    + stampMaxSessions);
        }
        stampSessionTimeout = Objects.requireNonNull(b.stampSessionTimeout, "stampSessionTimeout");
        if (stampSessionTimeout.isNegative() || stampSessionTimeout.isZero()) {
            throw new IllegalArgumentException("the STAMP session timeout must be positive, not " + stampSessionTimeout);
        }
        clockSynchronised = b.clockSynchronised;
        clockError = Objects.requireNonNull(b.clockError, "clockError");
        if (clockError.isNegative() || clockError.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("the clock error must be 0 to 60 s, not " + clockError);
        }
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
        b.protocol = protocol;
        b.stampStateful = stampStateful;
        b.stampMaxSessions = stampMaxSessions;
        b.stampSessionTimeout = stampSessionTimeout;
        b.clockSynchronised = clockSynchronised;
        b.clockError = clockError;
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

    /** @return what the server answers: the echo (the default), STAMP or sockperf. */
    public Protocol protocol() {
        return protocol;
    }

    /** @return whether a STAMP reflector keeps its own sequence number per sender (else it reflects the sender's). */
    public boolean stampStateful() {
        return stampStateful;
    }

    /** @return most STAMP senders a stateful reflector keeps per socket. */
    public int stampMaxSessions() {
        return stampMaxSessions;
    }

    /** @return how long a stateful reflector keeps a STAMP sender that sends nothing. */
    public Duration stampSessionTimeout() {
        return stampSessionTimeout;
    }

    /** @return whether this host's clock is synchronised to UTC (STAMP's Error Estimate S bit). */
    public boolean clockSynchronised() {
        return clockSynchronised;
    }

    /** @return the clock's error, stated in STAMP's Error Estimate. */
    public Duration clockError() {
        return clockError;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerConfig c && bindAddresses.equals(c.bindAddresses) && port == c.port
                && Arrays.equals(prefix, c.prefix) && transport == c.transport && workers == c.workers
                && receiveBufferBytes == c.receiveBufferBytes && allowLowSourcePorts == c.allowLowSourcePorts
                && rateLimits.equals(c.rateLimits) && accessList.equals(c.accessList)
                && impairments.equals(c.impairments) && protocol == c.protocol && stampStateful == c.stampStateful
                && stampMaxSessions == c.stampMaxSessions && stampSessionTimeout.equals(c.stampSessionTimeout)
                && clockSynchronised == c.clockSynchronised && clockError.equals(c.clockError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bindAddresses, port, Arrays.hashCode(prefix), transport, workers, receiveBufferBytes,
                allowLowSourcePorts, rateLimits, accessList, impairments, protocol, stampStateful, stampMaxSessions,
                stampSessionTimeout, clockSynchronised, clockError);
    }

    @Override
    public String toString() {
        return "ServerConfig[bind=" + bindAddresses + ", port=" + port + ", prefix="
                + new String(prefix, StandardCharsets.UTF_8) + ", transport=" + transport + ", workers=" + workers
                + ", receiveBuffer=" + receiveBufferBytes + ", allowLowSourcePorts=" + allowLowSourcePorts
                + ", rateLimits=" + rateLimits + ", accessList=" + accessList + ", impairments=" + impairments + ", protocol=" + protocol.label()
                + (protocol == Protocol.STAMP ? ", stamp=" + (stampStateful ? "stateful" : "stateless")
                        + ", clockSynchronised=" + clockSynchronised + ", clockError=" + clockError : "") + "]";
    }

    /** Collects a configuration by name; {@link #build()} checks it. Not thread-safe. */
    public static final class Builder {
        private List<InetAddress> bindAddresses = List.of();
        private Integer port;
        private byte[] prefix;
        private Transport transport = Transport.best();
        private Integer workers;
        private int receiveBufferBytes = DEFAULT_RECEIVE_BUFFER;
        private boolean allowLowSourcePorts;
        private RateLimits rateLimits = RateLimits.DEFAULT;
        private AccessList accessList = AccessList.OPEN;
        private Impairments impairments = Impairments.NONE;
        private Protocol protocol = Protocol.ECHO;
        private boolean stampStateful;
        private int stampMaxSessions = DEFAULT_STAMP_SESSIONS;
        private Duration stampSessionTimeout = DEFAULT_STAMP_SESSION_TIMEOUT;
        private boolean clockSynchronised;
        private Duration clockError = DEFAULT_CLOCK_ERROR;

        private Builder() {
        }

        /** @param addresses local addresses to bind; empty for every interface. @return this builder. */
        public Builder bindAddresses(List<InetAddress> addresses) {
            this.bindAddresses = addresses;
            return this;
        }

        /**
         * @param port UDP port, 0 for any free one; {@code null} for the default: 8888, and 862 for STAMP.
         * @return this builder.
         */
        public Builder port(Integer port) {
            this.port = port;
            return this;
        }

        /**
         * @param prefix bytes put before each reply; empty for a plain echo; {@code null} for the default, which
         *               is {@code OK...} for the echo and none for the other protocols.
         * @return this builder.
         */
        public Builder prefix(byte[] prefix) {
            this.prefix = prefix;
            return this;
        }

        /** @param prefix text put before each reply, as UTF-8; {@code null} for the default. @return this builder. */
        public Builder prefix(String prefix) {
            return prefix(prefix == null ? null : prefix.getBytes(StandardCharsets.UTF_8));
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
        public Builder protocol(Protocol protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder stampStateful(boolean stateful) {
            this.stampStateful = stateful;
            return this;
        }

        public Builder stampMaxSessions(int max) {
            this.stampMaxSessions = max;
            return this;
        }

        public Builder stampSessionTimeout(Duration timeout) {
            this.stampSessionTimeout = timeout;
            return this;
        }

        public Builder clockSynchronised(boolean synchronised) {
            this.clockSynchronised = synchronised;
            return this;
        }

        public Builder clockError(Duration error) {
            this.clockError = error;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
