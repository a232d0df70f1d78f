package dev.udpecho.proxy;

import dev.udpecho.impairment.Impairer;
import dev.udpecho.impairment.Impairment;
import dev.udpecho.impairment.Impairments;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The proxy's hot path, on one thread: receives a client's datagram on a listening socket, finds or opens that
 * client's session (a socket connected to the upstream, so that the upstream sees one source per client and its
 * replies come back on it), impairs the datagram as its direction says and forwards it; the upstream's replies
 * go back the same way to the client, from the listening socket it last sent to. Datagrams that wait (delayed,
 * held back to be reordered) are in one queue by due time, sent by the same thread.
 *
 * <p>Impairments, with the server's semantics (see {@code Responder}), per direction and each on its own draws:
 * lost, corrupted (one byte anywhere), truncated, duplicated, delayed, reordered (held back until the next
 * datagram of its direction goes, at most 100 ms), overflowed (it was to wait, but {@code maxDelayed} were
 * waiting); before them the direction's blackhole and its rate limit (a token bucket of one second's worth).
 * A change of impairments is read before each datagram.
 *
 * <p>Sessions: a table in least-recently-used order, bounded, so that a new client always gets one (the least
 * recently active is closed); a session with no datagram either way for the timeout is closed.
 *
 * <p>Nothing is allocated per datagram in steady state, waiting ones included: a datagram that waits is copied
 * into a holder that is reused once it has gone. (The JDK's {@link DatagramChannel#receive} makes a new address
 * when a datagram comes from another client than the one before it.) The counters have this thread as their only writer; {@link #stats} reads them from any thread.
 */
final class ProxyLoop implements Runnable {
    /** A datagram held back to be sent after the next one goes anyway after this long (as the server's). */
    static final long HOLD_LIMIT_NANOS = 100_000_000L;
    private static final long AFTER_NANOS = 1_000;
    /** Datagrams taken from one socket before the others get their turn. */
    private static final int BURST = 64;
    private static final int MAX_DATAGRAM = 65_536;

    private static final int C_RECEIVED = 0;
    private static final int C_FORWARDED = 1;
    private static final int C_BYTES = 2;
    private static final int C_RATE_LIMITED = 3;
    private static final int C_BLACKHOLED = 4;
    private static final int C_ERRORS = 5;
    private static final int C_IMPAIRED = 6;
    private static final int C_COUNT = C_IMPAIRED + Impairment.values().length;

    private static final int S_OPENED = 0;
    private static final int S_EXPIRED = 1;
    private static final int S_EVICTED = 2;
    private static final int S_ERRORS = 3;
    private static final int S_OPEN = 4;

    private final List<DatagramChannel> listeners;
    private final InetSocketAddress upstream;
    private final ProtocolFamily family;
    private final long sessionTimeoutNanos;
    private final long housekeepingNanos;
    private final int maxSessions;
    private final Selector selector;
    private final Consumer<String> notices;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final HashMap<SocketAddress, Session> sessions = new HashMap<>(1024);
    /** The sessions in least-recently-used order, linked through themselves: walking them allocates nothing. */
    private Session eldest;
    private Session youngest;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>();
    private final ArrayDeque<Waiting> spare = new ArrayDeque<>();
    /**
     * Times the storage of waiting datagrams may have grown: a holder made, a copy enlarged, or one of the queues
     * past its largest size so far (it may then grow its array). Waiting allocates nothing in between.
     */
    private volatile int growths;
    private int mostWaiting;
    private int mostHeld;
    private int mostSpare;
    private final Flow up = new Flow(Direction.UP);
    private final Flow down = new Flow(Direction.DOWN);
    private final AtomicLongArray sessionCounts = new AtomicLongArray(S_OPEN + 1);
    private final Consumer<SelectionKey> onKey = this::onKey;
    private volatile ProxyImpairments impairments;
    private volatile boolean running = true;
    private ProxyImpairments applied;
    private long order;
    private long nextHousekeeping;
    private long lastNotice;

    /** One client's session: its address, and the socket connected to the upstream on its behalf. */
    private static final class Session {
        final SocketAddress client;
        final DatagramChannel channel;
        DatagramChannel listener;
        long lastActive;
        boolean closed;
        Session older;
        Session younger;

        Session(SocketAddress client, DatagramChannel channel, DatagramChannel listener) {
            this.client = client;
            this.channel = channel;
            this.listener = listener;
        }
    }

    /**
     * A datagram that waits: a copy of its bytes, where it goes, and when. Taken from {@link #spare} and given
     * back once sent, with its copy kept for the next one, so that waiting allocates nothing once as many have
     * waited at once as will.
     */
    private static final class Waiting implements Comparable<Waiting> {
        Flow flow;
        Session session;
        byte[] data = new byte[0];
        int length;
        long notBefore;
        long order;
        long due;

        @Override
        public int compareTo(Waiting o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** One direction: what is done to it, its decisions, its rate limit, its counters. */
    private static final class Flow {
        final Direction direction;
        final AtomicLongArray counts = new AtomicLongArray(C_COUNT);
        final ArrayDeque<Waiting> held = new ArrayDeque<>();
        FlowImpairments config = FlowImpairments.NONE;
        Impairer impairer;
        int waiting;
        double tokens;
        long refilled;

        Flow(Direction direction) {
            this.direction = direction;
        }

        void count(int counter, long n) {
            counts.lazySet(counter, counts.get(counter) + n);
        }

        void apply(FlowImpairments config, long now) {
            this.config = config;
            Impairments i = config.impairments();
            impairer = i.isOn() ? new Impairer(i, direction.ordinal()) : null;
            tokens = config.rate();
            refilled = now;
        }

        /** @return whether the rate limit lets one more datagram through now. */
        boolean take(long now) {
            double rate = config.rate();
            tokens = Math.min(rate, tokens + (now - refilled) * rate / 1e9);
            refilled = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        FlowStats stats() {
            long[] impaired = new long[Impairment.values().length];
            for (int i = 0; i < impaired.length; i++) {
                impaired[i] = counts.get(C_IMPAIRED + i);
            }
            return new FlowStats(counts.get(C_RECEIVED), counts.get(C_FORWARDED), counts.get(C_BYTES),
                    counts.get(C_RATE_LIMITED), counts.get(C_BLACKHOLED), counts.get(C_ERRORS), impaired);
        }
    }

    /**
     * @param listeners      bound, non-blocking listening sockets, registered with {@code selector} for reading.
     * @param upstream       where to forward, resolved.
     * @param family         the upstream's protocol family.
     * @param impairments    what to do, until {@link #impairments(ProxyImpairments)} says otherwise.
     * @param sessionTimeout nanoseconds without a datagram after which a session is closed.
     * @param maxSessions    sessions open at most.
     * @param selector       where every socket is registered.
     * @param notices        where refused sends are reported, at most once a second; called on this thread, so it
     *                       must not block (UdpProxy hands them to a thread of their own).
     */
    ProxyLoop(List<DatagramChannel> listeners, InetSocketAddress upstream, ProtocolFamily family,
              ProxyImpairments impairments, long sessionTimeout, int maxSessions, Selector selector,
              Consumer<String> notices) {
        this.listeners = listeners;
        this.upstream = upstream;
        this.family = family;
        this.impairments = impairments;
        this.sessionTimeoutNanos = sessionTimeout;
        this.housekeepingNanos = Math.max(1_000_000L, Math.min(100_000_000L, sessionTimeout / 4));
        this.maxSessions = maxSessions;
        this.selector = selector;
        this.notices = notices;
    }

    /** @param next what to do from the next datagram on. Any thread. */
    void impairments(ProxyImpairments next) {
        impairments = next;
    }

    /** @return what is done now. */
    ProxyImpairments impairments() {
        return impairments;
    }

    /** Ends {@link #run} soon. Any thread. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    /** @return times the storage of waiting datagrams may have grown so far; any thread. */
    int growths() {
        return growths;
    }

    /** @return the counts so far. Any thread. */
    ProxyStats stats() {
        return new ProxyStats(up.stats(), down.stats(), (int) sessionCounts.get(S_OPEN),
                sessionCounts.get(S_OPENED), sessionCounts.get(S_EXPIRED), sessionCounts.get(S_EVICTED),
                sessionCounts.get(S_ERRORS));
    }

    @Override
    public void run() {
        try {
            while (running) {
                long now = System.nanoTime();
                sendDue(now);
                if (now - nextHousekeeping >= 0) {
                    expire(now);
                    nextHousekeeping = now + housekeepingNanos;
                }
                long until = nextHousekeeping;
                Waiting next = waiting.peek();
                if (next != null && next.due - until < 0) {
                    until = next.due;
                }
                long wait = until - System.nanoTime();
                if (wait <= 0) {
                    selector.selectNow(onKey);
                } else {
                    selector.select(onKey, Math.max(1, (wait + 999_999) / 1_000_000));
                }
            }
        } catch (IOException e) {
            notices.accept("Proxy stopped: " + e.getMessage());
        } finally {
            while (eldest != null) {
                close(remove(eldest));
            }
            sessionCounts.lazySet(S_OPEN, 0);
        }
    }

    private void onKey(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        Object attachment = key.attachment();
        if (attachment instanceof Session) {
            fromUpstream((Session) attachment);
        } else {
            fromClients((DatagramChannel) key.channel());
        }
    }

    private void fromClients(DatagramChannel listener) {
        for (int i = 0; i < BURST; i++) {
            buffer.clear();
            SocketAddress client;
            try {
                client = listener.receive(buffer);
            } catch (IOException e) {
                down.count(C_ERRORS, 1);
                notice("receive refused: " + e.getMessage());
                continue;
            }
            if (client == null) {
                return;
            }
            buffer.flip();
            long now = System.nanoTime();
            up.count(C_RECEIVED, 1);
            Session session = session(client, listener, now);
            if (session == null) {
                continue;
            }
            session.lastActive = now;
            session.listener = listener;
            forward(up, session, now);
        }
    }

    private void fromUpstream(Session session) {
        for (int i = 0; i < BURST && !session.closed; i++) {
            buffer.clear();
            try {
                if (session.channel.receive(buffer) == null) {
                    return;
                }
            } catch (PortUnreachableException e) {
                up.count(C_ERRORS, 1); // an earlier datagram was refused by the upstream
                notice("the upstream " + upstream + " refused a datagram (port unreachable)");
                continue;
            } catch (IOException e) {
                up.count(C_ERRORS, 1);
                notice("the upstream " + upstream + ": " + e.getMessage());
                continue;
            }
            buffer.flip();
            long now = System.nanoTime();
            down.count(C_RECEIVED, 1);
            session.lastActive = now;
            touch(session);
            forward(down, session, now);
        }
    }

    /** Impairs and forwards the datagram in {@link #buffer}. */
    private void forward(Flow flow, Session session, long now) {
        ProxyImpairments current = impairments;
        if (current != applied) {
            applied = current;
            up.apply(current.up(), now);
            down.apply(current.down(), now);
        }
        FlowImpairments config = flow.config;
        if (config.blackhole()) {
            flow.count(C_BLACKHOLED, 1);
            return;
        }
        if (config.rate() > 0 && !flow.take(now)) {
            flow.count(C_RATE_LIMITED, 1);
            return;
        }
        Impairer impairer = flow.impairer;
        if (impairer == null) {
            send(flow, session, buffer);
            return;
        }
        int actions = impairer.decide();
        if (actions == Impairer.LOSE) {
            flow.count(C_IMPAIRED + Impairment.LOST.ordinal(), 1);
            return;
        }
        int length = buffer.remaining();
        if ((actions & Impairer.CORRUPT) != 0 && length > 0) {
            int at = impairer.corruptIndex(length);
            buffer.put(at, (byte) (buffer.get(at) ^ impairer.corruptMask()));
            flow.count(C_IMPAIRED + Impairment.CORRUPTED.ordinal(), 1);
        }
        if ((actions & Impairer.TRUNCATE) != 0 && length > 0) {
            length = impairer.truncatedLength(length);
            buffer.limit(length);
            flow.count(C_IMPAIRED + Impairment.TRUNCATED.ordinal(), 1);
        }
        int copies = 1;
        if ((actions & Impairer.DUPLICATE) != 0) {
            copies = 2;
            flow.count(C_IMPAIRED + Impairment.DUPLICATED.ordinal(), 1);
        }
        boolean delay = (actions & Impairer.DELAY) != 0;
        boolean reorder = (actions & Impairer.REORDER) != 0;
        if (!delay && !reorder) {
            for (int c = 0; c < copies; c++) {
                buffer.position(0);
                send(flow, session, buffer);
            }
            releaseHeld(flow, now);
            return;
        }
        if (flow.waiting + copies > config.impairments().maxDelayed()) {
            flow.count(C_IMPAIRED + Impairment.OVERFLOWED.ordinal(), 1);
            return;
        }
        long notBefore = delay ? now + impairer.delayNanos() : now;
        long due = reorder ? Math.max(notBefore, now + HOLD_LIMIT_NANOS) : notBefore;
        if (!reorder) {
            releaseHeld(flow, due);
        }
        for (int c = 0; c < copies; c++) {
            Waiting w = spare.poll();
            if (w == null) {
                growths++; // before, so that a reader of both never misses it; this thread is the only writer
                w = new Waiting();
            }
            if (w.data.length < length) {
                growths++;
                w.data = new byte[length];
            }
            buffer.get(0, w.data, 0, length);
            w.length = length;
            w.flow = flow;
            w.session = session;
            w.notBefore = notBefore;
            w.due = due;
            w.order = order++;
            if (waiting.size() + 1 > mostWaiting) {
                mostWaiting = waiting.size() + 1;
                growths++;
            }
            waiting.add(w);
            flow.waiting++;
            if (reorder) {
                if (flow.held.size() + 1 > mostHeld) {
                    mostHeld = flow.held.size() + 1;
                    growths++;
                }
                flow.held.add(w);
            }
        }
        if (delay) {
            flow.count(C_IMPAIRED + Impairment.DELAYED.ordinal(), 1);
        }
        if (reorder) {
            flow.count(C_IMPAIRED + Impairment.REORDERED.ordinal(), 1);
        }
    }

    /** Datagrams held back for the next one of their direction go just after it, which goes at {@code after}. */
    private void releaseHeld(Flow flow, long after) {
        Waiting w;
        while ((w = flow.held.poll()) != null) {
            if (waiting.remove(w)) {
                w.due = Math.max(w.notBefore, after + AFTER_NANOS);
                waiting.add(w);
            }
        }
    }

    private void sendDue(long now) {
        Waiting w;
        while ((w = waiting.peek()) != null && w.due - now <= 0) {
            waiting.poll();
            w.flow.waiting--;
            w.flow.held.remove(w);
            sendBuffer.clear();
            sendBuffer.put(w.data, 0, w.length).flip();
            send(w.flow, w.session, sendBuffer);
            w.flow = null;
            w.session = null;
            if (spare.size() + 1 > mostSpare) {
                mostSpare = spare.size() + 1;
                growths++;
            }
            spare.add(w);
        }
    }

    private void send(Flow flow, Session session, ByteBuffer datagram) {
        int length = datagram.remaining();
        try {
            int sent = flow.direction == Direction.UP ? session.channel.write(datagram)
                    : session.listener.send(datagram, session.client);
            if (sent < length || (length == 0 && datagram.hasRemaining())) {
                flow.count(C_ERRORS, 1); // the socket's buffer was full
                return;
            }
            flow.count(C_FORWARDED, 1);
            flow.count(C_BYTES, length);
        } catch (PortUnreachableException e) {
            flow.count(C_ERRORS, 1);
            notice("the upstream " + upstream + " refused a datagram (port unreachable)");
        } catch (IOException e) {
            flow.count(C_ERRORS, 1); // a session closed meanwhile, or a route refused
            notice("send " + flow.direction.label() + " refused: " + e.getMessage());
        }
    }

    /** @return the client's session, opened if it has none; null if none can be opened. */
    private Session session(SocketAddress client, DatagramChannel listener, long now) {
        Session s = sessions.get(client);
        if (s != null) {
            touch(s);
            return s;
        }
        if (sessions.size() >= maxSessions) {
            evictOne();
        }
        for (int attempt = 0; ; attempt++) {
            DatagramChannel channel = null;
            try {
                channel = DatagramChannel.open(family);
                channel.configureBlocking(false);
                channel.connect(upstream);
                s = new Session(client, channel, listener);
                channel.register(selector, SelectionKey.OP_READ, s);
                s.lastActive = now;
                sessions.put(client, s);
                link(s);
                sessionCounts.lazySet(S_OPENED, sessionCounts.get(S_OPENED) + 1);
                sessionCounts.lazySet(S_OPEN, sessions.size());
                return s;
            } catch (IOException e) {
                closeQuietly(channel);
                if (attempt == 0 && !sessions.isEmpty()) {
                    evictOne(); // e.g. out of file descriptors: make room and try once more
                    continue;
                }
                sessionCounts.lazySet(S_ERRORS, sessionCounts.get(S_ERRORS) + 1);
                notice("cannot open a session for " + client + ": " + e.getMessage());
                return null;
            }
        }
    }

    private void evictOne() {
        if (eldest != null) {
            close(remove(eldest));
            sessionCounts.lazySet(S_EVICTED, sessionCounts.get(S_EVICTED) + 1);
            sessionCounts.lazySet(S_OPEN, sessions.size());
        }
    }

    private void expire(long now) {
        // In least-recently-used order: the first that is not expired is younger than all the rest.
        while (eldest != null && now - eldest.lastActive >= sessionTimeoutNanos) {
            close(remove(eldest));
            sessionCounts.lazySet(S_EXPIRED, sessionCounts.get(S_EXPIRED) + 1);
        }
        sessionCounts.lazySet(S_OPEN, sessions.size());
    }

    /** Makes {@code s} the most recently used. */
    private void touch(Session s) {
        if (s != youngest) {
            unlink(s);
            link(s);
        }
    }

    private void link(Session s) {
        s.older = youngest;
        s.younger = null;
        if (youngest != null) {
            youngest.younger = s;
        } else {
            eldest = s;
        }
        youngest = s;
    }

    private void unlink(Session s) {
        if (s.older != null) {
            s.older.younger = s.younger;
        } else {
            eldest = s.younger;
        }
        if (s.younger != null) {
            s.younger.older = s.older;
        } else {
            youngest = s.older;
        }
        s.older = null;
        s.younger = null;
    }

    private Session remove(Session s) {
        sessions.remove(s.client);
        unlink(s);
        return s;
    }

    private static void close(Session s) {
        s.closed = true;
        closeQuietly(s.channel);
    }

    private static void closeQuietly(DatagramChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a UDP socket fails for no reason worth reporting
            }
        }
    }

    private void notice(String what) {
        long now = System.nanoTime();
        if (lastNotice != 0 && now - lastNotice < 1_000_000_000L) {
            return;
        }
        lastNotice = now;
        notices.accept(what);
    }
}
