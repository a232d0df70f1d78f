package dev.udpecho.client;

import java.util.Locale;

/**
 * Why a datagram that arrived was not taken as the reply to any request.
 */
public enum StrayReply {
    /** Another copy of a reply already taken. */
    DUPLICATE,
    /** The reply to a request that was given up after its last try. */
    LATE,
    /** It answers nothing that was sent (recently). */
    UNEXPECTED;

    /** @return the kind in lower case, for messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
