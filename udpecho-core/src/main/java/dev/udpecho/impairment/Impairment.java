package dev.udpecho.impairment;

import java.util.Locale;

/**
 * What was done to a reply on purpose. Each has its own counter, shown in the summary.
 */
public enum Impairment {
    /** Not sent. */
    LOST,
    /** Sent twice. */
    DUPLICATED,
    /** Held back and sent after the next reply. */
    REORDERED,
    /** Sent after the configured delay. */
    DELAYED,
    /** One payload byte flipped. */
    CORRUPTED,
    /** Cut short. */
    TRUNCATED,
    /** Meant to wait, but too many were waiting already: dropped. */
    OVERFLOWED;

    /** @return the name as it appears in summaries and metrics, e.g. {@code duplicated}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
