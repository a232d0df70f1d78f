package dev.udpecho.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The bytes of a bench datagram, and the check of a reply against them without keeping what was sent.
 *
 * <p>A datagram is a 24-byte header, little-endian: the sequence number, the send time
 * ({@link System#nanoTime()}; in rate mode the scheduled time), and a keyed hash of the two, so that a damaged
 * header is recognised; then padding, the same for every datagram of a run: 8-byte words that are a function of
 * the key and their position; then, where 8 bytes or more follow the header, a trailer in the last 8: a keyed hash
 * of the sequence number, so that a reply whose tail came from another datagram (a stale buffer) does not match.
 * The whole expected reply (prefix + datagram) can thus be regenerated from its header, and compared byte for
 * byte.
 *
 * <p>The key differs per run, so a reply to an earlier run that reaches this one is not mistaken for its own.
 * The padding is written with one bulk copy and checked with one bulk compare, which the JVM vectorises: about
 * 65 ns per 1472-byte datagram, where word by word it cost the bench 170 (docs/BENCHMARKS.md). (The C reference
 * client keeps its padding in place and {@code memcmp}s each reply.)
 *
 * <p>Immutable, allocation-free and thread-safe. Buffers must be little-endian and are accessed at absolute
 * indexes; {@link #matches} sets a reply's position and limit while it compares, and puts them back (its mark is
 * discarded), so a reply must not be used by another thread meanwhile.
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
    private final long key;
    /** The padding, from the end of the header to the trailer; its position and limit never change. */
    private final ByteBuffer padding;
    /** Where the trailer is in the datagram, or −1 where fewer than 8 bytes follow the header. */
    private final int trailer;

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
        this.key = key;
        this.trailer = size - offset - HEADER >= 8 ? size - 8 : -1;
        byte[] bytes = new byte[size - offset - HEADER - (trailer < 0 ? 0 : 8)];
        for (int i = 0; i < bytes.length; i++) {
            int j = HEADER + i; // byte j after the offset is byte j & 7 of the little-endian word j >>> 3
            long word = mix(key ^ ((j >>> 3) * 0x9E3779B97F4A7C15L));
            bytes[i] = (byte) (word >>> ((j & 7) << 3));
        }
        this.padding = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
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
        into.put(o + HEADER, padding, 0, padding.capacity());
        if (trailer >= 0) {
            into.putLong(trailer, trailer(sequence));
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
     * @return whether it is exactly the prefix followed by the datagram {@code sequence} (its header's check was
     * verified by {@link #sequence}).
     */
    @Override
    public boolean matches(ByteBuffer reply, int length, long sequence) {
        if (length != prefix.length + size || reply.getLong(prefix.length + offset + SEQUENCE) != sequence) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (reply.get(i) != prefix[i]) {
                return false;
            }
        }
        if (trailer >= 0 && reply.getLong(prefix.length + trailer) != trailer(sequence)) {
            return false;
        }
        int from = prefix.length + offset + HEADER;
        int to = from + padding.capacity();
        if (from == to) {
            return true;
        }
        // ByteBuffer.mismatch compares from the position to the limit: set them, and put them back. (limit() checks
        // its argument before it changes anything, and the reply's limit is at least its length.)
        int position = reply.position();
        int limit = reply.limit();
        reply.limit(to).position(from);
        boolean same = reply.mismatch(padding) < 0;
        reply.limit(limit).position(position);
        return same;
    }

    private long check(long sequence, long sentAt) {
        return mix(mix(sequence ^ key) + sentAt);
    }

    private long trailer(long sequence) {
        return mix(sequence + key);
    }

    /** MurmurHash3's 64-bit finaliser: every input bit changes about half the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
