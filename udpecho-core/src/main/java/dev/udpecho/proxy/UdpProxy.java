package dev.udpecho.proxy;

import dev.udpecho.server.BindFailedException;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * A UDP proxy that puts a bad network between any UDP client and any UDP server: it forwards each client's
 * datagrams to the upstream from a socket of that client's own (so the upstream sees distinct clients) and the
 * upstream's replies back to the client, and loses, delays, duplicates, reorders, damages, rate-limits or cuts
 * either direction as asked ({@link ProxyImpairments}), changeable while it runs.
 *
 * <pre>{@code
 * try (UdpProxy proxy = UdpProxy.builder().upstream(dnsServer).impair("down-delay=200ms", "up-loss=5%").seed(1)
 *         .start()) {
 *     resolver.query(proxy.address(), "example.test");       // through the bad network
 *     proxy.impairments(ProxyImpairments.parse("blackhole=both")); // from the next datagram on
 *     ...
 * }
 * }</pre>
 *
 * <p>It listens on loopback unless told otherwise: a proxy forwards to its upstream whatever reaches it, so
 * bind it wider only on purpose. One thread forwards both directions (see {@code ProxyLoop}, the hot path);
 * the accessors may be called from any thread.
 */
public final class UdpProxy implements AutoCloseable {
    /** A session with no datagram either way for this long is closed, unless asked otherwise. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);
    /** Sessions open at most, unless asked otherwise. */
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    /** The listening sockets' receive buffer asked for, as the server's default. */
    private static final int RECEIVE_BUFFER = 4 << 20;

    private final List<DatagramChannel> listeners;
    private final List<InetSocketAddress> addresses;
    private final InetSocketAddress upstream;
    private final Selector selector;
    private final ProxyLoop loop;
    private final Thread thread;
    private final Thread noticeThread;
    private volatile boolean closed;

    private UdpProxy(List<DatagramChannel> listeners, List<InetSocketAddress> addresses, InetSocketAddress upstream,
                     Selector selector, ProxyLoop loop, Thread noticeThread) {
        this.listeners = listeners;
        this.addresses = addresses;
        this.upstream = upstream;
        this.selector = selector;
        this.loop = loop;
        this.thread = new Thread(loop, "udpecho-proxy");
        thread.setDaemon(true);
        this.noticeThread = noticeThread;
    }

    /**
     * @return a queue for the proxy's thread to put notices in, never waiting (one that finds it full is
     *     dropped), and {@code thread}, which hands them to {@code to}: so that a slow or blocked log never
     *     holds up forwarding.
     */
    private static Consumer<String> handedOff(Consumer<String> to, Thread[] thread) {
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(64);
        thread[0] = new Thread(() -> {
            try {
                while (true) {
                    to.accept(queue.take());
                }
            } catch (InterruptedException e) {
                String rest; // closed: what was told before still goes
                while ((rest = queue.poll()) != null) {
                    to.accept(rest);
                }
            }
        }, "udpecho-proxy-notices");
        thread[0].setDaemon(true);
        return queue::offer;
    }

    /** @return a builder: set at least {@link Builder#upstream}. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return where clients send to: the first address bound, with its port. */
    public InetSocketAddress address() {
        return addresses.get(0);
    }

    /** @return every address bound, with its port. */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /** @return where datagrams are forwarded. */
    public InetSocketAddress upstream() {
        return upstream;
    }

    /** @return the counts so far. */
    public ProxyStats stats() {
        return loop.stats();
    }

    /** @return times the storage of waiting datagrams may have grown so far: when waiting allocates. */
    int waitingGrowths() {
        return loop.growths();
    }

    /** @return what is done to each direction now. */
    public ProxyImpairments impairments() {
        return loop.impairments();
    }

    /**
     * Changes what is done to each direction, from the next datagram on (the decisions start again from the
     * seed). Datagrams waiting already go as they were scheduled.
     *
     * @param next the new impairments, replacing all of the old ones.
     */
    public void impairments(ProxyImpairments next) {
        loop.impairments(Objects.requireNonNull(next, "impairments"));
    }

    /** @return whether it is forwarding: started, not closed, its thread alive. */
    public boolean isServing() {
        return !closed && thread.isAlive();
    }

    /** Stops forwarding and closes every socket; datagrams still waiting are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.stop();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        noticeThread.interrupt();
        try {
            noticeThread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel c : listeners) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Collects a proxy's settings; {@link #start()} checks them. Not thread-safe. */
    public static final class Builder {
        private InetSocketAddress upstream;
        private List<InetAddress> bind = List.of(InetAddress.getLoopbackAddress());
        private int port;
        private final List<String> options = new ArrayList<>();
        private ProxyImpairments impairments;
        private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private Consumer<String> notices = line -> { };

        private Builder() {
        }

