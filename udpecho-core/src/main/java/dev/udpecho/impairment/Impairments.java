package dev.udpecho.impairment;

import java.time.Duration;
import java.util.Objects;

/**
 * What to do to replies so that a UDP client can be tested against a bad network: lose, delay, duplicate,
 * reorder, corrupt and truncate them, each with its own probability. Immutable; every value is checked here.
 * Built by name with {@link #builder()} or parsed with {@link #parse}; each option is declared once, in
 * {@link ImpairmentOption}; the server applies them with one semantics on every transport.
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

    /** @return a builder that starts from a perfect network. */
    public static Builder builder() {
        return new Builder(NONE);
    }

    /** @return a builder that starts from these impairments. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Parses impairments as the command line and the JUnit extension take them, one {@code name=value} each,
     * named as {@link ImpairmentOption} declares them: {@code loss=5%}, {@code delay=20ms±5ms}, {@code seed=42}.
     *
     * @param options e.g. {@code "loss=5%", "duplicate=0.01"}; a value may also come as {@code loss 5%}.
     * @return the impairments.
     * @throws IllegalArgumentException naming the option, for an unknown one or a value it does not take.
     */
    public static Impairments parse(String... options) {
        Builder b = builder();
        ImpairmentOption.split(options).forEach((name, value) -> {
            ImpairmentOption named = ImpairmentOption.named(name);
            try {
                named.apply(b, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(named.key() + ": " + e.getMessage(), e);
            }
        });
        return b.build();
    }

    /** Collects impairments by name; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private double loss;
        private Duration delay;
        private Duration jitter;
        private double duplicate;
        private double reorder;
        private double corrupt;
        private double truncate;
        private Long seed;
        private int maxDelayed;

        private Builder(Impairments from) {
            loss = from.loss;
            delay = from.delay;
            jitter = from.jitter;
            duplicate = from.duplicate;
            reorder = from.reorder;
            corrupt = from.corrupt;
            truncate = from.truncate;
            seed = from.seed;
            maxDelayed = from.maxDelayed;
        }

        /** @param p probability that a reply is not sent. @return this builder. */
        public Builder loss(double p) {
            loss = p;
            return this;
        }

        /** @param d how long each reply waits. @return this builder. */
        public Builder delay(Duration d) {
            delay = d;
            return this;
        }

        /** @param j up to how much more or less than the delay each reply waits. @return this builder. */
        public Builder jitter(Duration j) {
            jitter = j;
            return this;
        }

        /** @param p probability that a reply is sent twice. @return this builder. */
        public Builder duplicate(double p) {
            duplicate = p;
            return this;
        }

        /** @param p probability that a reply is held back and sent after the next one. @return this builder. */
        public Builder reorder(double p) {
            reorder = p;
            return this;
        }

        /** @param p probability that a payload byte of a reply is flipped. @return this builder. */
        public Builder corrupt(double p) {
            corrupt = p;
            return this;
        }

        /** @param p probability that a reply is cut short. @return this builder. */
        public Builder truncate(double p) {
            truncate = p;
            return this;
        }

        /** @param s seed of the decisions, {@code null} for a random one. @return this builder. */
        public Builder seed(Long s) {
            seed = s;
            return this;
        }

        /** @param n replies that may wait at once. @return this builder. */
        public Builder maxDelayed(int n) {
            maxDelayed = n;
            return this;
        }

        /** @return the impairments. @throws IllegalArgumentException naming a value out of range. */
        public Impairments build() {
            return new Impairments(loss, delay, jitter, duplicate, reorder, corrupt, truncate, seed, maxDelayed);
        }
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability from 0 to 1, not " + p);
        }
    }
}
