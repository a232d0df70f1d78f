package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token-bucket rate limits, per source block ({@code /32} and {@code /64} by default) and overall.
 *
 * <p>Each bucket is one number, its theoretical arrival time (the generic cell rate algorithm, GCRA): a datagram
 * arriving at {@code now} is answered if the bucket's time is at most {@code burst} intervals ahead of
 * {@code now}, and then moves one interval on. The per-source buckets live in a fixed table of sets of 8 ways;
 * a new source takes the way whose time is furthest in the past (an idle bucket is as good as a full one), so
 * memory stays bounded whatever the number of sources.
 *
 * <p>Thread-safe: a bucket is taken from under its set's lock, the overall bucket with a CAS. A datagram over its
 * limit only reads: under a flood most are, so the workers that share a source's bucket (a source sending from
 * many ports reaches every worker) neither take a lock nor write a shared cache line for them. Allocates nothing.
 */
public final class SourceRateLimiter implements ReplyPolicy {
    private static final int WAYS = 8;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final RateLimits limits;
    private final LongSupplier clock;
    private final long origin;
    private final long sourceInterval;
    private final long sourceTolerance;
    private final long globalInterval;
    private final long globalTolerance;
    private final int ipv4Mask;
    private final long ipv6Mask;
    private final long[] keys;
    private final long[] times;
    private final Object[] locks;
    private final int setMask;
    private final AtomicLong globalTime = new AtomicLong();

    /** @param limits the rates; uses {@link System#nanoTime()}. */
    public SourceRateLimiter(RateLimits limits) {
        this(limits, System::nanoTime);
    }

    /**
     * @param limits the rates.
     * @param clock  nanoseconds, for tests.
     */
    public SourceRateLimiter(RateLimits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
        this.origin = clock.getAsLong();
        this.sourceInterval = limits.perSource() > 0 ? 1_000_000_000L / limits.perSource() : 0;
        this.sourceTolerance = sourceInterval * (limits.burst() - 1);
        this.globalInterval = limits.maxRate() > 0 ? 1_000_000_000L / limits.maxRate() : 0;
        this.globalTolerance = globalInterval * (limits.burst() - 1);
        this.ipv4Mask = limits.ipv4PrefixBits() == 32 ? -1 : ~(-1 >>> limits.ipv4PrefixBits());
        this.ipv6Mask = limits.ipv6PrefixBits() == 64 ? -1L : ~(-1L >>> limits.ipv6PrefixBits());
        int sets = Integer.highestOneBit(Math.max(1, limits.tableSize() / WAYS));
        this.setMask = sets - 1;
        this.keys = new long[sets * WAYS];
        this.times = new long[sets * WAYS];
        this.locks = new Object[Math.min(sets, 1024)];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public DropReason decide(PeerAddress source, ByteBuffer payload) {
        long now = clock.getAsLong() - origin + 1; // > 0, so that 0 can mean an empty way
        if (sourceInterval > 0 && (limits.limitLoopback() || !isLoopback(source)) && !takeSource(key(source), now)) {
            return DropReason.RATE_LIMITED;
        }
        if (globalInterval > 0 && !takeGlobal(now)) {
            return DropReason.MAX_RATE;
        }
        return null;
    }

    /**
     * The source's block as a number. IPv4 blocks fit in the low 32 bits; IPv6 ones use the /64, whose upper
     * 32 bits are never all zero outside reserved space (::/32; mapped IPv4 arrives as IPv4), so the two
     * families cannot share a key.
     */
    private long key(PeerAddress source) {
        return source.isIpv4() ? Integer.toUnsignedLong(source.ipv4() & ipv4Mask) : source.ipv6High() & ipv6Mask;
    }

    private boolean takeSource(long key, long now) {
        int set = (int) mix(key) & setMask;
        int base = set * WAYS;
        if (overLimit(base, key, now)) {
            return false;
        }
        synchronized (locks[set % locks.length]) {
            int oldest = base;
            for (int i = base; i < base + WAYS; i++) {
                if (times[i] != 0 && keys[i] == key) {
                    return take(i, now);
                }
                if (times[i] < times[oldest]) {
                    oldest = i;
                }
            }
            SLOT.setOpaque(keys, oldest, key);
            SLOT.setOpaque(times, oldest, now);
            return take(oldest, now);
        }
    }

    /**
     * Without the lock: whether the source's bucket is over its limit. A way being given to another source
     * meanwhile can make it answer wrongly for one datagram, either way; the locked path decides all others.
     */
    private boolean overLimit(int base, long key, long now) {
        for (int i = base; i < base + WAYS; i++) {
            if ((long) SLOT.getOpaque(keys, i) == key) {
                long time = (long) SLOT.getOpaque(times, i);
                return time != 0 && time - now > sourceTolerance;
            }
        }
        return false;
    }

    private boolean take(int way, long now) {
        long tat = Math.max(times[way], now);
        if (tat - now > sourceTolerance) {
            return false;
        }
        SLOT.setOpaque(times, way, tat + sourceInterval);
        return true;
    }

    private boolean takeGlobal(long now) {
        while (true) {
            long current = globalTime.get();
            long tat = Math.max(current, now);
            if (tat - now > globalTolerance) {
                return false;
            }
            if (globalTime.compareAndSet(current, tat + globalInterval)) {
                return true;
            }
        }
    }

    /** @return how many source blocks the table can track. */
    public int capacity() {
        return keys.length;
    }

    static boolean isLoopback(PeerAddress a) {
        if (a.isIpv4()) {
            return a.byteAt(0) == 127;
        }
        return a.ipv6High() == 0 && a.ipv6Low() == 1;
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
