package dev.udpecho.server;

import java.util.Arrays;

/**
 * How many datagrams of each payload size a server received: a histogram whose buckets end at 0 (empty
 * datagrams), 1, 2, 4, 8, ... 65536 bytes, each counting the sizes above the previous bound up to its own.
 * Immutable; a snapshot taken with {@link ServerStats}.
 */
public final class DatagramSizes {
    /** The number of buckets: 0, then every power of two up to 65536, above the largest UDP payload. */
    public static final int BUCKETS = 18;

    private final long[] counts;

    /** @param counts how many datagrams each bucket holds, {@link #BUCKETS} of them; copied. */
    public DatagramSizes(long[] counts) {
        if (counts.length != BUCKETS) {
            throw new IllegalArgumentException("need " + BUCKETS + " buckets, not " + counts.length);
        }
        this.counts = counts.clone();
    }

    /** @return a histogram with nothing counted. */
    public static DatagramSizes none() {
        return new DatagramSizes(new long[BUCKETS]);
    }

    /**
     * @param bucket 0 to {@link #BUCKETS} − 1.
     * @return the largest size the bucket counts, in bytes: 0, 1, 2, 4, ... 65536.
     */
    public static int upperBound(int bucket) {
        return bucket == 0 ? 0 : 1 << (bucket - 1);
    }

    /**
     * @param bucket 0 to {@link #BUCKETS} − 1.
     * @return datagrams larger than the previous bucket's bound and at most {@link #upperBound} bytes.
     */
    public long count(int bucket) {
        return counts[bucket];
    }

    /** @return every datagram counted. */
    public long total() {
        long total = 0;
        for (long n : counts) {
            total += n;
        }
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatagramSizes d && Arrays.equals(counts, d.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "DatagramSizes" + Arrays.toString(counts);
    }
}
