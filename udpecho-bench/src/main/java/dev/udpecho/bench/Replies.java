package dev.udpecho.bench;

import java.nio.ByteBuffer;

/**
 * Accounts for a received batch: each reply's header names its datagram, the rest is compared with what that
 * datagram was. Stateless; called by the receiving thread.
 */
final class Replies {
    private Replies() {
    }

    static void account(BatchIo io, DatagramFormat format, SequenceTracker tracker, int n, long now) {
        for (int i = 0; i < n; i++) {
            ByteBuffer reply = io.incoming(i);
            int length = io.length(i);
            long sequence = format.sequence(reply, length);
            if (sequence < 0) {
                tracker.unmatched();
            } else {
                tracker.reply(sequence, format.matches(reply, length, sequence), now, now - format.sentAt(reply));
            }
        }
    }
}