        /** @param address the server to forward to, resolved. @return this builder. */
        public Builder upstream(InetSocketAddress address) {
            Objects.requireNonNull(address, "upstream");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("the upstream " + address.getHostString() + " is not resolved");
            }
            upstream = address;
            return this;
        }

        /** @param addresses where to listen (default loopback); one socket each. @return this builder. */
        public Builder bind(InetAddress... addresses) {
            if (addresses.length == 0) {
                throw new IllegalArgumentException("bind needs at least one address");
            }
            bind = List.copyOf(Arrays.asList(addresses));
            return this;
        }

        /** @param port where to listen, 0 (the default) for a free port. @return this builder. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param given options as {@link ProxyImpairments#parse} takes them, added to those given before:
         *              {@code "loss=5%"}, {@code "down-delay=200ms"}, {@code "blackhole=up"}.
         * @return this builder.
         */
        public Builder impair(String... given) {
            ProxyImpairments.parse(given); // each checked where it is given
            options.addAll(Arrays.asList(given));
            return this;
        }

        /** @param p probability that a datagram is lost, each direction on its own. @return this builder. */
        public Builder loss(double p) {
            return impair("loss=" + p);
        }

        /** @param d how long each datagram waits, each direction. @return this builder. */
        public Builder delay(Duration d) {
            return impair("delay=" + ProxyImpairments.duration(d));
        }

        /** @param p probability that a datagram is sent twice, each direction. @return this builder. */
        public Builder duplicate(double p) {
            return impair("duplicate=" + p);
        }

        /** @param seed seed of the decisions, for runs that repeat exactly. @return this builder. */
        public Builder seed(long seed) {
            return impair("seed=" + seed);
        }

        /**
         * @param all every impairment at once, replacing whatever {@link #impair} and the like gave.
         * @return this builder.
         */
        public Builder impairments(ProxyImpairments all) {
            impairments = Objects.requireNonNull(all, "impairments");
            options.clear();
            return this;
        }

        /** @param timeout a session with no datagram either way for this long is closed. @return this builder. */
        public Builder sessionTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("session timeout must be positive, not " + timeout);
            }
            sessionTimeout = timeout;
            return this;
        }

        /** @param max sessions open at most, 1 to 1000000. @return this builder. */
        public Builder maxSessions(int max) {
            if (max < 1 || max > 1_000_000) {
                throw new IllegalArgumentException("max sessions must be 1 to 1000000, not " + max);
            }
            maxSessions = max;
            return this;
        }

        /**
         * @param notices where refused sends and sessions that could not be opened are reported, at most one
         *                line a second; called on a thread of its own, never on the one that forwards.
         * @return this builder.
         */
        public Builder notices(Consumer<String> notices) {
            this.notices = Objects.requireNonNull(notices, "notices");
            return this;
        }

        /**
         * @return the proxy, forwarding.
         * @throws BindFailedException if an address cannot be bound, naming it and the cause.
         */
        public UdpProxy start() throws BindFailedException {
            if (upstream == null) {
                throw new IllegalStateException("no upstream: call upstream(address)");
            }
            ProxyImpairments what = impairments != null && options.isEmpty() ? impairments
                    : ProxyImpairments.parse(options.toArray(new String[0]));
            ProtocolFamily family = upstream.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            List<DatagramChannel> listeners = new ArrayList<>();
            List<InetSocketAddress> addresses = new ArrayList<>();
            Selector selector = null;
            InetSocketAddress binding = null;
            try {
                selector = Selector.open();
                int at = port;
                for (InetAddress address : bind) {
                    binding = new InetSocketAddress(address, at);
                    DatagramChannel c = DatagramChannel.open(address instanceof Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                    listeners.add(c);
                    // Bursts from many clients must not overflow the socket; the kernel caps it at its maximum.
                    c.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
                    c.bind(binding);
                    c.configureBlocking(false);
                    c.register(selector, SelectionKey.OP_READ);
                    InetSocketAddress bound = (InetSocketAddress) c.getLocalAddress();
                    addresses.add(new InetSocketAddress(address, bound.getPort()));
                    at = bound.getPort(); // every address on the same port
                }
            } catch (IOException e) {
                for (DatagramChannel c : listeners) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
                if (selector != null) {
                    try {
                        selector.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
                throw new BindFailedException(binding != null ? binding : new InetSocketAddress(port), e);
            }
            Thread[] noticeThread = new Thread[1];
            ProxyLoop loop = new ProxyLoop(List.copyOf(listeners), upstream, family, what,
                    sessionTimeout.toNanos(), maxSessions, selector, handedOff(notices, noticeThread));
            UdpProxy proxy = new UdpProxy(List.copyOf(listeners), List.copyOf(addresses), upstream, selector, loop,
                    noticeThread[0]);
            noticeThread[0].start();
            proxy.thread.start();
            return proxy;
        }
    }
}
