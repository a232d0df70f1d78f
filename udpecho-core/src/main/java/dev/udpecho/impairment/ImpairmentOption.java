package dev.udpecho.impairment;

import dev.udpecho.text.Durations;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ObjDoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each impairment option, declared once: its name, what its value looks like, what it does, and how its value
 * is read. The command line ({@code --loss 5%}), {@link Impairments#parse} ({@code loss=5%}), the server's
 * builder and the JUnit extension all take their options from here.
 *
 * <p>Stateless and thread-safe.
 */
public enum ImpairmentOption {
    /** Probability that a reply is not sent. */
    LOSS("loss", "P", "Probability that a reply is not sent: 0.05 or 5%.", probability(Impairments.Builder::loss)),
    /** How long each reply waits, with an optional jitter. */
    DELAY("delay", "D[±J]", "Delay each reply: 20ms, or 20ms±5ms (also 20ms+-5ms) for a uniform jitter.",
            ImpairmentOption::delayAndJitter),
    /** The jitter of the delay, when not given with it. */
    JITTER("jitter", "J", "Jitter of --delay, if not given there: each reply waits the delay ± up to this.",
            (b, value) -> b.jitter(Durations.parse(value))),
    /** Probability that a reply is sent twice. */
    DUPLICATE("duplicate", "P", "Probability that a reply is sent twice.",
            probability(Impairments.Builder::duplicate)),
    /** Probability that a reply is held back and sent after the next one. */
    REORDER("reorder", "P", "Probability that a reply is held back and sent after the next one.",
            probability(Impairments.Builder::reorder)),
    /** Probability that one byte of a reply's payload is flipped. */
    CORRUPT("corrupt", "P", "Probability that one byte of a reply's payload is flipped.",
            probability(Impairments.Builder::corrupt)),
    /** Probability that a reply is cut short. */
    TRUNCATE("truncate", "P", "Probability that a reply is cut short.", probability(Impairments.Builder::truncate)),
    /** Seed of the decisions. */
    SEED("seed", "N", "Seed of the random decisions: the same seed and the same datagrams give the same"
            + " decisions (with one worker, the default when impairing).", (b, value) -> b.seed(whole(value))),
    /** How many replies may wait at once. */
    MAX_DELAYED("max-delayed", "N", "Replies that may wait at once; more are dropped and counted (default: "
            + Impairments.DEFAULT_MAX_DELAYED + ").",
            (b, value) -> b.maxDelayed((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, whole(value)))));

    private static final Pattern WITH_JITTER = Pattern.compile("(.+?)\\s*(?:±|\\+-|\\+/-)\\s*(.+)");

    private final String key;
    private final String paramLabel;
    private final String description;
    private final BiConsumer<Impairments.Builder, String> reader;

    ImpairmentOption(String key, String paramLabel, String description,
                     BiConsumer<Impairments.Builder, String> reader) {
        this.key = key;
        this.paramLabel = paramLabel;
        this.description = description;
        this.reader = reader;
    }

    /** @return the name: {@code loss}, as in {@code --loss} and {@code loss=5%}. */
    public String key() {
        return key;
    }

    /** @return what its value looks like, for help: {@code P}, {@code D[±J]}, {@code N}. */
    public String paramLabel() {
        return paramLabel;
    }

    /** @return one sentence on what it does, for help. */
    public String description() {
        return description;
    }

    /**
     * Reads a value of this option into a builder.
     *
     * @param builder where it goes.
     * @param value   as a person writes it: {@code 5%}, {@code 0.05}, {@code 20ms±5ms}.
     * @throws IllegalArgumentException naming the value, if this option does not take it.
     */
    public void apply(Impairments.Builder builder, String value) {
        reader.accept(builder, value);
    }

    /**
     * Splits options as the command line's config file, the JUnit extensions and the proxy's API take them.
     *
     * @param options each {@code name=value}, or {@code name value}: {@code "loss=5%"}, {@code "delay 20ms"}.
     * @return the names and their values, trimmed, in the order given; of a name given twice, the last value.
     * @throws IllegalArgumentException quoting an option that is not {@code name=value}.
     */
    public static Map<String, String> split(String... options) {
        Map<String, String> named = new LinkedHashMap<>();
        for (String option : options) {
            String o = option.trim();
            int at = o.indexOf('=');
            if (at < 0) {
                at = o.indexOf(' ');
            }
            if (at < 0) {
                throw new IllegalArgumentException("'" + option + "' is not name=value (e.g. loss=5%)");
            }
            named.put(o.substring(0, at).trim(), o.substring(at + 1).trim());
        }
        return named;
    }

    /**
     * @param key an option's name, e.g. {@code loss} or {@code max-delayed}.
     * @return that option.
     * @throws IllegalArgumentException naming the options there are, if none has that name.
     */
    public static ImpairmentOption named(String key) {
        for (ImpairmentOption o : values()) {
            if (o.key.equals(key.toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        StringBuilder known = new StringBuilder();
        for (ImpairmentOption o : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(o.key);
        }
        throw new IllegalArgumentException("unknown impairment '" + key + "' (" + known + ")");
    }

    private static BiConsumer<Impairments.Builder, String> probability(ObjDoubleConsumer<Impairments.Builder> setter) {
        return (b, value) -> setter.accept(b, probability(value));
    }

    private static void delayAndJitter(Impairments.Builder b, String value) {
        Matcher m = WITH_JITTER.matcher(value.trim());
        if (m.matches()) {
            b.delay(Durations.parse(m.group(1))).jitter(Durations.parse(m.group(2)));
        } else {
            b.delay(Durations.parse(value));
        }
    }

    private static long whole(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }

    /** {@code 0.05} or {@code 5%}, from 0 to 1. */
    static double probability(String value) {
        String v = value.trim();
        double p;
        try {
            p = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            p = Double.NaN;
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("'" + value + "' is not a probability (0 to 1, or 0% to 100%)");
        }
        return p;
    }
}
