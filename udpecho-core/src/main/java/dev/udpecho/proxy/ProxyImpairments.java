package dev.udpecho.proxy;

import dev.udpecho.impairment.ImpairmentOption;
import dev.udpecho.impairment.Impairments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link UdpProxy} does to each direction. Immutable.
 *
 * <p>Named as the command line names them, and read by {@link #parse} alone, so that {@code udpecho proxy}, the
 * Java API and the HTTP API take the same options: each {@link ImpairmentOption} bare ({@code loss=5%}) applies
 * to both directions, each on its own draws; with {@code up-} or {@code down-} ({@code down-delay=200ms}) to one,
 * over the bare one whatever their order. Besides those: {@code up-rate} and {@code down-rate} (datagrams per
 * second, {@code rate} for both) and {@code blackhole} ({@code none}, {@code up}, {@code down} or {@code both}).
 *
 * @param up   client → upstream.
 * @param down upstream → client.
 */
public record ProxyImpairments(FlowImpairments up, FlowImpairments down) {
    /** Everything forwarded, untouched. */
    public static final ProxyImpairments NONE = new ProxyImpairments(FlowImpairments.NONE, FlowImpairments.NONE);
    private static final String RATE = "rate";
    private static final String BLACKHOLE = "blackhole";

    /** Checks the values. */
    public ProxyImpairments {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(down, "down");
    }

    /** @param direction which. @return what is done to it. */
    public FlowImpairments of(Direction direction) {
        return direction == Direction.UP ? up : down;
    }

    /**
     * @param options e.g. {@code "loss=5%"}, {@code "down-delay=200ms±20ms"}, {@code "blackhole=up"}; a value may
     *                also come as {@code loss 5%}.
     * @return the impairments.
     * @throws IllegalArgumentException naming the option, for an unknown one or a value it does not take.
     */
    public static ProxyImpairments parse(String... options) {
        return parse(ImpairmentOption.split(options));
    }

    /**
     * @param options option names (as {@link #names()} gives them) and their values, as a person writes them.
     * @return the impairments; an option not given is off.
     * @throws IllegalArgumentException naming the option, for an unknown one or a value it does not take.
     */
    public static ProxyImpairments parse(Map<String, String> options) {
        Impairments.Builder[] builders = {Impairments.builder(), Impairments.builder()};
        double[] rates = {0, 0};
        boolean[] blackholes = {false, false};
        // Bare options first, then each direction's own over them.
        for (int pass = 0; pass < 2; pass++) {
            for (Map.Entry<String, String> e : options.entrySet()) {
                String name = e.getKey().trim().toLowerCase(Locale.ROOT);
                Direction only = name.startsWith("up-") ? Direction.UP
                        : name.startsWith("down-") ? Direction.DOWN : null;
                if ((only == null) != (pass == 0)) {
                    continue;
                }
                String key = only == null ? name : name.substring(only.label().length() + 1);
                String value = Objects.requireNonNull(e.getValue(), name).trim();
                try {
                    if (key.equals(BLACKHOLE)) {
                        if (only != null) {
                            throw new IllegalArgumentException("unknown option (blackhole takes up, down or both)");
                        }
                        blackhole(value, blackholes);
                    } else if (key.equals(RATE)) {
                        double rate = rate(value);
                        for (Direction d : Direction.values()) {
                            if (only == null || only == d) {
                                rates[d.ordinal()] = rate;
                            }
                        }
                    } else {
                        ImpairmentOption option = ImpairmentOption.named(key);
                        for (Direction d : Direction.values()) {
                            if (only == null || only == d) {
                                option.apply(builders[d.ordinal()], value);
                            }
                        }
                    }
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(name + ": " + ex.getMessage(), ex);
                }
            }
        }
        FlowImpairments[] flows = new FlowImpairments[2];
        for (Direction d : Direction.values()) {
            int i = d.ordinal();
            Impairments impairments;
            try {
                impairments = builders[i].build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(d.label() + ": " + e.getMessage(), e);
            }
            flows[i] = new FlowImpairments(impairments, rates[i], blackholes[i]);
        }
        return new ProxyImpairments(flows[0], flows[1]);
    }

    /** @return every option name {@link #parse} takes, bare ones first. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (String prefix : new String[] {"", "up-", "down-"}) {
            for (ImpairmentOption o : ImpairmentOption.values()) {
                names.add(prefix + o.key());
            }
            names.add(prefix + RATE);
        }
        names.add(BLACKHOLE);
        return names;
    }

    /**
     * @return every value, by the name {@link #parse} takes, each direction's on its own ({@code up-loss},
     *     {@code down-loss}, ...): parsing them gives these impairments back.
     */
    public Map<String, String> toOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        for (Direction d : Direction.values()) {
            String p = d.label() + "-";
            FlowImpairments f = of(d);
            Impairments i = f.impairments();
            options.put(p + "loss", number(i.loss()));
            options.put(p + "delay", duration(i.delay()));
            options.put(p + "jitter", duration(i.jitter()));
            options.put(p + "duplicate", number(i.duplicate()));
            options.put(p + "reorder", number(i.reorder()));
            options.put(p + "corrupt", number(i.corrupt()));
            options.put(p + "truncate", number(i.truncate()));
            if (i.seed() != null) {
                options.put(p + "seed", Long.toString(i.seed()));
            }
            options.put(p + "max-delayed", Integer.toString(i.maxDelayed()));
            options.put(p + RATE, number(f.rate()));
        }
        options.put(BLACKHOLE, up.blackhole() ? (down.blackhole() ? "both" : "up") : down.blackhole() ? "down" : "none");
        return options;
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static void blackhole(String value, boolean[] blackholes) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "none":
                blackholes[0] = blackholes[1] = false;
                break;
            case "up":
                blackholes[0] = true;
                blackholes[1] = false;
                break;
            case "down":
                blackholes[0] = false;
                blackholes[1] = true;
                break;
            case "both":
                blackholes[0] = blackholes[1] = true;
                break;
            default:
                throw new IllegalArgumentException("'" + value + "' is not none, up, down or both");
        }
    }

    private static double rate(String value) {
        double rate;
        try {
            rate = Double.parseDouble(value.endsWith("/s") ? value.substring(0, value.length() - 2) : value);
        } catch (NumberFormatException e) {
            rate = Double.NaN;
        }
        if (!(rate >= 0 && rate <= 1e9)) {
            throw new IllegalArgumentException("'" + value + "' is not a rate (datagrams a second, 0 for no limit)");
        }
        return rate;
    }

    /** @return a duration in the form {@link #parse} reads. */
    static String duration(Duration d) {
        return d.toNanos() / 1000 + "us";
    }
}
