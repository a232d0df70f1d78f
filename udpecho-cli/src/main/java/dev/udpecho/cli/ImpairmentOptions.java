package dev.udpecho.cli;

import dev.udpecho.impairment.Impairments;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fault injection: what the server does to its replies on purpose, to test a UDP client against loss, delay,
 * duplicates, reordering and damage. Parses; the engine applies.
 */
final class ImpairmentOptions {
    @Option(names = "--loss", paramLabel = "P", converter = Probability.class, defaultValue = "0",
            description = "Probability that a reply is not sent: 0.05 or 5%%.")
    double loss;

    @Option(names = "--delay", paramLabel = "D[±J]", converter = DelayConverter.class, defaultValue = "0ms",
            description = "Delay each reply: 20ms, or 20ms±5ms (also 20ms+-5ms) for a uniform jitter.")
    Delay delay;

    @Option(names = "--jitter", paramLabel = "J", converter = Converters.Timeout.class,
            description = "Jitter of --delay, if not given there: each reply waits the delay ± up to this.")
    Duration jitter;

    @Option(names = "--duplicate", paramLabel = "P", converter = Probability.class, defaultValue = "0",
            description = "Probability that a reply is sent twice.")
    double duplicate;

    @Option(names = "--reorder", paramLabel = "P", converter = Probability.class, defaultValue = "0",
            description = "Probability that a reply is held back and sent after the next one.")
    double reorder;

    @Option(names = "--corrupt", paramLabel = "P", converter = Probability.class, defaultValue = "0",
            description = "Probability that one byte of a reply's payload is flipped.")
    double corrupt;

    @Option(names = "--truncate", paramLabel = "P", converter = Probability.class, defaultValue = "0",
            description = "Probability that a reply is cut short.")
    double truncate;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the random decisions: the same seed and the same datagrams give the same"
                    + " decisions (with one worker, the default when impairing).")
    Long seed;

    @Option(names = "--max-delayed", paramLabel = "N", defaultValue = "" + Impairments.DEFAULT_MAX_DELAYED,
            description = "Replies that may wait at once; more are dropped and counted (default: ${DEFAULT-VALUE}).")
    int maxDelayed;

    Impairments impairments() {
        Duration j = jitter != null ? jitter : delay.jitter();
        return new Impairments(loss, delay.delay(), j, duplicate, reorder, corrupt, truncate, seed, maxDelayed);
    }

    /** A delay and its jitter. */
    record Delay(Duration delay, Duration jitter) {
    }

    /** {@code 20ms}, {@code 20ms±5ms}, {@code 20ms+-5ms}. */
    static final class DelayConverter implements ITypeConverter<Delay> {
        private static final Pattern WITH_JITTER = Pattern.compile("(.+?)\\s*(?:±|\\+-|\\+/-)\\s*(.+)");

        @Override
        public Delay convert(String value) {
            Matcher m = WITH_JITTER.matcher(value.trim());
            if (m.matches()) {
                return new Delay(Converters.duration(m.group(1)), Converters.duration(m.group(2)));
            }
            return new Delay(Converters.duration(value), Duration.ZERO);
        }
    }

    /** {@code 0.05} or {@code 5%}, from 0 to 1. */
    static final class Probability implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            double p;
            try {
                p = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100
                        : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                p = Double.NaN;
            }
            if (!(p >= 0 && p <= 1)) {
                throw new TypeConversionException("'" + value + "' is not a probability (0 to 1, or 0% to 100%)");
            }
            return p;
        }
    }
}
