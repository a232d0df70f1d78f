package dev.udpecho.protocol;

import java.time.Instant;

/**
 * The time of day in nanoseconds since 1970, read without allocating: {@link System#nanoTime()} plus an offset
 * taken from the system clock. {@link #calibrating()} takes the offset again at most once a second, so that the
 * clock follows the system's (NTP's slew, a step); {@link #fixed()} keeps one offset, so that intervals between
 * its readings are exact, for a sender that measures round trips with it.
 *
 * <p>One instance per thread.
 */
public final class WallClock {
    private static final long RECALIBRATE_NANOS = 1_000_000_000L;
    private final boolean recalibrates;
    private long offset;
    private long calibratedAt;

    private WallClock(boolean recalibrates) {
        this.recalibrates = recalibrates;
        calibrate();
    }

    /** @return a clock that follows the system clock. */
    public static WallClock calibrating() {
        return new WallClock(true);
    }

    /** @return a clock whose readings differ exactly as {@link System#nanoTime()}'s do. */
    public static WallClock fixed() {
        return new WallClock(false);
    }

    /** @return nanoseconds since 1970-01-01T00:00Z. */
    public long epochNanos() {
        long now = System.nanoTime();
        if (recalibrates && now - calibratedAt > RECALIBRATE_NANOS) {
            calibrate();
            now = System.nanoTime();
        }
        return offset + now;
    }

    /** @return the time of day of a {@link System#nanoTime()} reading, with this clock's offset. */
    public long epochNanos(long nanoTime) {
        return offset + nanoTime;
    }

    /** @return the {@link System#nanoTime()} reading of a time of day, with this clock's offset. */
    public long nanoTime(long epochNanos) {
        return epochNanos - offset;
    }

    private void calibrate() {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        long epoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        offset = epoch - (before + (after - before) / 2);
        calibratedAt = after;
    }
}
