package dev.udpecho.server;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.policy.DropReason;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one worker: what it received, answered and dropped, and why, and the sizes of what it
 * received.
 *
 * <p>Single writer: only the worker's event loop thread may call the {@code on*} methods, which are plain
 * increments (no locked instructions). Any thread may read with {@link #get}; values become visible
 * to readers promptly but without ordering between counters.
 */
public final class ServerCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Keeps the counters of two workers off each other's cache lines. */
    private static final int PAD = 8;

    static final int RECEIVED = 0;
    static final int BYTES_RECEIVED = 1;
    static final int EMPTY = 2;
    static final int REPLIED = 3;
    static final int BYTES_SENT = 4;
    static final int ERRORS = 5;
    private static final int DROPPED = 6;
    private static final int IMPAIRED = DROPPED + DropReason.values().length;
    /** Datagrams of 1 byte or more by size: slot k counts sizes above 2^(k-1) up to 2^k (see {@link DatagramSizes}). */
    private static final int SIZES = IMPAIRED + Impairment.values().length;
    private static final int SIZE_SLOTS = DatagramSizes.BUCKETS - 1;
    static final int COUNT = SIZES + SIZE_SLOTS;

    private final long[] slots = new long[PAD + COUNT + PAD];

    /** @param bytes the datagram's payload size. */
    public void onReceived(int bytes) {
        add(RECEIVED, 1);
        add(BYTES_RECEIVED, bytes);
        if (bytes == 0) {
            add(EMPTY, 1); // bucket 0 of the sizes
        } else {
            // The bucket by arithmetic, no search: sizes 2^(k-1)+1 to 2^k share the bit length of bytes - 1.
            add(SIZES + Math.min(SIZE_SLOTS - 1, 32 - Integer.numberOfLeadingZeros(bytes - 1)), 1);
        }
    }

    /**
     * @param replies how many replies were sent.
     * @param bytes   their payload bytes.
     */
    public void onReplied(int replies, long bytes) {
        add(REPLIED, replies);
        add(BYTES_SENT, bytes);
    }

    /** @param n how many replies the kernel refused (counted as socket errors). */
    public void onSendErrors(int n) {
        add(ERRORS, n);
    }

    /** @param reason why a datagram got no reply. */
    public void onDropped(DropReason reason) {
        add(DROPPED + reason.ordinal(), 1);
    }

    /** @param what what was done to a reply on purpose. */
    public void onImpaired(Impairment what) {
        add(IMPAIRED + what.ordinal(), 1);
    }

    /** A socket error: a failed send, or a receive error such as an ICMP report. */
    public void onError() {
        add(ERRORS, 1);
    }

    long get(int counter) {
        return (long) SLOT.getOpaque(slots, PAD + counter);
    }

    long dropped(DropReason reason) {
        return get(DROPPED + reason.ordinal());
    }

    long impaired(Impairment what) {
        return get(IMPAIRED + what.ordinal());
    }

    /** @param bucket a bucket of {@link DatagramSizes}. @return datagrams received of a size in it. */
    long sized(int bucket) {
        return bucket == 0 ? get(EMPTY) : get(SIZES + bucket - 1);
    }

    private void add(int counter, long delta) {
        int i = PAD + counter;
        SLOT.setOpaque(slots, i, slots[i] + delta);
    }
}
