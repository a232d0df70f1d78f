package dev.udpecho.bench;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Accounts for a received batch: each reply's header names its datagram, the rest is compared with what that
 * datagram was. Stateless; called by the receiving thread.
 */
final class Replies {
    private Replies() {
    }

    /**
     * One turn of a receiving loop: takes what has arrived (a receive error is counted and takes nothing),
     * accounts for it, counts as lost what waited past the timeout, and publishes the tally.
     *
     * @return when the batch was taken, in {@link System#nanoTime()}.
     */
    static long receive(BatchIo io, WireFormat format, SequenceTracker tracker) {
        int n;
        try {
            n = io.receive();
        } catch (IOException e) {
            tracker.receiveError();
            n = 0;
        }
        long now = System.nanoTime();
        taken(io, format, tracker, n, now);
        return now;
    }

    /**
     * Takes what is queued without waiting (a receive error is counted and takes nothing).
     *
     * @return how many slots were filled, from 0.
     */
    static int takeQueued(BatchIo io, SequenceTracker tracker) {
        try {
            return io.receiveQueued();
        } catch (IOException e) {
            tracker.receiveError();
            return 0;
        }
    }

    /**
     * The rest of a turn once {@code n} slots were taken at {@code now}: accounts for them, counts as lost what
     * waited past the timeout, and publishes the tally.
     */
    static void taken(BatchIo io, WireFormat format, SequenceTracker tracker, int n, long now) {
        account(io, format, tracker, n, now);
        tracker.expire(now);
        tracker.publish();
    }

    /**
     * Accounts for received slots 0 to {@code n} − 1.
     *
     * @param now when they were taken: each reply's receive time where the socket does not report it.
     */
    static void account(BatchIo io, WireFormat format, SequenceTracker tracker, int n, long now) {
        for (int i = 0; i < n; i++) {
            ByteBuffer reply = io.incoming(i);
            int length = io.length(i);
            long sequence = format.sequence(reply, length);
            if (sequence < 0) {
                tracker.unmatched();
            } else {
                long at = io.receivedAt(i);
                if (at == BatchIo.NO_TIME) {
                    at = now;
                }
                tracker.reply(sequence, format.matches(reply, length, sequence), at, format.roundTrip(reply, length, at));
            }
        }
    }
}
