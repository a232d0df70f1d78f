package dev.udpecho.text;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line or in a test: {@code 200ms}, {@code 2s}, {@code 1.5s},
 * {@code 1m}, {@code 250us}, {@code 1h}; a bare number is seconds.
 *
 * <p>Stateless.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)?");

    private Durations() {
    }

    /**
     * @param value e.g. {@code 20ms}.
     * @return the duration.
     * @throws IllegalArgumentException naming the value, if it is not one.
     */
    public static Duration parse(String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration (e.g. 200ms, 2s, 1m)");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        long nanosPerUnit;
        switch (unit) {
            case "us":
                nanosPerUnit = 1_000L;
                break;
            case "ms":
                nanosPerUnit = 1_000_000L;
                break;
            case "m":
                nanosPerUnit = 60_000_000_000L;
                break;
            case "h":
                nanosPerUnit = 3_600_000_000_000L;
                break;
            default:
                nanosPerUnit = 1_000_000_000L;
        }
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + value + "' is too long");
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
