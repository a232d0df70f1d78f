package dev.udpecho.bench;

/**
 * What became of the datagrams of a run, counted while measuring (the warmup's datagrams and their replies are
 * not counted).
 *
 * <p>Every datagram sent has exactly one outcome, once those still in flight at the end have been waited for
 * (up to the timeout): {@code sent = received + lost + late + (corrupt − unmatched)}. Replies that tell no new
 * outcome are counted on top: {@code duplicated}, {@code unmatched}, {@code stale}; and {@code reordered} is a
 * part of {@code received}.
 *
 * @param sent       datagrams sent.
 * @param received   datagrams whose first reply was exactly the prefix and the datagram, within the timeout.
 * @param lost       datagrams that no reply named: none within the timeout, and none later before the end.
 * @param late       datagrams whose first reply was exact but came after the timeout (they are not lost).
 * @param corrupt    replies whose bytes differ from the prefix and the datagram sent (length, prefix, header or
 *                   padding), not counting duplicates. One whose header is intact names its datagram, which then
 *                   counts as answered, corrupt; one whose header is damaged is also counted {@code unmatched}.
 * @param unmatched  the corrupt replies whose header is damaged (too short, or failing its check), so that they
 *                   name no datagram; the datagram they answered, unknown, ends lost.
 * @param duplicated further replies to a datagram that already had one.
 * @param reordered  received datagrams whose reply came after the reply to a later datagram.
 * @param stale      replies to datagrams so old (beyond {@link SequenceTracker#capacity()} sequence numbers back)
 *                   that their outcome is no longer kept: a duplicate or a very late reply.
 * @param errors     send and receive calls the system refused (e.g. {@code Connection refused} while nothing
 *                   listens); datagrams refused at sending count as sent, and end lost. In window and pingpong
 *                   modes from the start of measuring; in rate mode the warmup's count too.
 */
public record Tally(long sent, long received, long lost, long late, long corrupt, long unmatched, long duplicated,
                    long reordered, long stale, long errors) {

    /** @return whether every datagram sent has exactly one outcome. */
    public boolean balances() {
        return sent == received + lost + late + corrupt - unmatched;
    }

    /** @return lost datagrams as a percentage of those sent; 0 when none were sent. */
    public double lossPercent() {
        return sent == 0 ? 0 : 100.0 * lost / sent;
    }

    /** @return whether anything at all came back. */
    public boolean anyReply() {
        return received + late + corrupt + duplicated + stale > 0;
    }
}
