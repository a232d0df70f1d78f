package dev.udpecho.bench;

import dev.udpecho.protocol.Protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Continuous monitoring of many UDP targets: a small probe to each every interval, each reply matched exactly
 * as {@code udpecho bench} matches them ({@link SequenceTracker}: lost, late, duplicated, reordered, corrupt),
 * its round trip counted in buckets from 10 µs to 10 s, and each target {@code up} or not.
 *
 * <pre>{@code
 * try (Prober prober = Prober.builder().target("dns-1", new InetSocketAddress("10.201.0.1", 8888))
 *         .interval(Duration.ofSeconds(1)).start()) {
 *     ...
 *     prober.stats().forEach(s -> System.out.println(s.target() + " up " + s.up()));
 * }
 * }</pre>
 *
 * <p>One thread sends and receives for every target, each on its own connected socket (so that a host that
 * says nothing listens, with ICMP port unreachable, is heard). Targets are not probed in lockstep: each starts
 * at a random point of the first interval, and each interval is drawn within ±5% of the one asked for; probes due
 * within a 200th of the interval (5 ms at most) of each other are sent together, each with its own send time. The set of
 * targets may change while it runs ({@link Builder#discover}): a new one is probed from then on, a gone one is
 * closed and its counts dropped. Memory per target is bounded: its tracker holds the probes of a few timeouts.
 *
 * <p>{@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class Prober implements AutoCloseable {
    /** Probes given up after their timeout are decided; this many in a row without a reply make a target down. */
    public static final int DEFAULT_DOWN_AFTER = 3;
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    /**
     * Probes due within this much of each other go in one wakeup of the prober's thread, and their replies come
     * back close together: fewer wakeups, which are most of what probing costs. A 200th of the interval, at most
     * 5 ms: 5 ms at 1 s, well inside the ±5% that spreads each target's probes anyway.
     */
    private static final long MAX_BATCH_NANOS = 5_000_000L;

    /** A target: its name for people and metrics, and where its probes go (resolved). */
    public record Target(String name, InetSocketAddress address) {
        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("unresolved target " + address);
            }
        }
    }

    private final Builder config;
    private final Selector selector;
    private final Thread thread;
    private final Thread discovery;
    private final AtomicLong discoveryErrors = new AtomicLong();
    private final ByteBuffer in = DatagramFormat.buffer(65_536);
    private final ByteBuffer out;
    private final SplittableRandom random = new SplittableRandom();
    private final Map<Target, Probed> probed = new LinkedHashMap<>();
    private final PriorityQueue<Probed> due = new PriorityQueue<>((a, b) -> Long.compare(a.next, b.next));
    private final Consumer<SelectionKey> onKey = this::onKey;
    private volatile List<Probed> published = List.of();
    private volatile List<Target> wanted;
    /** The targets {@link #apply} last took up: the constructor's, then the prober thread's own. */
    private List<Target> applied;
    private volatile boolean running = true;

    private Prober(Builder config) throws IOException {
        this.config = config;
        this.out = DatagramFormat.buffer(config.size);
        this.wanted = List.copyOf(config.targets.values());
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "udpecho-probe");
        this.thread.setDaemon(true);
        this.discovery = config.discover == null ? null : new Thread(this::discover, "udpecho-probe-discovery");
        apply(System.nanoTime()); // the given targets' sockets, before start() returns: errors are the caller's
        thread.start();
        if (discovery != null) {
            discovery.setDaemon(true);
            discovery.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return each target's counts, in the order the targets were first given or found. */
    public List<ProbeStats> stats() {
        List<ProbeStats> all = new ArrayList<>();
        long since = System.nanoTime() - config.recentWindow.toNanos();
        for (Probed p : published) {
            all.add(p.stats(since));
        }
        return all;
    }

    /** @return times the discovery of targets failed (the targets then stay as they were). */
    public long discoveryErrors() {
        return discoveryErrors.get();
    }

    /** @return whether the prober's thread runs. */
    public boolean isRunning() {
        return running && thread.isAlive();
    }

    /** Replaces the targets found by discovery, or given; from the next turn of the prober's thread. */
    void targets(Collection<Target> next) {
        Map<Target, Target> all = new LinkedHashMap<>(config.targets);
        for (Target t : next) {
            all.put(t, t);
        }
        wanted = List.copyOf(all.values());
        selector.wakeup();
    }

    /** Stops probing and closes every socket. Idempotent. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (discovery != null) {
            discovery.interrupt();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long interval = config.interval.toNanos();
        long batch = Math.min(MAX_BATCH_NANOS, interval / 200);
        long sweepEvery = Math.max(1_000_000L,
                Math.min(250_000_000L, Math.min(interval, config.timeout.toNanos()) / 4));
        long nextSweep = System.nanoTime();
        try {
            while (running) {
                long now = System.nanoTime();
                // Against what was last taken up, not what was wanted when this thread started: a lookup that
                // answered before then would otherwise never be.
                if (wanted != applied) {
                    apply(now);
                }
                Probed p;
                while ((p = due.peek()) != null && p.next - (now + batch) <= 0) {
                    due.poll();
                    p.send(System.nanoTime());
                    p.next += interval + (long) ((random.nextDouble() - 0.5) * 0.1 * interval);
                    if (p.next - now <= 0) {
                        p.next = now + interval; // after a pause (a stopped process): no burst to catch up
                    }
                    due.add(p);
                }
                if (now - nextSweep >= 0) {
                    for (Probed q : probed.values()) {
                        q.expire(now);
                    }
                    nextSweep = now + sweepEvery;
                }
                long until = nextSweep;
                if ((p = due.peek()) != null && p.next - until < 0) {
                    until = p.next;
                }
                long wait = until - System.nanoTime();
                if (wait <= 0) {
                    selector.selectNow(onKey);
                } else {
                    selector.select(onKey, Math.max(1, (wait + 999_999) / 1_000_000));
                }
            }
        } catch (IOException | RuntimeException e) {
            config.notices.accept("Probing stopped: " + e);
        } finally {
            running = false;
            for (Probed q : probed.values()) {
                q.close();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing to do about it
            }
        }
    }

    private void onKey(SelectionKey key) {
        if (key.isValid()) {
            ((Probed) key.attachment()).receive();
        }
    }

    /** Opens what is wanted and not probed, closes what is probed and not wanted. Prober's thread. */
    private void apply(long now) throws IOException {
        List<Target> want = wanted;
        applied = want;
        Map<Target, Boolean> keep = new LinkedHashMap<>();
        for (Target t : want) {
            keep.put(t, Boolean.TRUE);
        }
        for (var it = probed.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!keep.containsKey(e.getKey())) {
                due.remove(e.getValue());
                e.getValue().close();
                it.remove();
            }
        }
        for (Target t : want) {
            if (!probed.containsKey(t)) {
                try {
                    Probed p = new Probed(t, now + (long) (random.nextDouble() * config.interval.toNanos()));
                    probed.put(t, p);
                    due.add(p);
                } catch (IOException e) {
                    if (config.targets.containsKey(t)) {
                        throw new IOException("cannot probe " + t.name() + ": " + e.getMessage(), e);
                    }
                    config.notices.accept("cannot probe " + t.name() + ": " + e.getMessage());
                }
            }
        }
        published = List.copyOf(probed.values());
    }

    private void discover() {
        long every = config.discoverEvery.toNanos();
        while (running) {
            try {
                targets(config.discover.call());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                discoveryErrors.incrementAndGet();
                config.notices.accept("finding targets failed, they stay as they were: " + e.getMessage());
            }
            try {
                TimeUnit.NANOSECONDS.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One target's socket, probes and counts. Prober's thread, but for {@link #stats}. */
    private final class Probed {
        final Target target;
        final DatagramChannel channel;
        final SequenceTracker tracker;
        final WireFormat format;
        final RoundTripBuckets roundTrips;
        final RecentOutcomes recent;
        final AtomicLong refused = new AtomicLong();
        long next;
        long sequence;
        long lastReceived;
        long lastTimedOut;
        int lostInARow;
        boolean answered;
        boolean refusedSince;
        volatile boolean up;

        Probed(Target target, long first) throws IOException {
            this.target = target;
            this.next = first;
            long interval = config.interval.toNanos();
            long timeout = config.timeout.toNanos();
            // Enough room for every probe within a timeout, several times over (a duplicate or a late reply
            // still finds its probe), and no more: memory per target is bounded.
            int capacity = Integer.highestOneBit((int) Math.min(1 << 16, Math.max(16, 4 * (timeout / interval + 2))) - 1) << 1;
            this.recent = config.recentWindow.isZero() ? null
                    : new RecentOutcomes((int) Math.min(4096, config.recentWindow.toNanos() / interval + 8));
            this.roundTrips = new RoundTripBuckets(recent);
            this.tracker = new SequenceTracker(capacity, timeout, roundTrips, HIGHEST_NANOS);
            tracker.startMeasuring(0);
            long key = random.nextLong();
            this.format = config.protocol == Protocol.STAMP
                    ? new StampFormat(config.size, key, false, false, tracker, HIGHEST_NANOS)
                    : new DatagramFormat(config.prefix, config.size, key);
            DatagramChannel c = DatagramChannel.open();
            try {
                c.configureBlocking(false);
                c.connect(target.address());
                c.register(selector, SelectionKey.OP_READ, this);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            this.channel = c;
        }

        void send(long now) {
            long s = sequence++;
            format.write(out, s, now);
            tracker.sent(s, now);
            tracker.publishSent(s + 1);
            out.clear().limit(format.size());
            try {
                channel.write(out);
            } catch (PortUnreachableException e) {
                refused(); // an earlier probe was refused; this one is lost
                tracker.sendError();
            } catch (IOException e) {
                tracker.sendError();
            }
            expire(now);
        }

        void receive() {
            while (true) {
                in.clear();
                try {
                    if (channel.receive(in) == null) {
                        break;
                    }
                } catch (PortUnreachableException e) {
                    refused();
                    continue;
                } catch (IOException e) {
                    tracker.receiveError();
                    break;
                }
                long now = System.nanoTime();
                int length = in.position();
                roundTrips.at(now);
                long s = format.sequence(in, length);
                if (s < 0) {
                    tracker.unmatched();
                } else {
                    tracker.reply(s, format.matches(in, length, s), now, format.roundTrip(in, length, now));
                }
                decide(now);
            }
            tracker.publish();
        }

        void expire(long now) {
            tracker.expire(now);
            decide(now);
            tracker.publish();
        }

        private void refused() {
            refused.lazySet(refused.get() + 1);
            refusedSince = true;
            up = false;
        }

        /** Updates {@link #up} from what was decided since last time. */
        private void decide(long now) {
            long received = tracker.received();
            long timedOut = tracker.timedOut();
            if (recent != null) {
                for (long k = lastTimedOut; k < timedOut; k++) {
                    recent.lost(now);
                }
            }
            if (timedOut > lastTimedOut) {
                lostInARow += (int) Math.min(Integer.MAX_VALUE - lostInARow, timedOut - lastTimedOut);
            }
            if (received > lastReceived) {
                lostInARow = 0;
                answered = true;
                refusedSince = false;
            }
            lastReceived = received;
            lastTimedOut = timedOut;
            up = answered && !refusedSince && lostInARow < config.downAfter;
        }

        ProbeStats stats(long since) {
            Tally t = tracker.published();
            return new ProbeStats(target.name(), target.address(), t.sent(), t.received(),
                    tracker.publishedTimedOut(), t.late(), t.duplicated(), t.reordered(), t.corrupt(), refused.get(),
                    up, roundTrips.counts(), roundTrips.sumNanos(), recent == null ? null : recent.summary(since));
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a UDP socket fails for no reason worth reporting
            }
        }
    }

    /** What to probe, how often and how. */
    public static final class Builder {
        private final Map<Target, Target> targets = new LinkedHashMap<>();
        private Callable<List<Target>> discover;
        private Duration discoverEvery = Duration.ofSeconds(30);
        private Duration interval = Duration.ofSeconds(1);
        private Duration timeout;
        private int size = 64;
        private byte[] prefix = "OK...".getBytes(StandardCharsets.UTF_8);
        private Protocol protocol = Protocol.ECHO;
        private int downAfter = DEFAULT_DOWN_AFTER;
        private Duration recentWindow = Duration.ZERO;
        private Consumer<String> notices = text -> { };

        private Builder() {
        }

        /** @param name for people and metrics. @param address where, resolved. @return this builder. */
        public Builder target(String name, InetSocketAddress address) {
            Target t = new Target(name, address);
            targets.put(t, t);
            return this;
        }

        /**
         * @param finder asked for the targets now, e.g. from DNS or a file: its answer replaces the last one
         *               (the targets given with {@link #target} stay); one that throws leaves them as they were.
         * @param every  how often to ask.
         * @return this builder.
         */
        public Builder discover(Callable<List<Target>> finder, Duration every) {
            this.discover = Objects.requireNonNull(finder, "finder");
            this.discoverEvery = positive(every, "discovery interval");
            return this;
        }

        /** @param every how often each target gets a probe (default 1 s). @return this builder. */
        public Builder interval(Duration every) {
            this.interval = positive(every, "interval");
            return this;
        }

        /** @param wait how long a probe waits for its reply (default: the interval, at most 10 s). @return this. */
        public Builder timeout(Duration wait) {
            this.timeout = positive(wait, "timeout");
            return this;
        }

        /** @param bytes bytes per probe, 24 or more (default 64). @return this builder. */
        public Builder size(int bytes) {
            if (bytes < DatagramFormat.HEADER || bytes > 65_507) {
                throw new IllegalArgumentException("a probe is 24 to 65507 bytes, not " + bytes);
            }
            this.size = bytes;
            return this;
        }

        /** @param bytes what the echo server puts before each reply (default {@code OK...}). @return this. */
        public Builder prefix(byte[] bytes) {
            this.prefix = bytes.clone();
            return this;
        }

        /** @param p {@link Protocol#ECHO} (default) or {@link Protocol#STAMP}. @return this builder. */
        public Builder protocol(Protocol p) {
            if (p == Protocol.SOCKPERF) {
                throw new IllegalArgumentException("probes speak echo or stamp, not sockperf");
            }
            this.protocol = Objects.requireNonNull(p, "protocol");
            return this;
        }

        /** @param probes lost in a row that make a target down (default 3). @return this builder. */
        public Builder downAfter(int probes) {
            if (probes < 1) {
                throw new IllegalArgumentException("down after 1 probe or more, not " + probes);
            }
            this.downAfter = probes;
            return this;
        }

        /** @param window keep each outcome this long, for {@link ProbeStats#recent()} (default: none). @return this. */
        public Builder recent(Duration window) {
            this.recentWindow = Objects.requireNonNull(window, "window");
            return this;
        }

        /** @param to where problems are told (a failed discovery, a socket error); any thread. @return this. */
        public Builder notices(Consumer<String> to) {
            this.notices = Objects.requireNonNull(to, "notices");
            return this;
        }

        /**
         * @return the prober, probing.
         * @throws IOException if a given target's socket cannot be opened or connected.
         */
        public Prober start() throws IOException {
            if (targets.isEmpty() && discover == null) {
                throw new IllegalArgumentException("nothing to probe: give a target, or a way to find them");
            }
            if (timeout == null) {
                timeout = interval.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : interval;
            }
            if (protocol == Protocol.STAMP) {
                prefix = new byte[0];
                size = Math.max(size, dev.udpecho.protocol.Stamp.BASE);
            }
            return new Prober(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the " + what + " must be positive, not " + d);
            }
            return d;
        }
    }
}
