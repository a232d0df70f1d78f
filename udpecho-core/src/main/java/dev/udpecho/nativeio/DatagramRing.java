package dev.udpecho.nativeio;

import dev.udpecho.net.PeerAddress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A batch of datagram slots shared with the kernel: {@link #receive} fills slots 0 to n−1 with one
 * {@code recvmmsg} call, and {@link #send} sends the replies queued with {@link #reply} with one
 * {@code sendmmsg} call. Each slot starts with the reply prefix, written once; the kernel writes each
 * datagram right after it, so a reply is sent from the slot itself, without a copy.
 *
 * <p>On a socket with {@link NativeSocket#gro receive-side GRO}, a slot may hold several datagrams of one flow
 * that the kernel merged: {@link #datagrams} says how many, {@link #payload(int, int)} gives each, and
 * {@link #replyBytes(int, int, int)} answers each (the prefix, then that datagram's bytes, sent without a copy).
 *
 * <p>A client uses a ring without a prefix on a connected socket: it writes each datagram into a slot
 * ({@link #slot}), queues it with {@link #reply}, and sends the batch with {@link #send}; slots never received
 * into carry no address, so the socket's peer is used.
 *
 * <p>Everything is allocated once, here. One thread owns a ring; only {@link #close()} may be called from any
 * thread, at any time. Misuse cannot crash the JVM: a slot or length out of range, or any use after
 * {@code close()}, throws ({@link IndexOutOfBoundsException}, {@link IllegalArgumentException},
 * {@link IllegalStateException}); a ring used by two threads at once gives wrong results, never a crash. A
 * ring that is never closed is freed once it is unreachable.
 */
public final class DatagramRing implements AutoCloseable {
    // Descriptor layout: must match udpecho_native.c.
    private static final int D_LENGTH = 0;
    private static final int D_FLAGS = 4;
    private static final int D_PORT = 8;
    private static final int D_SCOPE = 12;
    private static final int D_FAMILY = 16;
    private static final int D_LOCAL_FAMILY = 20;
    private static final int D_TTL = 28;
    private static final int D_TOS = 29;
    private static final int D_SOURCE = 32;
    private static final int D_LOCAL = 48;
    private static final int D_RECEIVED = 64;
    private static final int D_SEGMENT = 72;
    private static final int D_SIZE = 80;
    private static final int F_TRUNCATED = 1;
    private static final int F_LOCAL = 2;
    private static final int F_TTL = 4;
    private static final int F_TOS = 8;
    private static final int F_RECEIVED = 16;
    private static final int F_MERGED = 32;
    /** {@link #receivedAt} of a datagram whose socket does not report receive times. */
    public static final long NO_TIME = Long.MIN_VALUE;
    private static final int S_SIZE = 12;
    /** Most datagrams per system call: the kernel's limit (UIO_MAXIOV); must match udpecho_native.c. */
    public static final int MAX_CAPACITY = 1024;
    /** Largest datagram, and largest prefix. */
    public static final int MAX_PAYLOAD = 65535;
    /** State: no new receive or send may start. */
    private static final int CLOSED = 1;
    /** State: one receive or send in progress; the state counts them in these units. */
    private static final int IN_CALL = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(DatagramRing.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final int slotSize;
    private final int prefixLength;
    private final ByteBuffer data;
    private final ByteBuffer descriptors;
    private final ByteBuffer sendList;
    private final ByteBuffer[] payloads;
    private final byte[] addressScratch = new byte[16];
    private final int[] sendResult = new int[2];
    private final long handle;
    /**
     * {@link #CLOSED}, plus {@link #IN_CALL} per receive or send in progress: the native half is freed by
     * whichever of close() and the last call in progress comes last, so never under a call, and once.
     */
    private volatile int state;
    /** Frees the native half and gives back the slots' pages: by close(), or once the ring is unreachable. */
    private final Cleaner.Cleanable release;
    private int replies;

    /**
     * @param capacity             datagrams per batch.
     * @param maxPayload           the largest datagram to receive whole.
     * @param prefix               bytes put before each reply.
     * @param ipv6Socket           whether the socket is IPv6.
     * @param replyFromDestination send each reply from the local address its request was sent to (needs
     *                             {@link NativeSocket#packetInfo} on the socket).
     */
    public DatagramRing(int capacity, int maxPayload, byte[] prefix, boolean ipv6Socket, boolean replyFromDestination) {
        NativeLibrary.ensureAvailable();
        Objects.requireNonNull(prefix, "prefix");
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity " + capacity + " is not 1 to " + MAX_CAPACITY);
        }
        if (maxPayload < 0 || maxPayload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload " + maxPayload + " is not 0 to " + MAX_PAYLOAD);
        }
        if (prefix.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a prefix of " + prefix.length + " bytes is longer than " + MAX_PAYLOAD);
        }
        this.capacity = capacity;
        this.prefixLength = prefix.length;
        // One spare byte: a datagram that fills it was longer than maxPayload and is reported truncated.
        this.slotSize = align(prefix.length + maxPayload + 1, 64);
        // Mapped, not allocateDirect: untouched pages cost nothing, so idle sockets' rings stay small.
        long size = (long) capacity * slotSize;
        ByteBuffer mapped = map0(size);
        if (mapped == null) {
            throw new OutOfMemoryError("native ring of " + capacity + " slots of " + slotSize + " bytes");
        }
        long address = address0(mapped);
        // Payload buffers handed out keep the mapping reachable, so it is unmapped only when none is left.
        NativeLibrary.cleaner().register(mapped, () -> unmap0(address, size));
        this.data = mapped.order(ByteOrder.nativeOrder());
        this.descriptors = ByteBuffer.allocateDirect(capacity * D_SIZE).order(ByteOrder.nativeOrder());
        this.sendList = ByteBuffer.allocateDirect(2 * capacity * S_SIZE).order(ByteOrder.nativeOrder());
        this.payloads = new ByteBuffer[capacity];
        for (int i = 0; i < capacity; i++) {
            data.put(i * slotSize, prefix);
            ByteBuffer payload = data.duplicate();
            payload.position(i * slotSize + prefixLength).limit((i + 1) * slotSize);
            payloads[i] = payload.slice().order(ByteOrder.nativeOrder());
        }
        this.handle = create0(data, descriptors, sendList, capacity, slotSize, prefixLength, ipv6Socket,
                replyFromDestination);
        if (handle == 0) {
            discard0(address, size);
            throw new OutOfMemoryError("native ring of " + capacity + " slots");
        }
        long ring = handle;
        this.release = NativeLibrary.cleaner().register(this, () -> {
            free0(ring);
            discard0(address, size);
        });
    }

    /** @return how many datagrams a batch holds. */
    public int capacity() {
        return capacity;
    }

    /**
     * Waits for datagrams (up to the socket's receive timeout) and takes every one queued, up to the capacity.
     *
     * @param socket where to receive.
     * @return how many slots were filled, from 0; 0 if none came in time or the socket was shut down.
     * @throws NativeIoException on a socket error.
     */
    public int receive(NativeSocket socket) throws NativeIoException {
        return receive(socket, true);
    }

    /**
     * Takes every datagram queued, up to the capacity, without waiting.
     *
     * @param socket where to receive.
     * @return how many slots were filled, from 0; 0 if none was queued.
     * @throws NativeIoException on a socket error.
     */
    public int receiveQueued(NativeSocket socket) throws NativeIoException {
        return receive(socket, false);
    }

    private int receive(NativeSocket socket, boolean wait) throws NativeIoException {
        Objects.requireNonNull(socket, "socket");
        int fd = socket.acquire();
        try {
            acquire();
            try {
                replies = 0;
                return NativeSocket.check(receive0(fd, handle, capacity, wait));
            } finally {
                release();
            }
        } finally {
            socket.release();
        }
    }

    /** @param slot a filled slot. @return its datagram's payload size. */
    public int length(int slot) {
        return descriptors.getInt(descriptor(slot) + D_LENGTH);
    }

    /** @param slot a filled slot. @return whether its datagram was longer than the slot (and was cut). */
    public boolean truncated(int slot) {
        return (descriptors.getInt(descriptor(slot) + D_FLAGS) & F_TRUNCATED) != 0;
    }

    /**
     * @param slot a filled slot.
     * @param into where to write the datagram's source address and port.
     */
    public void source(int slot, PeerAddress into) {
        Objects.requireNonNull(into, "into");
        int at = descriptor(slot);
        int length = descriptors.getInt(at + D_FAMILY) == 4 ? 4 : 16;
        descriptors.get(at + D_SOURCE, addressScratch, 0, length);
        into.set(addressScratch, 0, length, descriptors.getInt(at + D_PORT), descriptors.getInt(at + D_SCOPE));
    }

    /**
     * @param slot a filled slot.
     * @return the TTL (IPv6: hop limit) it arrived with, 0 to 255, or −1 if the socket does not report it
     *     ({@link NativeSocket#hopInfo}).
     */
    public int ttl(int slot) {
        int at = descriptor(slot);
        return (descriptors.getInt(at + D_FLAGS) & F_TTL) == 0 ? -1 : descriptors.get(at + D_TTL) & 0xFF;
    }

    /**
     * @param slot a filled slot.
     * @return the TOS byte (IPv6: traffic class), DSCP and ECN, it arrived with, or −1 if the socket does not
     *     report it ({@link NativeSocket#hopInfo}).
     */
    public int tos(int slot) {
        int at = descriptor(slot);
        return (descriptors.getInt(at + D_FLAGS) & F_TOS) == 0 ? -1 : descriptors.get(at + D_TOS) & 0xFF;
    }

    /**
     * @param slot a filled slot.
     * @return when the kernel received the datagram, in the terms of {@link System#nanoTime()} (Linux's
     *     monotonic clock), or {@link #NO_TIME} if the socket does not report it ({@link NativeSocket#receiveTimes}).
     */
    public long receivedAt(int slot) {
        int at = descriptor(slot);
        return (descriptors.getInt(at + D_FLAGS) & F_RECEIVED) == 0 ? NO_TIME : descriptors.getLong(at + D_RECEIVED);
    }

    /**
     * @param slot a filled slot.
     * @param into where to write the local address the datagram was sent to (port 0).
     * @return whether the socket reported it.
     */
    public boolean destination(int slot, PeerAddress into) {
        Objects.requireNonNull(into, "into");
        int at = descriptor(slot);
        if ((descriptors.getInt(at + D_FLAGS) & F_LOCAL) == 0) {
            return false;
        }
        int length = descriptors.getInt(at + D_LOCAL_FAMILY) == 4 ? 4 : 16;
        descriptors.get(at + D_LOCAL, addressScratch, 0, length);
        into.set(addressScratch, 0, length, 0, 0);
        return true;
    }

    /**
     * @param slot a filled slot.
     * @return its payload as a buffer from position 0 to its length, writable (a reply is sent from it); the same
     * instance for the slot every time. Valid until the next receive.
     */
    public ByteBuffer payload(int slot) {
        ByteBuffer payload = payloads[checkSlot(slot)];
        return payload.limit(Math.max(0, Math.min(length(slot), payload.capacity()))).position(0);
    }

    /**
     * @param slot a filled slot.
     * @return how many datagrams it holds: 1, or more if the kernel merged a run of datagrams of one size from one
     *     flow (receive-side GRO), each but the last {@link #segmentSize} long.
     */
    public int datagrams(int slot) {
        int at = descriptor(slot);
        int length = descriptors.getInt(at + D_LENGTH);
        return count(length, segmentSize(at, length));
    }

    /** @return how many datagrams of {@code segment} bytes, the last shorter, make {@code length}. */
    private static int count(int length, int segment) {
        return length <= segment ? 1 : (length + segment - 1) / segment;
    }

    /**
     * @param slot a filled slot.
     * @return the size of each datagram merged into it but the last; its length if it holds one.
     */
    public int segmentSize(int slot) {
        int at = descriptor(slot);
        return segmentSize(at, descriptors.getInt(at + D_LENGTH));
    }

    private int segmentSize(int descriptor, int length) {
        return (descriptors.getInt(descriptor + D_FLAGS) & F_MERGED) == 0 ? length
                : Math.min(length, descriptors.getInt(descriptor + D_SEGMENT));
    }

    /**
     * @param slot     a filled slot.
     * @param datagram which of its {@link #datagrams}, from 0.
     * @return the slot's payload buffer (the same instance as {@link #payload(int)}), from that datagram's first
     *     byte (its position) to its last (its limit), writable. Valid until the next receive.
     */
    public ByteBuffer payload(int slot, int datagram) {
        int at = descriptor(slot);
        int length = descriptors.getInt(at + D_LENGTH);
        int start = datagramOffset(at, length, datagram);
        ByteBuffer payload = payloads[slot];
        int end = Math.max(0, Math.min(Math.min(length, start + segmentSize(at, length)), payload.capacity()));
        return payload.limit(end).position(Math.min(start, end));
    }

    /** @return where a datagram starts in its slot's payload, if the slot holds it. */
    private int datagramOffset(int descriptor, int length, int datagram) {
        int segment = segmentSize(descriptor, length);
        long start = (long) datagram * segment;
        if (datagram < 0 || (datagram > 0 && start >= length)) {
            throw new IndexOutOfBoundsException("datagram " + datagram + " is not 0 to "
                    + (count(length, segment) - 1));
        }
        return (int) start;
    }

    /**
     * @param slot a slot.
     * @return a buffer over the slot's payload area, from position 0 with its full capacity writable; the same
     * instance every time. For a client to write a datagram before queueing it.
     */
    public ByteBuffer slot(int slot) {
        return payloads[checkSlot(slot)].clear();
    }

    /**
     * Queues a reply: the prefix and the first {@code payloadLength} bytes of a slot's payload, to the
     * datagram's source. A slot may be queued twice.
     *
     * @param slot          a filled slot.
     * @param payloadLength how much of its payload to send back: 0 to the slot's payload capacity.
     * @throws IllegalStateException if the send list is full ({@link #replyRoom()}).
     */
    public void reply(int slot, int payloadLength) {
        if (payloadLength < 0 || payloadLength > slotSize - prefixLength) {
            throw new IllegalArgumentException("payload length " + payloadLength + " is not 0 to "
                    + (slotSize - prefixLength));
        }
        queue(slot, prefixLength + payloadLength);
    }

    /**
     * Queues a reply of a given total size, prefix included: shorter than usual for a truncated one.
     *
     * @param slot   a filled slot.
     * @param length bytes from the start of the slot, prefix included: 0 to the slot's size.
     * @throws IllegalStateException if the send list is full ({@link #replyRoom()}).
     */
    public void replyBytes(int slot, int length) {
        checkLength(length);
        queue(slot, length);
    }

    /**
     * Queues a reply to one of the datagrams merged into a slot: the prefix, then that datagram's payload as
     * {@link #payload(int, int)} gives it, {@code length} bytes in all. For datagram 0 the same as
     * {@link #replyBytes(int, int)}.
     *
     * @param slot     a filled slot.
     * @param datagram which of its {@link #datagrams}, from 0.
     * @param length   the reply's size, prefix included: for datagram 0, 0 to the slot's size; for the others,
     *                 0 to the prefix and the rest of the slot from that datagram on (a reply cut within the
     *                 prefix is the prefix's first bytes, whichever datagram it answers).
     * @throws IllegalStateException if the send list is full ({@link #replyRoom()}).
     */
    public void replyBytes(int slot, int datagram, int length) {
        int at = descriptor(slot);
        int offset = datagramOffset(at, descriptors.getInt(at + D_LENGTH), datagram);
        if (offset == 0 || (length >= 0 && length <= prefixLength)) {
            replyBytes(slot, length);
            return;
        }
        if (length < 0 || (long) offset + length > slotSize) {
            throw new IllegalArgumentException("length " + length + " is not 0 to " + (slotSize - offset)
                    + " for a datagram " + offset + " bytes into its slot");
        }
        queue(slot, length, offset);
    }

    private void queue(int slot, int length) {
        queue(slot, length, 0);
    }

    private void queue(int slot, int length, int offset) {
        checkSlot(slot);
        int queued = replies;
        if (queued < 0 || queued >= 2 * capacity) {
            throw new IllegalStateException("the send list is full: " + 2 * capacity + " replies");
        }
        sendList.putInt(queued * S_SIZE, slot);
        sendList.putInt(queued * S_SIZE + 4, length);
        sendList.putInt(queued * S_SIZE + 8, offset);
        replies = queued + 1;
    }

    /**
     * @param slot   a filled slot.
     * @param length bytes from the start of the slot, prefix included.
     * @return a copy of them: for a reply that leaves the ring to wait.
     */
    public byte[] copyReply(int slot, int length) {
        checkSlot(slot);
        checkLength(length);
        byte[] copy = new byte[length];
        data.get(slot * slotSize, copy, 0, length);
        return copy;
    }

    /** @return replies queued since the last receive or send. */
    public int queuedReplies() {
        return replies;
    }

    /**
     * @return how many more replies fit in the send list before a {@link #send}: two per slot in all, enough for a
     *     batch of single datagrams each answered twice; a batch of merged ones may need a send on the way.
     */
    public int replyRoom() {
        return 2 * capacity - replies;
    }

    /**
     * Sends the queued replies, waiting for room in a full send buffer up to the socket's send timeout, once per
     * batch. A reply the kernel refuses is skipped, and the others still go; a full buffer refuses the rest.
     * Consecutive replies to one peer of one size go segmented if the socket asks for it
     * ({@link NativeSocket#segmentation()}).
     *
     * @param socket where to send from.
     * @return how many were sent; {@link #lastSendError()} tells why the rest were not.
     * @throws IllegalStateException if the ring or the socket is closed.
     */
    public int send(NativeSocket socket) {
        return send(socket, true, socket.segmentation());
    }

    /**
     * Sends the queued replies as {@link #send(NativeSocket)} does, segmented only if {@code segment} is true and
     * the socket segments ({@link NativeSocket#segmentation()}): with false, each goes as a packet of its own,
     * whatever the socket's setting.
     *
     * @param socket  where to send from.
     * @param segment whether this batch may go segmented.
     * @return how many were sent; {@link #lastSendError()} tells why the rest were not.
     * @throws IllegalStateException if the ring or the socket is closed.
     */
    public int send(NativeSocket socket, boolean segment) {
        return send(socket, true, segment && socket.segmentation());
    }

    /**
     * Sends the queued replies as {@link #send} does, but never waits: what does not fit in the send buffer now
     * is refused ({@code EAGAIN}). For a server, whose receive loop must not stall on one slow destination.
     *
     * @param socket where to send from.
     * @return how many were sent; {@link #lastSendError()} tells why the rest were not.
     * @throws IllegalStateException if the ring or the socket is closed.
     */
    public int sendNow(NativeSocket socket) {
        return send(socket, false, socket.segmentation());
    }

    private int send(NativeSocket socket, boolean wait, boolean segment) {
        int fd = socket.acquire();
        try {
            acquire();
            try {
                int count = replies;
                replies = 0;
                if (count == 0) {
                    sendResult[0] = 0;
                    sendResult[1] = 0;
                    return 0;
                }
                int sent = send0(fd, handle, count, wait, segment, sendResult);
                if (sent < 0) {
                    // Only if the send list changed under the call: the ring is used by two threads.
                    throw new IllegalStateException("send list out of range: is the ring used by two threads?");
                }
                return sent;
            } finally {
                release();
            }
        } finally {
            socket.release();
        }
    }

    /** @return the error number of the last reply refused by the last {@link #send}, or 0. */
    public int lastSendError() {
        return sendResult[0];
    }

    /** @return the payload bytes (prefixes included) the last {@link #send} sent. */
    public int lastSentBytes() {
        return sendResult[1];
    }

    /**
     * Frees the native half and gives back the slots' memory; the ring and its payload buffers must not be used
     * after (the ring throws, the buffers read zeros). Idempotent; from any thread. A receive in progress keeps
     * the native half until it returns: shut the socket down first to make that at once.
     */
    @Override
    public void close() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
        if (s == 0) {
            release.clean();
        }
    }

    /** @return whether {@link #close()} was called. */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    private void acquire() {
        int s;
        do {
            s = state;
            if ((s & CLOSED) != 0) {
                throw new IllegalStateException("ring closed");
            }
        } while (!STATE.compareAndSet(this, s, s + IN_CALL));
    }

    private void release() {
        if ((int) STATE.getAndAdd(this, -IN_CALL) == CLOSED + IN_CALL) {
            release.clean();
        }
        Reference.reachabilityFence(this);
    }

    /** @return where the slot's descriptor starts, if the slot is in range and the ring open. */
    private int descriptor(int slot) {
        return checkSlot(slot) * D_SIZE;
    }

    private int checkSlot(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IndexOutOfBoundsException("slot " + slot + " is not 0 to " + (capacity - 1));
        }
        if ((state & CLOSED) != 0) {
            throw new IllegalStateException("ring closed");
        }
        return slot;
    }

    private void checkLength(int length) {
        if (length < 0 || length > slotSize) {
            throw new IllegalArgumentException("length " + length + " is not 0 to " + slotSize + " (the slot size)");
        }
    }

    private static int align(int n, int to) {
        return (n + to - 1) / to * to;
    }

    private static native long create0(ByteBuffer data, ByteBuffer descriptors, ByteBuffer sendList, int capacity,
                                       int slotSize, int prefixLength, boolean ipv6, boolean replyFromDestination);

    private static native void free0(long handle);

    private static native ByteBuffer map0(long size);

    private static native long address0(ByteBuffer buffer);

    private static native void discard0(long address, long size);

    private static native void unmap0(long address, long size);

    private static native int receive0(int fd, long handle, int max, boolean wait);

    private static native int send0(int fd, long handle, int count, boolean wait, boolean segment, int[] result);
}
