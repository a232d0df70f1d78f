package dev.udpecho.server;

import dev.udpecho.nativeio.DatagramRing;
import dev.udpecho.nativeio.NativeIoException;
import dev.udpecho.nativeio.NativeSocket;
import dev.udpecho.net.DatagramLimits;
import dev.udpecho.net.ProcNetUdp;
import dev.udpecho.protocol.Protocol;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server on udpecho's native transport: per socket, a blocking socket, a {@link DatagramRing} and a thread
 * running a {@link NativeWorker}. Wildcard sockets report each datagram's destination address, and replies
 * leave from it.
 *
 * <p>Asking the kernel for a reply's source address costs about a tenth of the CPU time per reply (a control
 * message to copy in and a local-address lookup per datagram; see docs/BENCHMARKS.md). So a wildcard binding
 * also gets sockets bound to each address the host has when the server starts: the kernel delivers a datagram
 * to the most specific socket, and a reply from a socket bound to one address leaves from that address with
 * no control message. The wildcard sockets still receive what is sent to addresses that come later.
 */
final class NativeEngine implements Engine {
    /** Datagrams per system call, as in common recvmmsg servers. */
    static final int BATCH = 64;
    /** How often an idle worker looks up to see whether it should stop. */
    private static final int RECEIVE_TIMEOUT_MS = 100;
    /**
     * How long a reply that waited (delayed, held back) may wait for room in a full send buffer before it is given
     * up and counted. Replies from the ring never wait (NativeWorker).
     */
    private static final int SEND_TIMEOUT_MS = 100;

    private final ServerConfig config;
    private final Responders responders;
    private final List<NativeSocket> sockets = new ArrayList<>();
    private final List<InetAddress> locals = new ArrayList<>();
    /** Sockets 0 to this - 1 are bound to the addresses asked for; the rest, to each of the host's addresses. */
    private final int requestedSockets;
    private final boolean sharesPort;
    /** One per socket, in socket order. */
    private final List<ServerCounters> counters = new ArrayList<>();
    private final List<NativeWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<DatagramRing> rings = new ArrayList<>();
    private int receiveBufferGranted = Integer.MAX_VALUE;
    private volatile boolean closed;
    /** The kernel's count as the sockets closed, for summaries made after. */
    private volatile long dropsAtClose = -1;

    NativeEngine(ServerConfig config, List<InetAddress> addresses, Responders responders) throws NativeIoException {
        this.config = config;
        this.responders = responders;
        this.sharesPort = config.workers() > 1 || addresses.stream().anyMatch(InetAddress::isAnyLocalAddress);
        try {
            for (InetAddress address : addresses) {
                for (int w = 0; w < config.workers(); w++) {
                    sockets.add(open(address));
                    locals.add(address);
                    counters.add(new ServerCounters());
                }
            }
        } catch (NativeIoException | RuntimeException e) {
            close();
            throw e;
        }
        requestedSockets = sockets.size();
    }

    /** Several workers, or a wildcard and the host's addresses under it: they share the port by SO_REUSEPORT. */
    @Override
    public boolean sharesPort() {
        return sharesPort;
    }

