package dev.udpecho.server;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * Decides whether a received datagram is answered. This is the seam where guards, access lists and rate
 * limits plug into the receive → decide → reply path of {@link EchoHandler}.
 *
 * <p>Called on the event loop that received the datagram, once per datagram: implementations must not block
 * and should not allocate. An instance may be shared by several event loops, so shared state must be
 * thread-safe.
 */
@FunctionalInterface
public interface ReplyPolicy {
    /** Answers everything. */
    ReplyPolicy ALWAYS = (sender, payload) -> null;

    /**
     * @param sender  where the datagram came from.
     * @param payload its bytes, from {@code readerIndex} to {@code writerIndex}; must not be modified.
     * @return {@code null} to reply, otherwise why not.
     */
    DropReason decide(InetSocketAddress sender, ByteBuf payload);

    /**
     * @param next the policy asked when this one lets a datagram through.
     * @return a policy that drops what either drops, asking this one first.
     */
    default ReplyPolicy andThen(ReplyPolicy next) {
        return (sender, payload) -> {
            DropReason reason = decide(sender, payload);
            return reason != null ? reason : next.decide(sender, payload);
        };
    }
}
