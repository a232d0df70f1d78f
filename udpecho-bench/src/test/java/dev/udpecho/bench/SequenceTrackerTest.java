package dev.udpecho.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every counter's definition, one datagram at a time (see {@link Tally}). */
class SequenceTrackerTest {
    private static final long TIMEOUT = 1_000;
    private final Histogram roundTrips = new Histogram(1, 1_000_000, 3);
    private SequenceTracker tracker = new SequenceTracker(4096, TIMEOUT, roundTrips, 1_000_000);

    /** Sends sequence numbers from {@code first} up to {@code upTo} at {@code at}. */
    private void send(long first, long upTo, long at) {
        for (long s = first; s < upTo; s++) {
            assertThat(tracker.hasRoom(s)).isTrue();
            tracker.sent(s, at);
        }
        tracker.publishSent(upTo);
    }

    /** @return the tally; once nothing is in flight, it must balance. */
    private Tally tally() {
        Tally t = tracker.tally();
        if (tracker.inFlight() == 0) {
            assertThat(t.balances()).as("sent = received + lost + late + corrupt − unmatched: %s", t).isTrue();
        }
        return t;
    }

    @Test
    void exactRepliesInTimeAreReceivedWithTheirRoundTrip() {
        tracker.startMeasuring(0);
        send(0, 3, 100);
        for (long s = 0; s < 3; s++) {
            tracker.reply(s, true, 150 + s, 50 + s);
        }
        assertThat(tally()).isEqualTo(new Tally(3, 3, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(roundTrips.getTotalCount()).isEqualTo(3);
        assertThat(roundTrips.getMinValue()).isEqualTo(50);
        assertThat(roundTrips.getMaxValue()).isEqualTo(52);
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void noReplyByTheTimeoutIsLost() {
        tracker.startMeasuring(0);
        send(0, 2, 100);
        send(2, 3, 200);
        tracker.expire(100 + TIMEOUT - 1);
        assertThat(tracker.tally().lost()).isZero();
        assertThat(tracker.inFlight()).isEqualTo(3);
        tracker.expire(100 + TIMEOUT);
        assertThat(tally()).isEqualTo(new Tally(3, 0, 2, 0, 0, 0, 0, 0, 0, 0));
        assertThat(tracker.inFlight()).isEqualTo(1);
        tracker.expire(200 + TIMEOUT);
        assertThat(tally().lost()).isEqualTo(3);
        assertThat(tracker.publishedTimedOut()).isZero(); // not yet published
        tracker.publish();
        assertThat(tracker.publishedTimedOut()).isEqualTo(3);
        assertThat(tracker.published()).isEqualTo(tracker.tally());
    }

    @Test
    void aReplyAfterTheTimeoutIsLateNotLost() {
        tracker.startMeasuring(0);
        send(0, 2, 100);
        tracker.expire(100 + TIMEOUT);
        assertThat(tally().lost()).isEqualTo(2);
        tracker.reply(0, true, 100 + 5 * TIMEOUT, 5 * TIMEOUT);
        assertThat(tally()).isEqualTo(new Tally(2, 0, 1, 1, 0, 0, 0, 0, 0, 0));
        // before the timeout was noticed, too
        send(2, 3, 200);
        tracker.reply(2, true, 200 + TIMEOUT, TIMEOUT);
        assertThat(tally()).isEqualTo(new Tally(3, 0, 1, 2, 0, 0, 0, 0, 0, 0));
        assertThat(roundTrips.getTotalCount()).as("late round trips are not recorded").isZero();
    }

    @Test
    void aCorruptReplyWithAnIntactHeaderAnswersItsDatagram() {
        tracker.startMeasuring(0);
        send(0, 2, 100);
        tracker.reply(0, false, 150, 50);
        tracker.expire(100 + TIMEOUT);
        assertThat(tally()).isEqualTo(new Tally(2, 0, 1, 0, 1, 0, 0, 0, 0, 0));
        tracker.reply(1, false, 100 + 2 * TIMEOUT, 2 * TIMEOUT);
        assertThat(tally()).as("corrupt, even late").isEqualTo(new Tally(2, 0, 0, 0, 2, 0, 0, 0, 0, 0));
    }

    @Test
    void aReplyWithADamagedHeaderIsCorruptAndUnmatchedAndItsDatagramEndsLost() {
        tracker.startMeasuring(0);
        send(0, 1, 100);
        tracker.unmatched();
        tracker.expire(100 + TIMEOUT);
        assertThat(tally()).isEqualTo(new Tally(1, 0, 1, 0, 1, 1, 0, 0, 0, 0));
    }

    @Test
    void aHeaderNamingADatagramNeverSentIsUnmatched() {
        tracker.startMeasuring(0);
        send(0, 1, 100);
        tracker.reply(1, true, 150, 50);
        tracker.reply(0, true, 150, 50);
        assertThat(tally()).isEqualTo(new Tally(1, 1, 0, 0, 1, 1, 0, 0, 0, 0));
    }

    @Test
    void furtherRepliesAreDuplicatesWhateverTheirBytes() {
        tracker.startMeasuring(0);
        send(0, 2, 100);
        tracker.reply(0, true, 150, 50);
        tracker.reply(0, true, 151, 51);
        tracker.reply(0, false, 152, 52);
        tracker.expire(100 + TIMEOUT);
        tracker.reply(1, true, 100 + TIMEOUT + 1, TIMEOUT + 1); // late
        tracker.reply(1, true, 100 + TIMEOUT + 2, TIMEOUT + 2); // and again
        assertThat(tally()).isEqualTo(new Tally(2, 1, 0, 1, 0, 0, 3, 0, 0, 0));
        assertThat(roundTrips.getTotalCount()).isEqualTo(1);
    }

    @Test
    void aReplyAfterTheReplyToALaterDatagramIsReordered() {
        tracker.startMeasuring(0);
        send(0, 4, 100);
        tracker.reply(3, true, 150, 50);
        tracker.reply(1, true, 150, 50);
        tracker.reply(2, true, 150, 50);
        tracker.reply(0, true, 150, 50);
        assertThat(tally()).isEqualTo(new Tally(4, 4, 0, 0, 0, 0, 0, 3, 0, 0));
    }

    @Test
    void repliesBeyondTheTrackedSequenceNumbersAreStale() {
        tracker = new SequenceTracker(4, TIMEOUT, roundTrips, 1_000_000);
        tracker.startMeasuring(0);
        for (long s = 0; s < 6; s++) {
            send(s, s + 1, 100 + s);
            tracker.reply(s, true, 150 + s, 50);
            tracker.expire(150 + s);
        }
        tracker.reply(1, true, 200, 100);
        assertThat(tally()).isEqualTo(new Tally(6, 6, 0, 0, 0, 0, 0, 0, 1, 0));
        tracker.reply(2, true, 200, 100);
        assertThat(tally().duplicated()).as("2 is still tracked").isEqualTo(1);
    }

    @Test
    void anIndexInFlightIsNotReusedUntilItsDatagramIsResolved() {
        tracker = new SequenceTracker(4, TIMEOUT, roundTrips, 1_000_000);
        tracker.startMeasuring(0);
        send(0, 4, 100);
        tracker.reply(1, true, 150, 50);
        tracker.reply(2, true, 150, 50);
        tracker.reply(3, true, 150, 50);
        tracker.expire(150);
        assertThat(tracker.hasRoom(4)).as("0 is in flight").isFalse();
        tracker.reply(0, true, 160, 60);
        tracker.expire(160);
        assertThat(tracker.hasRoom(4)).isTrue();
        assertThat(tracker.hasRoom(7)).isTrue();
        assertThat(tracker.hasRoom(8)).isFalse();
    }

    @Test
    void theWarmupIsNotCounted() {
        send(0, 3, 100);
        tracker.unmatched();
        tracker.reply(0, true, 150, 50);
        tracker.startMeasuring(3);
        tracker.reply(1, true, 150, 50);
        tracker.reply(1, true, 150, 50);
        tracker.expire(100 + TIMEOUT);
        send(3, 5, 2000);
        tracker.reply(3, true, 2050, 50);
        assertThat(tally()).isEqualTo(new Tally(2, 1, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(tracker.inFlight()).as("the warmup's count in flight").isEqualTo(1);
        tracker.expire(2000 + TIMEOUT);
        assertThat(tracker.inFlight()).isZero();
        assertThat(tally()).isEqualTo(new Tally(2, 1, 1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(roundTrips.getTotalCount()).isEqualTo(1);
    }

    @Test
    void roundTripsAreClampedToTheRecordersRange() {
        tracker.startMeasuring(0);
        send(0, 2, 100);
        tracker.reply(0, true, 100, 5_000_000);
        tracker.reply(1, true, 100, -5);
        assertThat(roundTrips.getMaxValue()).isEqualTo(roundTrips.highestEquivalentValue(1_000_000));
        assertThat(roundTrips.getMinValue()).isZero();
    }

    @Test
    void errorsAreCountedOnBothSides() {
        tracker.startMeasuring(0);
        tracker.sendError();
        tracker.receiveError();
        assertThat(tally().errors()).isEqualTo(2);
    }

    @Test
    void startingToMeasureDropsWhatARehearsalCounted() {
        Histogram rehearsed = new Histogram(1, 1_000_000, 3);
        send(0, 2, 100); // the warmup's
        tracker.rehearse(2, rehearsed);
        assertThat(tracker.starts()).isEqualTo(1);
        rehearseEveryOutcome(rehearsed);

        tracker.startMeasuring(8);
        assertThat(tracker.starts()).as("what a format measures on its own starts over too").isEqualTo(2);
        assertThat(tracker.published()).as("published at once").isEqualTo(new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(tracker.publishedTimedOut()).isZero();
        send(8, 10, 300);
        tracker.reply(1, true, 310, 210); // the warmup's, and the rehearsal's: neither counts
        tracker.reply(5, true, 310, 110);
        tracker.reply(8, true, 350, 50);
        tracker.reply(9, true, 360, 60);
        assertThat(tally()).isEqualTo(new Tally(2, 2, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(roundTrips.getTotalCount()).as("measured round trips, not the rehearsal's").isEqualTo(2);
        assertThat(rehearsed.getTotalCount()).isEqualTo(2);
    }

    @Test
    void aRehearsalDroppedCountsNothingAfter() {
        Histogram rehearsed = new Histogram(1, 1_000_000, 3);
        tracker.dropRehearsal();
        assertThat(tracker.starts()).as("no rehearsal: nothing to drop").isZero();
        send(0, 2, 100);
        tracker.rehearse(2, rehearsed);
        rehearseEveryOutcome(rehearsed);

        tracker.dropRehearsal();
        assertThat(tracker.starts()).isEqualTo(2);
        send(8, 10, 300);
        tracker.reply(8, true, 350, 50);
        tracker.reply(9, false, 350, 50);
        tracker.unmatched();
        tracker.expire(300 + TIMEOUT);
        assertThat(tally()).isEqualTo(new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(roundTrips.getTotalCount()).isZero();
    }

    /** Sends 2 to 8 at 200, and gives them every outcome a rehearsal counts (then checks it did). */
    private void rehearseEveryOutcome(Histogram rehearsed) {
        send(2, 8, 200);
        tracker.reply(6, true, 250, 50);
        tracker.reply(2, true, 250, 50); // reordered
        tracker.reply(3, false, 250, 50);
        tracker.reply(2, true, 260, 60);
        tracker.reply(4, true, 200 + TIMEOUT, TIMEOUT);
        tracker.unmatched();
        tracker.sendError();
        tracker.receiveError();
        tracker.expire(200 + TIMEOUT); // 5 and 7 lost
        tracker.publish();
        assertThat(tracker.tally()).as("the rehearsal counts as measuring would")
                .isEqualTo(new Tally(6, 2, 2, 1, 2, 1, 1, 1, 0, 2));
        assertThat(rehearsed.getTotalCount()).isEqualTo(2);
    }

    @Test
    void capacityIsAPowerOfTwoWithRoomToSpare() {
        assertThat(SequenceTracker.capacityFor(1)).isEqualTo(4096);
        assertThat(SequenceTracker.capacityFor(1025)).isEqualTo(8192);
        assertThat(SequenceTracker.capacityFor(500_000)).isEqualTo(1 << 21);
        assertThatThrownBy(() -> new SequenceTracker(3, 1, roundTrips, 1)).hasMessageContaining("power of two");
    }
}
