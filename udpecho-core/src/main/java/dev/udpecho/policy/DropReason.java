package dev.udpecho.policy;

import java.util.Locale;

/**
 * Why a received datagram got no reply. Each reason has its own counter, shown in the summary.
 */
public enum DropReason {
    /** The prefix plus the payload would exceed the largest datagram the protocol carries to that peer. */
    OVERSIZE,
    /** The source port is below 1024, where services live (DNS, NTP, echo, chargen): a reply could start a loop. */
    LOW_SOURCE_PORT,
    /** The source port is the server's own: most likely another echo server answering us. */
    OWN_PORT,
    /** The source cannot be a real sender: port 0, or a multicast, broadcast or unspecified address. */
    BAD_SOURCE,
    /**
     * It was sent to a broadcast address (255.255.255.255, or a subnet's): a reply would go back to a forged
     * source for every host that heard it (the Fraggle pattern).
     */
    BROADCAST,
    /** It was sent to a multicast group (224.0.0.0/4, ff00::/8): the same reflection as broadcast. */
    MULTICAST,
    /** The datagram already starts with the prefix twice: it is an answer to an answer. */
    ECHO_OF_ECHO,
    /** The source is refused by {@code --deny}, or not in {@code --allow}. */
    ACCESS_DENIED,
    /** The source's prefix (/32 or /64 by default) sent more than its rate limit allows. */
    RATE_LIMITED,
    /** All sources together sent more than the overall limit ({@code --max-rate}) allows. */
    MAX_RATE,
    /** Shorter than the smallest message of the server's protocol (a STAMP or sockperf header). */
    TOO_SHORT,
    /** A header that contradicts the datagram, such as a sockperf length that is not the datagram's. */
    BAD_HEADER,
    /** A message the protocol does not answer: a sockperf warm-up, one that asks for no reply, or another server's. */
    NOT_ASKED,
    /** The reply found the socket's queue of pending replies full (the socket could not send as fast). */
    SEND_QUEUE_FULL;

    /** @return the reason as it appears in summaries and metrics, e.g. {@code low-source-port}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return a few words for a log line, e.g. {@code low source port}. */
    public String description() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
