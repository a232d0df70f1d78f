package dev.udpecho.nativeio;

import dev.udpecho.net.PeerAddress;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A batch of datagram slots shared with the kernel: {@link #receive} fills slots 0 to n−1 with one
 * {@code recvmmsg} call, and {@link #send} sends the replies queued with {@link #reply} with one
 * {@code sendmmsg} call. Each slot starts with the reply prefix, written once; the kernel writes each
 * datagram right after it, so a reply is sent from the slot itself, without a copy.
 *
 * <p>A client uses a ring without a prefix on a connected socket: it writes each datagram into a slot
 * ({@link #slot}), queues it with {@link #reply}, and sends the batch with {@link #send}; slots never received
 * into carry no address, so the socket's peer is used.
 *
 * <p>Everything is allocated once, here. Not thread-safe: one thread owns a ring.
 */
public final class DatagramRing implements AutoCloseable {
    // Descriptor layout: must match udpecho_native.c.
    private static final int D_LENGTH = 0;
    private static final int D_FLAGS = 4;
    private static final int D_PORT = 8;
    private static final int D_SCOPE = 12;
    private static final int D_FAMILY = 16;
    private static final int D_LOCAL_FAMILY = 20;
    private static final int D_DROPS = 28;
    private static final int D_SOURCE = 32;
    private static final int D_LOCAL = 48;
    private static final int D_SIZE = 64;
    private static final int F_TRUNCATED = 1;
    private static final int F_LOCAL = 2;
    private static final int F_DROPS = 4;
    private static final int S_SIZE = 8;

    private final int capacity;
    private final int slotSize;
    private final int prefixLength;
    private final ByteBuffer data;
    private final ByteBuffer descriptors;
    private final ByteBuffer sendList;
    private final ByteBuffer[] payloads;
    private final byte[] addressScratch = new byte[16];
    private final int[] sendResult = new int[2];
    private long handle;
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
        this.capacity = capacity;
        this.prefixLength = prefix.length;
        // One spare byte: a datagram that fills it was longer than maxPayload and is reported truncated.
        this.slotSize = align(prefix.length + maxPayload + 1, 64);
        // Mapped, not allocateDirect: untouched pages cost nothing, so idle sockets' rings stay small.
        ByteBuffer mapped = map0((long) capacity * slotSize);
        if (mapped == null) {
            throw new OutOfMemoryError("native ring of " + capacity + " slots of " + slotSize + " bytes");
        }
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
            unmap0(data);
            throw new OutOfMemoryError("native ring of " + capacity + " slots");
        }
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
        replies = 0;
        return NativeSocket.check(receive0(socket.fd(), handle, capacity));
    }

    /** @param slot a filled slot. @return its datagram's payload size. */
    public int length(int slot) {
        return descriptors.getInt(slot * D_SIZE + D_LENGTH);
    }

    /** @param slot a filled slot. @return whether its datagram was longer than the slot (and was cut). */
    public boolean truncated(int slot) {
        return (descriptors.getInt(slot * D_SIZE + D_FLAGS) & F_TRUNCATED) != 0;
    }

    /**
     * @param slot a filled slot.
     * @return the socket's running count of datagrams the kernel dropped (receive buffer full), or −1 if the
     * socket does not report it.
     */
    public long kernelDrops(int slot) {
        int at = slot * D_SIZE;
        return (descriptors.getInt(at + D_FLAGS) & F_DROPS) != 0
                ? Integer.toUnsignedLong(descriptors.getInt(at + D_DROPS)) : -1;
    }

    /**
     * @param slot a filled slot.
     * @param into where to write the datagram's source address and port.
     */
    public void source(int slot, PeerAddress into) {
        int at = slot * D_SIZE;
        int length = descriptors.getInt(at + D_FAMILY) == 4 ? 4 : 16;
        descriptors.get(at + D_SOURCE, addressScratch, 0, length);
        into.set(addressScratch, 0, length, descriptors.getInt(at + D_PORT), descriptors.getInt(at + D_SCOPE));
    }

    /**
     * @param slot a filled slot.
     * @param into where to write the local address the datagram was sent to (port 0).
     * @return whether the socket reported it.
     */
    public boolean destination(int slot, PeerAddress into) {
        int at = slot * D_SIZE;
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
        ByteBuffer payload = payloads[slot];
        return payload.limit(Math.min(length(slot), payload.capacity())).position(0);
    }

    /**
     * @param slot a slot.
     * @return a buffer over the slot's payload area, from position 0 with its full capacity writable; the same
     * instance every time. For a client to write a datagram before queueing it.
     */
    public ByteBuffer slot(int slot) {
        return payloads[slot].clear();
    }

    /**
     * Queues a reply: the prefix and the first {@code payloadLength} bytes of a slot's payload, to the
     * datagram's source. A slot may be queued twice.
     *
     * @param slot          a filled slot.
     * @param payloadLength how much of its payload to send back.
     */
    public void reply(int slot, int payloadLength) {
        if (replies == 2 * capacity) {
            throw new IllegalStateException("at most two replies per slot");
        }
        sendList.putInt(replies * S_SIZE, slot);
        sendList.putInt(replies * S_SIZE + 4, prefixLength + payloadLength);
        replies++;
    }

    /**
     * Queues a reply of a given total size, prefix included: shorter than usual for a truncated one.
     *
     * @param slot   a filled slot.
     * @param length bytes from the start of the slot, prefix included.
     */
    public void replyBytes(int slot, int length) {
        reply(slot, length - prefixLength);
    }

    /**
     * @param slot   a filled slot.
     * @param length bytes from the start of the slot, prefix included.
     * @return a copy of them: for a reply that leaves the ring to wait.
     */
    public byte[] copyReply(int slot, int length) {
        byte[] copy = new byte[length];
        data.get(slot * slotSize, copy, 0, length);
        return copy;
    }

    /** @return replies queued since the last receive. */
    public int queuedReplies() {
        return replies;
    }

    /**
     * Sends the queued replies. A reply the kernel refuses is skipped, and the others still go.
     *
     * @param socket where to send from.
     * @return how many were sent; {@link #lastSendError()} tells why the rest were not.
     */
    public int send(NativeSocket socket) {
        int count = replies;
        replies = 0;
        if (count == 0) {
            sendResult[0] = 0;
            sendResult[1] = 0;
            return 0;
        }
        return send0(socket.fd(), handle, count, sendResult);
    }

    /** @return the error number of the last reply refused by the last {@link #send}, or 0. */
    public int lastSendError() {
        return sendResult[0];
    }

    /** @return the payload bytes (prefixes included) the last {@link #send} sent. */
    public int lastSentBytes() {
        return sendResult[1];
    }

    /** Frees the native half and unmaps the slots; the ring and its payload buffers must not be used after. */
    @Override
    public void close() {
        if (handle != 0) {
            free0(handle);
            handle = 0;
            unmap0(data);
        }
    }

    private static int align(int n, int to) {
        return (n + to - 1) / to * to;
    }

    private static native long create0(ByteBuffer data, ByteBuffer descriptors, ByteBuffer sendList, int capacity,
                                       int slotSize, int prefixLength, boolean ipv6, boolean replyFromDestination);

    private static native void free0(long handle);

    private static native ByteBuffer map0(long size);

    private static native void unmap0(ByteBuffer buffer);

    private static native int receive0(int fd, long handle, int max);

    private static native int send0(int fd, long handle, int count, int[] result);
}
