package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.AccessList;
import dev.udpecho.policy.DropReason;
import dev.udpecho.policy.LoopGuard;
import dev.udpecho.policy.ReplyPolicy;
import dev.udpecho.policy.SourceRateLimiter;
import java.nio.ByteBuffer;

/**
 * The server's policy: access list, loop guard, rate limits, then any policy of the embedding application, in
 * that order, so that refused sources use no rate-limit tokens. Held in final fields of their own types, so
 * that the JIT can inline the whole decision into the receive loop.
 *
 * <p>Thread-safe as its parts are; allocates nothing.
 */
final class Guards implements ReplyPolicy {
    private final AccessList accessList;
    private final LoopGuard loopGuard;
    private final SourceRateLimiter rateLimiter;
    private final ReplyPolicy extra;

    /**
     * @param accessList  sources allowed and denied.
     * @param loopGuard   the loop guard.
     * @param rateLimiter the rate limits, or {@code null} for none.
     * @param extra       the application's policy, asked last.
     */
    Guards(AccessList accessList, LoopGuard loopGuard, SourceRateLimiter rateLimiter, ReplyPolicy extra) {
        this.accessList = accessList.isOpen() ? null : accessList;
        this.loopGuard = loopGuard;
        this.rateLimiter = rateLimiter;
        this.extra = extra == ReplyPolicy.ALWAYS ? null : extra;
    }

    @Override
    public DropReason decide(PeerAddress source, ByteBuffer payload) {
        DropReason reason;
        if (accessList != null && (reason = accessList.decide(source, payload)) != null) {
            return reason;
        }
        if ((reason = loopGuard.decide(source, payload)) != null) {
            return reason;
        }
        if (rateLimiter != null && (reason = rateLimiter.decide(source, payload)) != null) {
            return reason;
        }
        return extra == null ? null : extra.decide(source, payload);
    }
}
