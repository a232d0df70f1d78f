package dev.udpecho.impairment;

import java.util.SplittableRandom;

/**
 * Decides, reply by reply, what the configured {@link Impairments} do to it. The same seed and the same
 * sequence of replies give the same decisions: every reply draws the same number of random values, whatever
 * is decided.
 *
 * <p>Not thread-safe: one per worker. Allocates nothing.
 */
public final class Impairer {
    /** Do not send. */
    public static final int LOSE = 1;
    /** Flip a payload byte ({@link #corruptIndex}, {@link #corruptMask}). */
    public static final int CORRUPT = 2;
    /** Cut to {@link #truncatedLength}. */
    public static final int TRUNCATE = 4;
    /** Send twice. */
    public static final int DUPLICATE = 8;
    /** Hold back until the next reply is sent. */
    public static final int REORDER = 16;
    /** Wait {@link #delayNanos} before sending. */
    public static final int DELAY = 32;

    private final Impairments config;
    private final SplittableRandom random;
    private final long delayNanos;
    private final long jitterNanos;
    private double corruptDraw;
    private double truncateDraw;
    private double delayDraw;
    private int maskDraw;

    /**
     * @param config what to do.
     * @param stream which worker this is: workers draw from different streams of the same seed.
     */
    public Impairer(Impairments config, int stream) {
        this.config = config;
        long seed = config.seed() != null ? config.seed() : System.nanoTime() ^ Double.doubleToLongBits(Math.random());
        this.random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * stream);
        this.delayNanos = config.delay().toNanos();
        this.jitterNanos = config.jitter().toNanos();
    }

    /** @return the configuration. */
    public Impairments config() {
        return config;
    }

    /**
     * @return what to do to the next reply: a combination of the flags above; 0 to send it untouched. Only
     * {@link #LOSE} comes alone.
     */
    public int decide() {
        double lose = random.nextDouble();
        double corrupt = random.nextDouble();
        double truncate = random.nextDouble();
        double duplicate = random.nextDouble();
        double reorder = random.nextDouble();
        corruptDraw = random.nextDouble();
        truncateDraw = random.nextDouble();
        delayDraw = random.nextDouble();
        maskDraw = random.nextInt(255) + 1;
        if (lose < config.loss()) {
            return LOSE;
        }
        int actions = 0;
        if (corrupt < config.corrupt()) {
            actions |= CORRUPT;
        }
        if (truncate < config.truncate()) {
            actions |= TRUNCATE;
        }
        if (duplicate < config.duplicate()) {
            actions |= DUPLICATE;
        }
        if (reorder < config.reorder()) {
            actions |= REORDER;
        }
        if (delayNanos > 0) {
            actions |= DELAY;
        }
        return actions;
    }

    /** @param payloadLength bytes after the prefix, at least 1. @return which of them to flip. */
    public int corruptIndex(int payloadLength) {
        return (int) (corruptDraw * payloadLength);
    }

    /** @return the non-zero bits to flip it with. */
    public byte corruptMask() {
        return (byte) maskDraw;
    }

    /** @param replyLength the reply's full size, at least 1. @return a shorter size, 0 to replyLength − 1. */
    public int truncatedLength(int replyLength) {
        return (int) (truncateDraw * replyLength);
    }

    /** @return how long this reply waits: the delay, give or take up to the jitter. */
    public long delayNanos() {
        return delayNanos + (long) ((delayDraw * 2 - 1) * jitterNanos);
    }
}
