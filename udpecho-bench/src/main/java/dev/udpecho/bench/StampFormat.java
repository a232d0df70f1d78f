package dev.udpecho.bench;

import dev.udpecho.protocol.Stamp;
import dev.udpecho.protocol.WallClock;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;

/**
 * A STAMP Session-Sender's test packets (RFC 8762 §4.2.1, unauthenticated; RFC 8972's SSID), for measuring a
 * Session-Reflector: a router's, or {@code udpecho server --protocol stamp}. A packet of {@value Stamp#BASE} bytes
 * has no TLV; a longer one carries one Extra Padding TLV, its value a pattern of the sequence number, which a
 * reflector returns as it came.
 *
 * <p>A reply is matched by what the reflector copies: the Session-Sender Sequence Number (32 bits, widened to the
 * run's), the SSID (random per run, so another run's replies are not taken for this one's) and the Sender Error
 * Estimate; the send time is the Sender Timestamp it returns. The round trip is T4 − T1 less the reflector's
 * residence time T3 − T2, which is recorded on its own, as are the one-way delays T2 − T1 and T4 − T3 when both
 * clocks say they are synchronised to UTC (this one by {@code --clock-synchronised}, the reflector's by the S
 * bit of its Error Estimate). With a stateful reflector, its own sequence numbers count what it received, which
 * splits the loss into forward and backward.
 *
 * <p>{@link #write} runs on the sending thread; the rest, and the figures, on the receiving thread.
 */
final class StampFormat implements WireFormat {
    private static final long NANOS = 1_000_000_000L;
    private static final int PADDING = Stamp.BASE + Stamp.TLV_HEADER;

    private final int size;
    private final int ssid;
    private final int errorEstimate;
    private final long key;
    private final boolean synchronised;
    private final boolean stateful;
    private final SequenceTracker tracker;
    private final WallClock clock = WallClock.fixed();
    private final Histogram residence;
    private final Histogram forward;
    private final Histogram backward;
    private long measuredReplies;
    private long reflectorFirst = -1;
    private long reflectorLast = -1;
    private long negativeOneWay;
    private boolean reflectorSynchronised = true;
    /** The tracker's {@link SequenceTracker#starts} that the figures above are from: a rehearsal's are dropped. */
    private int start;

