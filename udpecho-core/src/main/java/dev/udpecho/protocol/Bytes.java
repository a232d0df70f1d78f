package dev.udpecho.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Network-order (big-endian) reads and writes at absolute positions of a buffer of either byte order. */
final class Bytes {
    private Bytes() {
    }

    static long getLong(ByteBuffer b, int at) {
        long v = b.getLong(at);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }

    static int getInt(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    /** @return the unsigned 16-bit value. */
    static int getShort(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }

    static void putLong(ByteBuffer b, int at, long v) {
        b.putLong(at, b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v));
    }

    static void putInt(ByteBuffer b, int at, int v) {
        b.putInt(at, b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
    }

    static void putShort(ByteBuffer b, int at, int v) {
        b.put(at, (byte) (v >>> 8));
        b.put(at + 1, (byte) v);
    }
}
