package dev.udpecho.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The bytes of a bench datagram, and the check of a reply against them without keeping what was sent.
 *
 * <p>A datagram is a 24-byte header, little-endian: the sequence number, the send time
 * ({@link System#nanoTime()}; in rate mode the scheduled time), and a keyed hash of the two, so that a damaged
 * header is recognised; then padding up to the size, 8-byte words that are a function of the sequence number and
 * their position. The whole expected reply (prefix + datagram) can thus be regenerated from its sequence number,
 * and compared word by word.
 *
 * <p>The key differs per run, so a reply to an earlier run that reaches this one is not mistaken for its own.
 *
 * <p>Immutable, allocation-free and thread-safe. Buffers must be little-endian; positions and limits are not
 * used or changed (absolute access only).
 */
public final class DatagramFormat implements WireFormat {
    /** Header bytes: the smallest datagram. */
    public static final int HEADER = 24;
    private static final int SEQUENCE = 0;
    private static final int TIME = 8;
    private static final int CHECK = 16;

    private final byte[] prefix;
    private final int size;
    /** Where this format's header starts in the datagram: bytes before it are another protocol's. */
    private final int offset;
    private final int words;
    private final long key;
    private final long[] pattern;

    /**
     * @param prefix the server's reply prefix.
     * @param size   datagram size, {@link #HEADER} or more.
     * @param key    any value; both ends of a check must use the same.
     */
    public DatagramFormat(byte[] prefix, int size, long key) {
        this(prefix, size, key, 0);
    }

    /**
     * A format for the part of a datagram after another protocol's header, which that protocol writes and checks.
     *
     * @param offset where this format's header starts: {@link #HEADER} bytes or more must follow it.
     */
    DatagramFormat(byte[] prefix, int size, long key, int offset) {
        if (offset < 0 || size - offset < HEADER) {
            throw new IllegalArgumentException("size must be at least " + (offset + HEADER) + ", not " + size);
        }
        this.prefix = prefix.clone();
        this.size = size;
        this.offset = offset;
        this.words = (size - offset) >>> 3;
        this.key = key;
        this.pattern = new long[words + 1];
        for (int k = 0; k < pattern.length; k++) {
            pattern[k] = mix(key ^ (k * 0x9E3779B97F4A7C15L));
        }
    }

    /** @return a format with a fresh random key. */
    public static DatagramFormat withRandomKey(byte[] prefix, int size) {
        return new DatagramFormat(prefix, size, new SplittableRandom().nextLong());
    }

    /** @return a little-endian direct buffer of {@code capacity} bytes. */
    public static ByteBuffer buffer(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return bytes per datagram. */
    @Override
    public int size() {
        return size;
    }

    /** @return bytes of a good reply: the prefix and the datagram. */
    @Override
    public int replySize() {
        return prefix.length + size;
    }

    /**
     * Writes datagram {@code sequence} at index 0 of {@code into}.
     *
     * @param into     at least {@link #size()} bytes, little-endian.
     * @param sequence its sequence number, from 0.
     * @param sentAt   its send time.
     */
    @Override
    public void write(ByteBuffer into, long sequence, long sentAt) {
        int o = offset;
        into.putLong(o + SEQUENCE, sequence);
        into.putLong(o + TIME, sentAt);
        into.putLong(o + CHECK, check(sequence, sentAt));
        long x = paddingKey(sequence);
        for (int k = HEADER >>> 3; k < words; k++) {
            into.putLong(o + (k << 3), pattern[k] ^ x);
        }
        long last = pattern[words] ^ x;
        for (int j = words << 3; j < size - o; j++) {
            into.put(o + j, (byte) (last >>> ((j & 7) << 3)));
        }
    }

    /**
     * @param reply  a reply from index 0.
     * @param length its length.
     * @return the sequence number its header names, or −1 if the reply is too short or its header is damaged.
     */
    @Override
    public long sequence(ByteBuffer reply, int length) {
        int p = prefix.length + offset;
        if (length < p + HEADER) {
            return -1;
        }
        long sequence = reply.getLong(p + SEQUENCE);
        long sentAt = reply.getLong(p + TIME);
        return sequence >= 0 && reply.getLong(p + CHECK) == check(sequence, sentAt) ? sequence : -1;
    }

    /** @return the send time in the header of a reply whose {@link #sequence} was found. */
    @Override
    public long sentAt(ByteBuffer reply) {
        return reply.getLong(prefix.length + offset + TIME);
    }

    /**
     * @param reply    a reply from index 0 whose header names {@code sequence}.
     * @param length   its length.
     * @param sequence the sequence number.
     * @return whether it is exactly the prefix followed by the datagram {@code sequence} (header included: it was
     * checked by {@link #sequence}).
     */
    @Override
    public boolean matches(ByteBuffer reply, int length, long sequence) {
        if (length != prefix.length + size) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (reply.get(i) != prefix[i]) {
                return false;
            }
        }
        int p = prefix.length + offset;
        long x = paddingKey(sequence);
        for (int k = HEADER >>> 3; k < words; k++) {
            if (reply.getLong(p + (k << 3)) != (pattern[k] ^ x)) {
                return false;
            }
        }
        long last = pattern[words] ^ x;
        for (int j = words << 3; j < size - offset; j++) {
            if (reply.get(p + j) != (byte) (last >>> ((j & 7) << 3))) {
                return false;
            }
        }
        return true;
    }

    private long check(long sequence, long sentAt) {
        return mix(mix(sequence ^ key) + sentAt);
    }

    private long paddingKey(long sequence) {
        return mix(sequence + key);
    }

    /** MurmurHash3's 64-bit finaliser: every input bit changes about half the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
