package dev.udpecho.nativeio;

import dev.udpecho.net.PeerAddress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Every misuse of {@link DatagramRing} and {@link NativeSocket} a caller could make, and calls racing
 * {@code close()} from several threads: each must end in a Java exception, none may crash the JVM. Run in a JVM
 * of its own by {@link NativeBoundaryIT}, which reads the last line: it is printed only if this JVM survived and
 * every call behaved.
 *
 * <p>Single-threaded but for {@link #raceClose}, whose threads it starts and joins.
 */
public final class NativeMisuse {
    private static final InetAddress LOOPBACK = address("127.0.0.1");
    private int refused;

    private NativeMisuse() {
    }

    public static void main(String[] args) throws Exception {
        NativeLibrary.ensureAvailable();
        NativeMisuse m = new NativeMisuse();
        m.ringConstruction();
        m.ringSlotsAndLengths();
        m.ringAfterClose();
        m.socketArguments();
        m.socketAfterClose();
        m.closeWakesAReceiveAndTheDescriptorIsNotReused();
        int rounds = m.raceClose(TimeUnit.SECONDS.toNanos(3), 400);
        int cleaned = m.forgottenSocketsAreClosed();
        System.out.println("alive: refused " + m.refused + " misuses, raced close in " + rounds + " rounds, "
                + "cleaner closed " + cleaned + " forgotten sockets");
    }

    private void ringConstruction() {
        byte[] none = new byte[0];
        for (int capacity : new int[] {0, -1, DatagramRing.MAX_CAPACITY + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            expect(IllegalArgumentException.class, "capacity " + capacity,
                    () -> new DatagramRing(capacity, 100, none, false, false));
        }
        for (int maxPayload : new int[] {-1, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            expect(IllegalArgumentException.class, "maxPayload " + maxPayload,
                    () -> new DatagramRing(4, maxPayload, none, false, false));
        }
        expect(NullPointerException.class, "null prefix", () -> new DatagramRing(4, 100, null, false, false));
        expect(IllegalArgumentException.class, "prefix of 70000", () -> new DatagramRing(4, 100, new byte[70_000], false, false));
        // The largest ring there is: it is made, and freed.
        new DatagramRing(DatagramRing.MAX_CAPACITY, 65535, new byte[65535], true, true).close();
    }

    private void ringSlotsAndLengths() throws Exception {
        try (NativeSocket socket = NativeSocket.open(false);
             DatagramRing ring = new DatagramRing(4, 100, "OK..".getBytes(), false, false)) {
            socket.bind(LOOPBACK, 0);
            PeerAddress peer = new PeerAddress();
            for (int slot : new int[] {-1, 4, 5, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                String s = "slot " + slot;
                expect(IndexOutOfBoundsException.class, "reply " + s, () -> ring.reply(slot, 1));
                expect(IndexOutOfBoundsException.class, "replyBytes " + s, () -> ring.replyBytes(slot, 1));
                expect(IndexOutOfBoundsException.class, "source " + s, () -> ring.source(slot, peer));
                expect(IndexOutOfBoundsException.class, "destination " + s, () -> ring.destination(slot, peer));
                expect(IndexOutOfBoundsException.class, "payload " + s, () -> ring.payload(slot));
                expect(IndexOutOfBoundsException.class, "slot " + s, () -> ring.slot(slot));
                expect(IndexOutOfBoundsException.class, "length " + s, () -> ring.length(slot));
                expect(IndexOutOfBoundsException.class, "truncated " + s, () -> ring.truncated(slot));
                expect(IndexOutOfBoundsException.class, "copyReply " + s, () -> ring.copyReply(slot, 1));
            }
            int slotSize = ring.slot(0).capacity() + 4;
            for (int length : new int[] {-1, slotSize + 1, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                String l = "length " + length;
                expect(IllegalArgumentException.class, "replyBytes " + l, () -> ring.replyBytes(0, length));
                expect(IllegalArgumentException.class, "copyReply " + l, () -> ring.copyReply(3, length));
                expect(IllegalArgumentException.class, "reply " + l, () -> ring.reply(3, length == -1 ? -1 : length - 3));
            }
            expect(NullPointerException.class, "source into null", () -> ring.source(0, null));
            expect(NullPointerException.class, "destination into null", () -> ring.destination(0, null));
            expect(NullPointerException.class, "receive on null", () -> ring.receive(null));
            expect(NullPointerException.class, "receiveQueued on null", () -> ring.receiveQueued(null));
            expect(NullPointerException.class, "send on null", () -> ring.send(null));
            check(ring.copyReply(3, slotSize).length == slotSize, "the last slot, whole");
            check(ring.slot(3).capacity() == slotSize - 4, "a slot's payload area");
            for (int i = 0; i < 8; i++) {
                ring.reply(i % 4, 1);
            }
            expect(IllegalStateException.class, "a ninth reply", () -> ring.reply(0, 1));
            // Slots never received into name no one, and the socket is not connected: refused, not a crash.
            check(ring.sendNow(socket) == 0 && ring.lastSendError() != 0, "replies to no one are refused");
            check(ring.send(socket) == 0 && ring.queuedReplies() == 0, "nothing queued");
        }
    }

    private void ringAfterClose() throws Exception {
        try (NativeSocket socket = NativeSocket.open(false)) {
            socket.bind(LOOPBACK, 0);
            DatagramRing ring = new DatagramRing(4, 100, "OK..".getBytes(), false, false);
            ByteBuffer held = ring.slot(2);
            held.put(0, (byte) 7);
            ring.reply(0, 1);
            ring.close();
            ring.close();
            check(ring.isClosed(), "closed");
            PeerAddress peer = new PeerAddress();
            expect(IllegalStateException.class, "receive", () -> ring.receive(socket));
            expect(IllegalStateException.class, "receiveQueued", () -> ring.receiveQueued(socket));
            expect(IllegalStateException.class, "receivedAt", () -> ring.receivedAt(0));
            expect(IllegalStateException.class, "send", () -> ring.send(socket));
            expect(IllegalStateException.class, "sendNow", () -> ring.sendNow(socket));
            expect(IllegalStateException.class, "reply", () -> ring.reply(0, 1));
            expect(IllegalStateException.class, "replyBytes", () -> ring.replyBytes(0, 1));
            expect(IllegalStateException.class, "source", () -> ring.source(0, peer));
            expect(IllegalStateException.class, "destination", () -> ring.destination(0, peer));
            expect(IllegalStateException.class, "payload", () -> ring.payload(0));
            expect(IllegalStateException.class, "slot", () -> ring.slot(0));
            expect(IllegalStateException.class, "length", () -> ring.length(0));
            expect(IllegalStateException.class, "truncated", () -> ring.truncated(0));
            expect(IllegalStateException.class, "copyReply", () -> ring.copyReply(0, 1));
            // A buffer kept from before the close reads the zeros of a page given back, and writing it is harmless.
            check(held.get(0) == 0, "a kept payload buffer reads zeros");
            held.put(0, (byte) 1);
        }
        try (DatagramRing ring = new DatagramRing(4, 100, new byte[0], false, false)) {
            NativeSocket socket = NativeSocket.open(false);
            socket.close();
            expect(IllegalStateException.class, "receive on a closed socket", () -> ring.receive(socket));
            expect(IllegalStateException.class, "receiveQueued on a closed socket", () -> ring.receiveQueued(socket));
            expect(IllegalStateException.class, "receiveTimes on a closed socket", () -> socket.receiveTimes(true));
            ring.reply(0, 1);
            expect(IllegalStateException.class, "send on a closed socket", () -> ring.send(socket));
        }
    }

    private void socketArguments() throws Exception {
        try (NativeSocket v4 = NativeSocket.open(false); NativeSocket v6 = NativeSocket.open(true)) {
            InetAddress ipv6 = address("::1");
            expect(NullPointerException.class, "bind null", () -> v4.bind(null, 0));
            expect(IllegalArgumentException.class, "bind an IPv6 address on IPv4", () -> v4.bind(ipv6, 0));
            for (int port : new int[] {-1, 65536, Integer.MIN_VALUE}) {
                expect(IllegalArgumentException.class, "bind port " + port, () -> v4.bind(LOOPBACK, port));
                expect(IllegalArgumentException.class, "connect port " + port, () -> v4.connect(LOOPBACK, port));
            }
            expect(NativeIoException.class, "bind an address not here", () -> v4.bind(address("192.0.2.1"), 0));
            expect(NullPointerException.class, "connect null", () -> v4.connect(null, 1));
            expect(IllegalArgumentException.class, "connect IPv4 to IPv6", () -> v4.connect(ipv6, 1));
            v4.bind(LOOPBACK, 0);
            expect(NativeIoException.class, "bind twice", () -> v4.bind(LOOPBACK, 0));
            check(v4.localPort() > 0, "bound");
            check(v6.localPort() == 0, "not bound");
            expect(NativeIoException.class, "v6Only on IPv4", () -> v4.v6Only(true));
            expect(IllegalArgumentException.class, "receiveBuffer -1", () -> v4.receiveBuffer(-1));
            expect(IllegalArgumentException.class, "sendBuffer -1", () -> v4.sendBuffer(-1));
            expect(IllegalArgumentException.class, "receiveTimeout -1", () -> v4.receiveTimeout(-1));
            expect(IllegalArgumentException.class, "sendTimeout MIN", () -> v4.sendTimeout(Integer.MIN_VALUE));
            v4.receiveTimeout(Integer.MAX_VALUE);
            check(v4.receiveBuffer(Integer.MAX_VALUE) > 0, "a huge buffer is capped, not refused");

            ByteBuffer direct = ByteBuffer.allocateDirect(100);
            PeerAddress to = new PeerAddress().set(new InetSocketAddress(LOOPBACK, v4.localPort()));
            PeerAddress to6 = new PeerAddress().set(new InetSocketAddress(ipv6, 7));
            PeerAddress noPort = new PeerAddress().set(new InetSocketAddress(LOOPBACK, 0));
            expect(NullPointerException.class, "sendTo null data", () -> v4.sendTo(null, 1, to, null));
            expect(NullPointerException.class, "sendTo null address", () -> v4.sendTo(direct, 1, null, null));
            expect(IllegalArgumentException.class, "sendTo a heap buffer", () -> v4.sendTo(ByteBuffer.allocate(10), 1, to, null));
            for (int length : new int[] {-1, 101, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                expect(IllegalArgumentException.class, "sendTo length " + length, () -> v4.sendTo(direct, length, to, null));
            }
            expect(IllegalArgumentException.class, "sendTo IPv6 on IPv4", () -> v4.sendTo(direct, 1, to6, null));
            expect(IllegalArgumentException.class, "sendTo from IPv6 on IPv4", () -> v4.sendTo(direct, 1, to, to6));
            expect(NativeIoException.class, "sendTo port 0", () -> v4.sendTo(direct, 1, noPort, null));
            expect(NativeIoException.class, "sendTo from an address not here",
                    () -> v4.sendTo(direct, 1, to, new PeerAddress().set(new InetSocketAddress(address("192.0.2.1"), 0))));
            expect(NativeIoException.class, "sendTo more than a datagram",
                    () -> v4.sendTo(ByteBuffer.allocateDirect(70_000), 70_000, to, null));
            v4.sendTo(direct, 100, to, null);
            v6.sendTo(direct, 0, to, to); // IPv4 on a dual-stack socket, from a given address
        }
    }

    private void socketAfterClose() throws Exception {
        NativeSocket socket = NativeSocket.open(true);
        socket.close();
        socket.close();
        socket.shutdown(); // nothing to wake: nothing happens
        check(socket.isClosed(), "closed");
        ByteBuffer direct = ByteBuffer.allocateDirect(10);
        PeerAddress to = new PeerAddress().set(new InetSocketAddress(LOOPBACK, 7));
        expect(IllegalStateException.class, "bind", () -> socket.bind(LOOPBACK, 0));
        expect(IllegalStateException.class, "connect", () -> socket.connect(LOOPBACK, 7));
        expect(IllegalStateException.class, "sendTo", () -> socket.sendTo(direct, 1, to, null));
        expect(IllegalStateException.class, "localPort", socket::localPort);
        expect(IllegalStateException.class, "reusePort", () -> socket.reusePort(true));
        expect(IllegalStateException.class, "v6Only", () -> socket.v6Only(true));
        expect(IllegalStateException.class, "packetInfo", () -> socket.packetInfo(true));
        expect(IllegalStateException.class, "kernelDrops", socket::kernelDrops);
        expect(IllegalStateException.class, "receiveBuffer", () -> socket.receiveBuffer(1000));
        expect(IllegalStateException.class, "sendBuffer", () -> socket.sendBuffer(1000));
        expect(IllegalStateException.class, "receiveTimeout", () -> socket.receiveTimeout(10));
        expect(IllegalStateException.class, "sendTimeout", () -> socket.sendTimeout(10));
    }

    /**
     * A receive blocked for 10 s, and close() from another thread: the receive is woken and returns, and only
     * then is the descriptor closed. Its number, given to the next socket, is then out of the old one's reach.
     */
    private void closeWakesAReceiveAndTheDescriptorIsNotReused() throws Exception {
        NativeSocket old = NativeSocket.open(false);
        DatagramRing ring = new DatagramRing(4, 100, new byte[0], false, false);
        old.receiveTimeout(10_000);
        old.bind(LOOPBACK, 0);
        long[] returned = new long[1];
        Throwable[] failure = new Throwable[1];
        Thread receiver = new Thread(() -> {
            try {
                returned[0] = ring.receive(old);
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        receiver.start();
        Thread.sleep(100); // most likely in recvmmsg by now; either way it must return at once
        long start = System.nanoTime();
        old.close();
        receiver.join(5_000);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        check(!receiver.isAlive() && millis < 2_000, "close woke the receive (" + millis + " ms)");
        check(failure[0] == null || failure[0] instanceof IllegalStateException, "the receive: " + failure[0]);
        expect(IllegalStateException.class, "receive after close", () -> ring.receive(old));
        try (NativeSocket next = NativeSocket.open(false)) { // most likely the old descriptor's number
            next.receiveTimeout(2_000);
            next.bind(LOOPBACK, 0);
            old.shutdown();
            old.close();
            expect(IllegalStateException.class, "a closed socket's options", () -> old.receiveTimeout(1));
            ByteBuffer datagram = ByteBuffer.allocateDirect(4);
            next.sendTo(datagram, 4, new PeerAddress().set(new InetSocketAddress(LOOPBACK, next.localPort())), null);
            check(ring.receive(next) == 1 && ring.length(0) == 4, "the new socket was left alone");
        }
        ring.close();
    }

    /**
     * Rounds of a socket and ring used by four threads at once (receive and reply, send, shut down and ask the
     * port, close both) until close wins. Calls may fail with the exceptions of a closed socket or ring, or of
     * the system; nothing else.
     *
     * @return how many rounds ran.
     */
    private int raceClose(long forNanos, int maxRounds) throws Exception {
        long deadline = System.nanoTime() + forNanos;
        int rounds = 0;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ByteBuffer datagram = ByteBuffer.allocateDirect(64);
        while (rounds < maxRounds && System.nanoTime() < deadline) {
            NativeSocket socket = NativeSocket.open(false);
            DatagramRing ring = new DatagramRing(8, 64, "OK".getBytes(), false, false);
            socket.receiveTimeout(5);
            socket.bind(LOOPBACK, 0);
            PeerAddress self = new PeerAddress().set(new InetSocketAddress(LOOPBACK, socket.localPort()));
            AtomicBoolean over = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            threads.add(loop(over, failures, () -> {
                int n = ring.receive(socket);
                PeerAddress source = new PeerAddress();
                for (int i = 0; i < n; i++) {
                    ring.source(i, source);
                    ring.reply(i, ring.payload(i).remaining());
                }
                ring.sendNow(socket);
            }));
            threads.add(loop(over, failures, () -> {
                socket.sendTo(datagram, 8, self, null);
                ring.replyBytes(1, 10);
                ring.send(socket);
            }));
            threads.add(loop(over, failures, () -> {
                socket.shutdown();
                socket.localPort();
                ring.copyReply(0, 10);
            }));
            threads.add(loop(over, failures, () -> {
                if (!over.get()) {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                }
                if (ThreadLocalRandom.current().nextBoolean()) {
                    socket.close();
                    ring.close();
                } else {
                    ring.close();
                    socket.close();
                }
                over.set(true);
            }));
            for (Thread t : threads) {
                t.start();
            }
            for (Thread t : threads) {
                t.join(10_000);
                check(!t.isAlive(), "a thread of round " + rounds + " still runs");
            }
            socket.close(); // again, by the main thread: harmless
            rounds++;
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " calls failed otherwise than expected");
            failures.stream().limit(5).forEach(e::addSuppressed);
            throw e;
        }
        return rounds;
    }

    /** Repeats a call until the round is over; it may throw what a closed socket or ring throws. */
    private static Thread loop(AtomicBoolean over, ConcurrentLinkedQueue<Throwable> failures, Call call) {
        return new Thread(() -> {
            int afterOver = 0;
            while (afterOver < 20) {
                if (over.get()) {
                    afterOver++; // a few calls after the close, which must all throw
                }
                try {
                    call.run();
                } catch (IllegalStateException | NativeIoException e) {
                    // closed, a reply too many, or the system's refusal
                } catch (Throwable t) {
                    failures.add(t);
                    return;
                }
            }
        });
    }

    /** @return how many sockets, opened and dropped unclosed, the cleaner closed. */
    private int forgottenSocketsAreClosed() throws Exception {
        int before = openDescriptors();
        for (int i = 0; i < 100; i++) {
            NativeSocket.open(false).bind(LOOPBACK, 0);
            new DatagramRing(4, 100, new byte[0], false, false).slot(0).put((byte) 1);
        }
        int opened = openDescriptors() - before;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (openDescriptors() > before + 5 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        int left = openDescriptors() - before;
        check(opened >= 100 && left <= 5, "forgotten sockets: " + opened + " opened, " + left + " still open");
        return opened - left;
    }

    private static int openDescriptors() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    private void expect(Class<? extends Throwable> type, String what, Call call) {
        try {
            call.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                if (t.getMessage() == null || t.getMessage().isBlank()) {
                    throw new AssertionError(what + ": " + t + " says nothing", t);
                }
                refused++;
                return;
            }
            throw new AssertionError(what + ": threw " + t + ", not " + type.getSimpleName(), t);
        }
        throw new AssertionError(what + ": no " + type.getSimpleName());
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }
}
