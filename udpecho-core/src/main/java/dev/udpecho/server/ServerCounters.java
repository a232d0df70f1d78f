package dev.udpecho.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one worker: what it received, answered and dropped, and why.
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
    static final int COUNT = DROPPED + DropReason.values().length;

    private final long[] slots = new long[PAD + COUNT + PAD];

    /** @param bytes the datagram's payload size. */
    public void onReceived(int bytes) {
        add(RECEIVED, 1);
        add(BYTES_RECEIVED, bytes);
        if (bytes == 0) {
            add(EMPTY, 1);
        }
    }

    /** @param bytes the reply's payload size. */
    public void onReplied(int bytes) {
        add(REPLIED, 1);
        add(BYTES_SENT, bytes);
    }

    /** @param reason why a datagram got no reply. */
    public void onDropped(DropReason reason) {
        add(DROPPED + reason.ordinal(), 1);
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

    private void add(int counter, long delta) {
        int i = PAD + counter;
        SLOT.setOpaque(slots, i, slots[i] + delta);
    }
}
