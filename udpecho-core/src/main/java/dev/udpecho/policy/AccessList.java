package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import java.nio.ByteBuffer;

import java.util.List;

/**
 * {@code --allow} and {@code --deny}: a source in a denied block gets no reply; when any block is allowed, a
 * source in none of them gets no reply either. Deny wins over allow.
 *
 * <p>Immutable and thread-safe; allocates nothing.
 */
public final class AccessList implements ReplyPolicy {
    /** Allows everyone. */
    public static final AccessList OPEN = new AccessList(List.of(), List.of());

    private final Cidr[] allow;
    private final Cidr[] deny;

    /**
     * @param allow blocks to serve; empty means every source.
     * @param deny  blocks never to serve.
     */
    public AccessList(List<Cidr> allow, List<Cidr> deny) {
        this.allow = allow.toArray(new Cidr[0]);
        this.deny = deny.toArray(new Cidr[0]);
    }

    /** @return whether this list refuses no one. */
    public boolean isOpen() {
        return allow.length == 0 && deny.length == 0;
    }

    @Override
    public DropReason decide(PeerAddress source, ByteBuffer payload) {
        for (Cidr block : deny) {
            if (block.contains(source)) {
                return DropReason.ACCESS_DENIED;
            }
        }
        if (allow.length == 0) {
            return null;
        }
        for (Cidr block : allow) {
            if (block.contains(source)) {
                return null;
            }
        }
        return DropReason.ACCESS_DENIED;
    }

    /** @return the blocks allowed. */
    public List<Cidr> allowed() {
        return List.of(allow);
    }

    /** @return the blocks denied. */
    public List<Cidr> denied() {
        return List.of(deny);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessList && allowed().equals(((AccessList) o).allowed())
                && denied().equals(((AccessList) o).denied());
    }

    @Override
    public int hashCode() {
        return allowed().hashCode() * 31 + denied().hashCode();
    }

    @Override
    public String toString() {
        return "AccessList[allow=" + allowed() + ", deny=" + denied() + "]";
    }
}
