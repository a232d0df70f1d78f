package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;

import java.nio.ByteBuffer;

/**
 * Decides whether a received datagram is answered. This is the seam where guards, access lists and rate
 * limits plug into the server's receive → decide → reply path, whatever the transport.
 *
 * <p>Called on the event loop that received the datagram, once per datagram: implementations must not block
 * and should not allocate. An instance may be shared by several event loops, so shared state must be
 * thread-safe.
 */
@FunctionalInterface
public interface ReplyPolicy {
    /** Answers everything. */
    ReplyPolicy ALWAYS = (source, payload) -> null;

    /**
     * @param source  where the datagram came from; valid only during the call.
     * @param payload its bytes, from {@code position} to {@code limit}; read them with absolute gets, and leave the
     *                buffer and its bytes as they are.
     * @return {@code null} to reply, otherwise why not.
     */
    DropReason decide(PeerAddress source, ByteBuffer payload);

    /**
     * @param next the policy asked when this one lets a datagram through.
     * @return a policy that drops what either drops, asking this one first.
     */
    default ReplyPolicy andThen(ReplyPolicy next) {
        return (source, payload) -> {
            DropReason reason = decide(source, payload);
            return reason != null ? reason : next.decide(source, payload);
        };
    }
}