    /**
     * @param synchronised whether this host's clock is synchronised to UTC.
     * @param stateful     whether the reflector counts its own sequence numbers.
     * @param tracker      the run's tracker: what was sent, and from when replies count.
     * @param highest      the longest time recorded, in nanoseconds.
     */
    StampFormat(int size, long key, boolean synchronised, boolean stateful, SequenceTracker tracker, long highest) {
        this.size = size;
        this.key = key;
        this.ssid = 1 + (int) ((key >>> 17) % 65_535); // 1 to 65535: 0 is a TWAMP-Light sender's
        this.synchronised = synchronised;
        this.stateful = stateful;
        this.errorEstimate = Stamp.errorEstimate(1_000_000, synchronised, false);
        this.tracker = tracker;
        this.residence = new Histogram(1, highest, 3);
        this.forward = new Histogram(1, highest, 3);
        this.backward = new Histogram(1, highest, 3);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int replySize() {
        return size;
    }

    /** @return the SSID of this run's packets. */
    int ssid() {
        return ssid;
    }

    @Override
    public void write(ByteBuffer into, long sequence, long sentAt) {
        Stamp.putInt(into, Stamp.SEQUENCE, (int) sequence);
        Stamp.putLong(into, Stamp.TIMESTAMP, Stamp.ntp(clock.epochNanos(sentAt)));
        Stamp.putShort(into, Stamp.ERROR_ESTIMATE, errorEstimate);
        Stamp.putShort(into, Stamp.SSID, ssid);
        for (int i = Stamp.RECEIVE_TIMESTAMP; i < Stamp.BASE; i += 4) {
            into.putInt(i, 0);
        }
        if (size > Stamp.BASE) {
            into.put(Stamp.BASE, (byte) 0);
            into.put(Stamp.BASE + 1, (byte) Stamp.TLV_EXTRA_PADDING);
            Stamp.putShort(into, Stamp.BASE + 2, size - PADDING);
            for (int j = PADDING; j < size; j++) {
                into.put(j, padding(sequence, j));
            }
        }
    }

    private byte padding(long sequence, int j) {
        long w = mix(key + sequence * 0x9E3779B97F4A7C15L + (j >>> 3));
        return (byte) (w >>> ((j & 7) << 3));
    }

    @Override
    public long sequence(ByteBuffer reply, int length) {
        if (length < Stamp.BASE || Stamp.getShort(reply, Stamp.SSID) != ssid
                || Stamp.getShort(reply, Stamp.SENDER_ERROR_ESTIMATE) != errorEstimate) {
            return -1;
        }
        return senderSequence(reply);
    }

    /** @return the Session-Sender Sequence Number, 32 bits, widened to the run's: the latest sent that ends so. */
    private long senderSequence(ByteBuffer reply) {
        long sent = tracker.sentUpTo();
        long sequence = (sent & ~0xFFFF_FFFFL) | Stamp.getUnsignedInt(reply, Stamp.SENDER_SEQUENCE);
        return sequence >= sent ? sequence - (1L << 32) : sequence;
    }

    @Override
    public long sentAt(ByteBuffer reply) {
        return clock.nanoTime(Stamp.fromNtp(Stamp.getLong(reply, Stamp.SENDER_TIMESTAMP)));
    }

    @Override
    public boolean matches(ByteBuffer reply, int length, long sequence) {
        if (length != size) {
            return false;
        }
        if (size > Stamp.BASE) {
            if ((reply.get(Stamp.BASE + 1) & 0xFF) != Stamp.TLV_EXTRA_PADDING
                    || Stamp.getShort(reply, Stamp.BASE + 2) != size - PADDING) {
                return false;
            }
            for (int j = PADDING; j < size; j++) {
                if (reply.get(j) != padding(sequence, j)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** T4 − T1 − (T3 − T2); records the residence time, and the one-way delays where they mean something. */
    @Override
    public long roundTrip(ByteBuffer reply, int length, long now) {
        long t1 = sentAt(reply);
        int reflectorError = Stamp.getShort(reply, Stamp.ERROR_ESTIMATE);
        long t2 = Stamp.fromTimestamp(Stamp.getLong(reply, Stamp.RECEIVE_TIMESTAMP), reflectorError);
        long t3 = Stamp.fromTimestamp(Stamp.getLong(reply, Stamp.TIMESTAMP), reflectorError);
        long held = Math.max(0, t3 - t2);
        if (tracker.measuring(senderSequence(reply))) {
            if (start != tracker.starts()) {
                start = tracker.starts();
                dropFigures();
            }
            measuredReplies++;
            record(residence, held);
            reflectorSynchronised &= (reflectorError & Stamp.ERROR_S) != 0;
            long out = t2 - clock.epochNanos(t1);
            long back = clock.epochNanos(now) - t3;
            if (out < 0 || back < 0) {
                negativeOneWay++;
            }
            record(forward, Math.max(0, out));
            record(backward, Math.max(0, back));
            long reflector = Stamp.getUnsignedInt(reply, Stamp.SEQUENCE);
            if (reflectorFirst < 0 || reflector < reflectorFirst) {
                reflectorFirst = reflector;
            }
            reflectorLast = Math.max(reflectorLast, reflector);
        }
        return Math.max(0, now - t1 - held);
    }

    private void dropFigures() {
        residence.reset();
        forward.reset();
        backward.reset();
        measuredReplies = 0;
        reflectorFirst = -1;
        reflectorLast = -1;
        negativeOneWay = 0;
        reflectorSynchronised = true;
    }

    private static void record(Histogram h, long nanos) {
        h.recordValue(Math.min(Math.max(nanos, 0), h.getHighestTrackableValue()));
    }

    /** @return the figures, once the run is over, given its counts. */
    StampStats stats(Tally tally) {
        if (start != tracker.starts()) {
            dropFigures(); // counting started again (or a rehearsal was dropped), and no measured reply came since
        }
        boolean oneWay = synchronised && reflectorSynchronised && measuredReplies > 0;
        long forwardLost = -1;
        long backwardLost = -1;
        if (stateful && reflectorFirst >= 0) {
            long reflected = reflectorLast - reflectorFirst + 1;
            forwardLost = Math.max(0, tally.sent() - reflected);
            backwardLost = Math.max(0, reflected - tally.received());
        }
        return new StampStats(ssid, residence, oneWay ? forward : null, oneWay ? backward : null,
                synchronised, measuredReplies > 0 && reflectorSynchronised, negativeOneWay, forwardLost, backwardLost);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
