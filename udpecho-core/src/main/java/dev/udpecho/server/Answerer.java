package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.DropReason;

import java.nio.ByteBuffer;

/**
 * What a protocol other than the echo answers (STAMP, sockperf): writes the reply over the datagram, in place, so
 * that every transport sends it as it sends an echo. Called by the {@link Responder} for a datagram the guards
 * let through, before the impairments.
 *
 * <p>One instance per socket, used only by that socket's thread; allocates nothing per datagram.
 */
interface Answerer {
    /** Every transport hands over a payload buffer with at least this much room, so that a reply may grow to it. */
    int MIN_ROOM = 64;

    /** {@link #answer}'s result for a datagram that gets no reply: {@link #reason()} says why. */
    int REFUSED = -1;

    /**
     * @param source  where the datagram came from.
     * @param payload the datagram, from position 0 to its limit; writable up to its capacity (at least
     *                {@link #MIN_ROOM}). Nothing past the limit is read.
     * @param in      what the transport knows of how it arrived (TTL, TOS).
     * @return the length of the reply written from position 0, or {@link #REFUSED}.
     */
    int answer(PeerAddress source, ByteBuffer payload, ReplyQueue in);

    /** @return why the last datagram {@link #REFUSED} gets no reply. */
    DropReason reason();
}
