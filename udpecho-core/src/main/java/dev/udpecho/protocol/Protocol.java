package dev.udpecho.protocol;

import java.util.Locale;

/**
 * What a server answers and a bench speaks: the tutorial's echo, a STAMP Session-Reflector (RFC 8762, RFC 8972),
 * or sockperf's ping-pong.
 */
public enum Protocol {
    /** The reply is the prefix and the datagram. */
    ECHO,
    /** STAMP, unauthenticated mode: the reply is the Session-Reflector's packet ({@link Stamp}). */
    STAMP,
    /** sockperf: the reply is the message with its client flag cleared, for messages that ask for one ({@link Sockperf}). */
    SOCKPERF;

    /** @return the name on the command line, e.g. {@code stamp}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code echo}, {@code stamp} or {@code sockperf}, in any case.
     * @return the protocol.
     * @throws IllegalArgumentException naming the choices, for anything else.
     */
    public static Protocol parse(String text) {
        for (Protocol p : values()) {
            if (p.label().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + text + "' (expected echo, stamp or sockperf)");
    }
}
