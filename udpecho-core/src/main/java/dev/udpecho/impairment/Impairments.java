package dev.udpecho.impairment;

import java.time.Duration;
import java.util.Objects;

/**
 * What to do to replies so that a UDP client can be tested against a bad network: lose, delay, duplicate,
 * reorder, corrupt and truncate them, each with its own probability. Immutable; every value is checked here.
 *
 * @param loss       probability that a reply is not sent.
 * @param delay      how long each reply waits before it is sent, 0 to 60 s.
 * @param jitter     up to how much more or less than {@code delay} it waits, uniformly; at most {@code delay}.
 * @param duplicate  probability that a reply is sent twice.
 * @param reorder    probability that a reply is held back and sent after the next one.
 * @param corrupt    probability that one byte of a reply's payload is flipped.
 * @param truncate   probability that a reply is cut short, to a random length.
 * @param seed       seed of the decisions, for runs that repeat exactly; {@code null} for a random one.
 * @param maxDelayed replies that may wait at once (delayed or held back), 1 to 1000000; past that they are
 *                   dropped and counted.
 */
public record Impairments(double loss, Duration delay, Duration jitter, double duplicate, double reorder,
                          double corrupt, double truncate, Long seed, int maxDelayed) {
    /** Replies that may wait at once, unless asked otherwise. */
    public static final int DEFAULT_MAX_DELAYED = 10_000;
    /** A perfect network. */
    public static final Impairments NONE = new Impairments(0, Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, null,
            DEFAULT_MAX_DELAYED);

    /** Checks every value. */
    public Impairments {
        probability("loss", loss);
        probability("duplicate", duplicate);
        probability("reorder", reorder);
        probability("corrupt", corrupt);
        probability("truncate", truncate);
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
        if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("delay must be 0 to 60s, not " + delay);
        }
        if (jitter.isNegative() || jitter.compareTo(delay) > 0) {
            throw new IllegalArgumentException("jitter must be 0 to the delay (" + delay.toMillis() + "ms), not "
                    + jitter.toMillis() + "ms");
        }
        if (maxDelayed < 1 || maxDelayed > 1_000_000) {
            throw new IllegalArgumentException("max delayed replies must be 1 to 1000000, not " + maxDelayed);
        }
    }

    /** @return whether anything is done to replies. */
    public boolean isOn() {
        return loss > 0 || !delay.isZero() || duplicate > 0 || reorder > 0 || corrupt > 0 || truncate > 0;
    }

    /** @return whether replies may wait, delayed or held back. */
    public boolean delays() {
        return !delay.isZero() || reorder > 0;
    }

    /** @param p probability. @return these impairments with that loss. */
    public Impairments withLoss(double p) {
        return new Impairments(p, delay, jitter, duplicate, reorder, corrupt, truncate, seed, maxDelayed);
    }

    /** @param d delay. @param j jitter. @return these impairments with that delay. */
    public Impairments withDelay(Duration d, Duration j) {
        return new Impairments(loss, d, j, duplicate, reorder, corrupt, truncate, seed, maxDelayed);
    }

    /** @param p probability. @return these impairments with that duplication. */
    public Impairments withDuplicate(double p) {
        return new Impairments(loss, delay, jitter, p, reorder, corrupt, truncate, seed, maxDelayed);
    }

    /** @param p probability. @return these impairments with that reordering. */
    public Impairments withReorder(double p) {
        return new Impairments(loss, delay, jitter, duplicate, p, corrupt, truncate, seed, maxDelayed);
    }

    /** @param p probability. @return these impairments with that corruption. */
    public Impairments withCorrupt(double p) {
        return new Impairments(loss, delay, jitter, duplicate, reorder, p, truncate, seed, maxDelayed);
    }

    /** @param p probability. @return these impairments with that truncation. */
    public Impairments withTruncate(double p) {
        return new Impairments(loss, delay, jitter, duplicate, reorder, corrupt, p, seed, maxDelayed);
    }

    /** @param s seed, or {@code null} for a random one. @return these impairments with that seed. */
    public Impairments withSeed(Long s) {
        return new Impairments(loss, delay, jitter, duplicate, reorder, corrupt, truncate, s, maxDelayed);
    }

    /** @param n replies that may wait at once. @return these impairments with that bound. */
    public Impairments withMaxDelayed(int n) {
        return new Impairments(loss, delay, jitter, duplicate, reorder, corrupt, truncate, seed, n);
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability from 0 to 1, not " + p);
        }
    }
}
