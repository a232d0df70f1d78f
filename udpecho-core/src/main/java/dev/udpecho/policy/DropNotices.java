package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Says why a source's datagrams are dropped, at most once a minute per source address and a few times a second
 * overall, so that a flood cannot flood the log too. Every drop is counted elsewhere either way.
 *
 * <p>Thread-safe: a fixed table of recent sources, locked per set; allocates only when it writes a line.
 */
public final class DropNotices {
    private static final int SETS = 1024;
    private static final int WAYS = 4;
    private static final long PER_SOURCE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long OVERALL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Consumer<String> out;
    private final LongSupplier clock;
    private final long[] keys = new long[SETS * WAYS];
    private final long[] times = new long[SETS * WAYS];
    private final AtomicLong nextOverall = new AtomicLong();
    private final long origin;

    /** @param out where a line goes; called on the dropping thread, must not block. */
    public DropNotices(Consumer<String> out) {
        this(out, System::nanoTime);
    }

    /**
     * @param out   where a line goes.
     * @param clock nanoseconds, for tests.
     */
    public DropNotices(Consumer<String> out, LongSupplier clock) {
        this.out = out;
        this.clock = clock;
        this.origin = clock.getAsLong();
    }

    /**
     * @param source where the dropped datagram came from.
     * @param reason why it was dropped.
     */
    public void onDrop(PeerAddress source, DropReason reason) {
        long now = clock.getAsLong() - origin + 1;
        if (now < nextOverall.get()) {
            return; // under a flood most drops end here, without a lock
        }
        long key = key(source);
        int base = (int) ((key * 0x9E3779B97F4A7C15L) >>> 54) * WAYS;
        synchronized (this) {
            int oldest = base;
            for (int i = base; i < base + WAYS; i++) {
                if (times[i] != 0 && keys[i] == key) {
                    if (now - times[i] < PER_SOURCE_NANOS) {
                        return;
                    }
                    oldest = i;
                    break;
                }
                if (times[i] < times[oldest]) {
                    oldest = i;
                }
            }
            long next = nextOverall.get();
            if (now < next) {
                return;
            }
            nextOverall.set(now + OVERALL_INTERVAL_NANOS);
            keys[oldest] = key;
            times[oldest] = now;
        }
        out.accept("Dropped " + source + ": " + reason.description() + " (more from this address not shown for a minute)");
    }

    private static long key(PeerAddress a) {
        return a.isIpv4() ? a.ipv4() : a.ipv6High() * 31 + a.ipv6Low();
    }
}