    private NativeSocket open(InetAddress address) throws NativeIoException {
        boolean ipv6 = address instanceof Inet6Address;
        NativeSocket socket = NativeSocket.open(ipv6);
        try {
            if (ipv6 && address.isAnyLocalAddress()) {
                socket.v6Only(false);
            }
            if (address.isAnyLocalAddress()) {
                socket.packetInfo(true);
            }
            if (sharesPort) {
                socket.reusePort(true);
            }
            socket.segmentation(SEGMENTATION);
            if (GRO && config.protocol() == Protocol.ECHO) {
                socket.gro(true); // the ring's slots hold 64 KiB, a merged run's most
            }
            if (config.protocol() == Protocol.STAMP) {
                socket.hopInfo(true); // the reflector returns the sender's TTL, and the TOS in Class of Service
            }
            // Linux reports twice what it grants, keeping the other half for its own bookkeeping.
            receiveBufferGranted = Math.min(receiveBufferGranted, socket.receiveBuffer(config.receiveBufferBytes()) / 2);
            socket.receiveTimeout(RECEIVE_TIMEOUT_MS);
            socket.sendTimeout(SEND_TIMEOUT_MS);
            return socket;
        } catch (NativeIoException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public List<InetSocketAddress> bind(int port) throws BindFailedException {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            InetAddress local = locals.get(i);
            try {
                sockets.get(i).bind(local, port);
                port = sockets.get(i).localPort();
            } catch (NativeIoException e) {
                close();
                throw new BindFailedException(new InetSocketAddress(local, port), e);
            }
            bound.add(new InetSocketAddress(local, port));
        }
        bindHostAddresses(port);
        start();
        return bound;
    }

    /**
     * Binds sockets to each of the host's addresses under the wildcard ones, on the same port. An address that
     * cannot be bound (gone since it was listed) is left to the wildcard sockets, which serve it as before.
     */
    private void bindHostAddresses(int port) {
        for (InetAddress address : HostAddresses.under(locals.subList(0, requestedSockets))) {
            for (int w = 0; w < config.workers(); w++) {
                NativeSocket socket = null;
                try {
                    socket = open(address);
                    socket.bind(address, port);
                } catch (NativeIoException | RuntimeException e) {
                    if (socket != null) {
                        socket.close();
                    }
                    break;
                }
                sockets.add(socket);
                locals.add(address);
                counters.add(new ServerCounters());
            }
        }
    }

    private void start() {
        byte[] prefix = config.prefix();
        for (int i = 0; i < sockets.size(); i++) {
            NativeSocket socket = sockets.get(i);
            InetAddress local = locals.get(i);
            int maxPayload = socket.isIpv6() ? DatagramLimits.MAX_IPV6_PAYLOAD : DatagramLimits.MAX_IPV4_PAYLOAD;
            DatagramRing ring = new DatagramRing(BATCH, maxPayload, prefix, socket.isIpv6(), local.isAnyLocalAddress());
            rings.add(ring);
            boolean firstOfGroup = i == 0 || !local.equals(locals.get(i - 1));
            NativeWorker worker = new NativeWorker(socket, ring,
                    responders.make(i, counters.get(i), sender(socket), local.isAnyLocalAddress(), firstOfGroup));
            workers.add(worker);
            Thread thread = new Thread(worker, "udpecho-worker-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** @return a sender for replies that waited: a buffer of its own, used by the one thread that sends them. */
    private static DatagramSender sender(NativeSocket socket) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DatagramLimits.RECEIVE_BUFFER_SIZE);
        return (datagram, to, from) -> {
            buffer.clear().put(datagram);
            socket.sendTo(buffer, datagram.length, to, from);
        };
    }

    @Override
    public List<ServerCounters> counters() {
        List<ServerCounters> all = new ArrayList<>(counters);
        all.addAll(responders.senderCounters());
        return all;
    }

    @Override
    public int receiveBufferGranted() {
        return receiveBufferGranted;
    }

    @Override
    public long kernelDrops() {
        return closed ? dropsAtClose : socketDrops();
    }

    /**
     * Asked of each socket when wanted, not carried by every datagram (SO_RXQ_OVFL): a control message per
     * datagram costs every reply more than this costs a summary or a scrape. /proc/net/udp where the kernel
     * does not say.
     */
    private long socketDrops() {
        long total = 0;
        for (NativeSocket s : sockets) {
            long drops = s.isClosed() ? -1 : s.kernelDrops();
            if (drops < 0) {
                try {
                    return sockets.isEmpty() ? -1 : ProcNetUdp.drops(sockets.get(0).localPort());
                } catch (NativeIoException | IllegalStateException e) {
                    return -1;
                }
            }
            total += drops;
        }
        return total;
    }

    @Override
    public boolean isServing() {
        if (closed || threads.isEmpty()) {
            return false;
        }
        for (Thread t : threads) {
            if (!t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        dropsAtClose = socketDrops();
        closed = true;
        for (NativeWorker w : workers) {
            w.stop();
        }
        for (NativeSocket s : sockets) {
            s.shutdown();
        }
        responders.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Even under a worker that did not stop in time: a call it is in holds the descriptor and the ring until
        // it returns, so the port is freed then, and its next call ends it.
        for (int i = 0; i < sockets.size(); i++) {
            sockets.get(i).close();
            if (i < rings.size()) {
                rings.get(i).close();
            }
        }
    }
}
