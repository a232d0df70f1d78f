package dev.udpecho.bench;

import org.HdrHistogram.ValueRecorder;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Accounts for every datagram of a run by its sequence number (0, 1, 2, ... in send order), and records the
 * round-trip time of each one received. The counters are defined by {@link Tally}.
 *
 * <p>State is kept per sequence number in preallocated arrays indexed by {@code sequence & (capacity − 1)}: the
 * send time, and the outcome once there is one. A sequence number is in flight from {@link #sent} until a reply
 * names it or its timeout passes ({@link #expire}); its outcome is then kept until the index is reused,
 * {@code capacity} sequence numbers later, to tell a duplicate from a late reply. The sender does not reuse an
 * index whose datagram is still in flight ({@link #hasRoom}).
 *
 * <p>Threading: {@link #hasRoom}, {@link #sent} and {@link #publishSent} belong to the sending thread;
 * {@link #reply}, {@link #unmatched}, {@link #expire}, {@link #inFlight}, {@link #tally} and {@link #publish} to
 * the receiving thread, which may be the same one. {@link #startMeasuring} is called before either starts, or by
 * the receiving thread when it also sends ({@link #rehearse} and {@link #dropRehearsal} too). {@link #published}
 * may be read from any thread. Nothing allocates after construction.
 */
public final class SequenceTracker {
    private static final int AWAITING = 0;
    private static final int RECEIVED = 1;
    private static final int CORRUPT = 2;
    private static final int LOST = 3;
    private static final int LATE = 4;
    private static final int STATE_BITS = 3;

    private static final int P_SENT = 0;
    private static final int P_RECEIVED = 1;
    private static final int P_LOST = 2;
    private static final int P_LATE = 3;
    private static final int P_CORRUPT = 4;
    private static final int P_UNMATCHED = 5;
    private static final int P_DUPLICATED = 6;
    private static final int P_REORDERED = 7;
    private static final int P_STALE = 8;
    private static final int P_RECEIVE_ERRORS = 9;
    private static final int P_SEND_ERRORS = 10;
    private static final int P_TIMED_OUT = 11;
    private static final int P_COUNT = 12;

    private final int capacity;
    private final int mask;
    private final long timeoutNanos;
    private final ValueRecorder roundTrips;
    private final long highestRoundTrip;
    /** Where round trips go now: {@link #roundTrips}, or a rehearsal's recorder. */
    private ValueRecorder recording;
    private final long[] sentAt;
    private final long[] tags;
    private final AtomicLong sentUpTo = new AtomicLong();
    private final AtomicLong resolvedUpTo = new AtomicLong();
    private final AtomicLongArray published = new AtomicLongArray(P_COUNT);

    private long measureFrom = Long.MAX_VALUE;
    /** Calls of {@link #startMeasuring} and {@link #rehearse} so far. */
    private int starts;
    private long sendErrors;

    // The receiving thread's.
    private long oldest;
    private long resolved;
    private long highestReceived = -1;
    private long received;
    private long lost;
    private long late;
    private long corrupt;
    private long unmatched;
    private long duplicated;
    private long reordered;
    private long stale;
    private long receiveErrors;
    private long timedOut;

    /**
     * @param capacity         sequence numbers tracked at once, a power of two: more than can be in flight.
     * @param timeoutNanos     how long a datagram waits for its reply.
     * @param roundTrips       where round-trip times are recorded, in nanoseconds.
     * @param highestRoundTrip larger round-trip times are recorded as this (the recorder's highest trackable value).
     */
    public SequenceTracker(int capacity, long timeoutNanos, ValueRecorder roundTrips, long highestRoundTrip) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two, not " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.timeoutNanos = timeoutNanos;
        this.roundTrips = roundTrips;
        this.recording = roundTrips;
        this.highestRoundTrip = highestRoundTrip;
        this.sentAt = new long[capacity];
        this.tags = new long[capacity];
        Arrays.fill(tags, -1L); // names no sequence number
    }

    /**
     * @param inFlight the most datagrams that may be in flight at once.
     * @return the capacity to give a tracker: a power of two, at least four times {@code inFlight} and 4096.
     */
    public static int capacityFor(long inFlight) {
        long want = Math.max(4096, 4 * inFlight);
        if (want > 1 << 30) {
            throw new IllegalArgumentException("cannot track " + inFlight + " datagrams in flight");
        }
        return Integer.highestOneBit((int) want - 1) << 1;
    }

    /** @return sequence numbers tracked at once. */
    public int capacity() {
        return capacity;
    }

    /**
     * Counts from this sequence number on; earlier ones are the warmup's. After a {@link #rehearse}, what the
     * rehearsal counted is dropped.
     */
    public void startMeasuring(long firstSequence) {
        restart(firstSequence, roundTrips);
    }

    /**
     * Counts from this sequence number on as {@link #startMeasuring} does, but records round trips into
     * {@code into}, until {@link #startMeasuring} drops it all. A warmup rehearses the start of measuring so
     * that a branch first taken there is taken before it: the JIT would otherwise drop the code it compiled
     * during the warmup and compile it again while measuring.
     */
    public void rehearse(long firstSequence, ValueRecorder into) {
        restart(firstSequence, into);
    }

    /**
     * Drops what a {@link #rehearse rehearsal} counted, for a run that stops before measuring: nothing counts
     * from then on. Does nothing if no rehearsal is under way.
     */
    public void dropRehearsal() {
        if (recording != roundTrips) {
            restart(Long.MAX_VALUE, roundTrips);
        }
    }

    private void restart(long firstSequence, ValueRecorder into) {
        starts++;
        measureFrom = firstSequence;
        recording = into;
        received = 0;
        lost = 0;
        late = 0;
        corrupt = 0;
        unmatched = 0;
        duplicated = 0;
        reordered = 0;
        stale = 0;
        receiveErrors = 0;
        timedOut = 0;
        sendErrors = 0;
        published.lazySet(P_SEND_ERRORS, 0);
        publish();
    }

    /**
     * @return how many times counting started: 1 after {@link #startMeasuring}, 2 if a {@link #rehearse} came
     *     before it, 3 if a rehearsal was dropped. A format that measures on its own drops its figures when it sees
     *     this change; receiving thread.
     */
    public int starts() {
        return starts;
    }

    /** @return the sequence numbers below this are sent (or about to be); receiving thread. */
    public long sentUpTo() {
        return sentUpTo.get();
    }

    /**
     * @return whether a reply to {@code sequence} is counted: it was sent since counting started (measuring, or
     *     a rehearsal of it).
     */
    public boolean measuring(long sequence) {
        return sequence >= measureFrom;
    }

    /** @return whether sequence number {@code sequence} may be sent: its index holds no datagram in flight. */
    public boolean hasRoom(long sequence) {
        return sequence - resolvedUpTo.get() < capacity;
    }

    /** Notes the send time of {@code sequence}; call before {@link #publishSent}. */
    public void sent(long sequence, long at) {
        sentAt[(int) sequence & mask] = at;
    }

    /**
     * Makes every sequence number below {@code upTo} known as sent, to the receiving thread. Call before the
     * datagrams leave, so that no reply can come before its datagram is known.
     */
    public void publishSent(long upTo) {
        sentUpTo.lazySet(upTo);
    }

    /** Counts a send call the system refused; sending thread. */
    public void sendError() {
        published.lazySet(P_SEND_ERRORS, ++sendErrors);
    }

    /** Counts a receive call the system refused; receiving thread. */
    public void receiveError() {
        receiveErrors++;
    }

    /** @return datagrams sent and neither answered nor given up, the warmup's included. */
    public long inFlight() {
        return sentUpTo.get() - resolved;
    }

    /**
     * Accounts for a reply whose header names {@code sequence}.
     *
     * @param sequence  the sequence number in its header.
     * @param exact     whether it is exactly the prefix and the datagram sent.
     * @param now       when it was received.
     * @param roundTrip its round-trip time in nanoseconds, from the send time in its header.
     */
    public void reply(long sequence, boolean exact, long now, long roundTrip) {
        long sent = sentUpTo.get();
        if (sequence >= sent) {
            unmatched(); // not sent: a header that passes its check by chance
            return;
        }
        boolean counted = sequence >= measureFrom;
        if (sequence < sent - capacity) {
            if (counted) {
                stale++;
            }
            return;
        }
        int i = (int) sequence & mask;
        long tag = tags[i];
        int state = tag >> STATE_BITS == sequence ? (int) (tag & ((1 << STATE_BITS) - 1)) : AWAITING;
        if (state == AWAITING) {
            resolved++;
            if (!exact) {
                tags[i] = tag(sequence, CORRUPT);
                corrupt += counted ? 1 : 0;
            } else if (now - sentAt[i] >= timeoutNanos) {
                tags[i] = tag(sequence, LATE);
                late += counted ? 1 : 0;
            } else {
                tags[i] = tag(sequence, RECEIVED);
                if (counted) {
                    received++;
                    recording.recordValue(Math.max(0, Math.min(roundTrip, highestRoundTrip)));
                    if (sequence < highestReceived) {
                        reordered++;
                    }
                }
                highestReceived = Math.max(highestReceived, sequence);
            }
        } else if (state == LOST) {
            tags[i] = tag(sequence, exact ? LATE : CORRUPT);
            if (counted) {
                lost--;
                if (exact) {
                    late++;
                } else {
                    corrupt++;
                }
            }
        } else if (counted) {
            duplicated++;
        }
    }

    /** Accounts for a reply whose header is damaged: it names no datagram. */
    public void unmatched() {
        if (measureFrom != Long.MAX_VALUE) {
            corrupt++;
            unmatched++;
        }
    }

    /** Gives up on the datagrams whose timeout has passed at {@code now}: they count as lost. */
    public void expire(long now) {
        long sent = sentUpTo.get();
        while (oldest < sent) {
            int i = (int) oldest & mask;
            if (tags[i] >> STATE_BITS != oldest) {
                if (now - sentAt[i] < timeoutNanos) {
                    break;
                }
                tags[i] = tag(oldest, LOST);
                resolved++;
                if (oldest >= measureFrom) {
                    lost++;
                    timedOut++;
                }
            }
            oldest++;
        }
        resolvedUpTo.lazySet(oldest);
    }

    /** @return datagrams answered in time and exactly so far; receiving thread. */
    public long received() {
        return received;
    }

    /** @return datagrams given up at their timeout so far (late replies do not lower it); receiving thread. */
    public long timedOut() {
        return timedOut;
    }

    /** @return the counts so far, exact; receiving thread. */
    public Tally tally() {
        return new Tally(sentCount(), received, lost, late, corrupt, unmatched, duplicated, reordered, stale,
                receiveErrors + published.get(P_SEND_ERRORS));
    }

    /** Makes the counts so far readable by {@link #published} from other threads; receiving thread. */
    public void publish() {
        published.lazySet(P_SENT, sentCount());
        published.lazySet(P_RECEIVED, received);
        published.lazySet(P_LOST, lost);
        published.lazySet(P_LATE, late);
        published.lazySet(P_CORRUPT, corrupt);
        published.lazySet(P_UNMATCHED, unmatched);
        published.lazySet(P_DUPLICATED, duplicated);
        published.lazySet(P_REORDERED, reordered);
        published.lazySet(P_STALE, stale);
        published.lazySet(P_RECEIVE_ERRORS, receiveErrors);
        published.lazySet(P_TIMED_OUT, timedOut);
    }

    /** @return the counts as last {@link #publish published}; any thread. */
    public Tally published() {
        return new Tally(published.get(P_SENT), published.get(P_RECEIVED), published.get(P_LOST),
                published.get(P_LATE), published.get(P_CORRUPT), published.get(P_UNMATCHED),
                published.get(P_DUPLICATED), published.get(P_REORDERED), published.get(P_STALE),
                published.get(P_RECEIVE_ERRORS) + published.get(P_SEND_ERRORS));
    }

    /** @return datagrams given up at their timeout so far, as last published (late replies do not lower it). */
    public long publishedTimedOut() {
        return published.get(P_TIMED_OUT);
    }

    private long sentCount() {
        long m = measureFrom;
        return m == Long.MAX_VALUE ? 0 : Math.max(0, sentUpTo.get() - m);
    }

    private static long tag(long sequence, int state) {
        return sequence << STATE_BITS | state;
    }
}
