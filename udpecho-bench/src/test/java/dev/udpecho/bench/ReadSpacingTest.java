package dev.udpecho.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a closed loop reads next, from made-up times: replies 2 µs apart, a window of 64 (reads aim at 16). */
class ReadSpacingTest {
    private static final long US = 1_000;
    private static final long START = -7_000_000 * US; // nanoTime may be negative
    private final ReadSpacing spacing = new ReadSpacing(64, 64, 1_000 * US);

    @Test
    void theFirstReadIsNotHeldOffAsTheRateIsNotKnownYet() {
        assertThat(spacing.taken(1, START)).isEqualTo(START);
        assertThat(spacing.nanosPerReply()).isZero();
        assertThat(spacing.taken(1, START + 2 * US)).as("the second is").isEqualTo(START + 2 * US + 15 * 2 * US);
    }

    @Test
    void aShortReadWaitsForTheRestOfAQuarterOfTheWindowAtTheRateRepliesCame() {
        spacing.taken(2, START);
        long now = START + 4 * US; // 2 more replies in 4 us: 2 us apart
        assertThat(spacing.taken(2, now)).isEqualTo(now + 14 * 2 * US);
        assertThat(spacing.nanosPerReply()).isEqualTo(2 * US);
    }

    @Test
    void aReadOfAQuarterOfTheWindowOrMoreIsNotHeldOff() {
        spacing.taken(16, START);
        long now = START + 32 * US;
        assertThat(spacing.taken(16, now)).isEqualTo(now);
        assertThat(spacing.taken(64, now + 128 * US)).isEqualTo(now + 128 * US);
    }

    @Test
    void theWaitIsNeverLongerThanFiftyMicrosecondsNorTheBusyPoll() {
        spacing.taken(1, START);
        long now = START + 100 * US; // one reply per 100 us: the rest of the quarter would take 1.5 ms
        assertThat(spacing.taken(1, now)).isEqualTo(now + 50 * US);
        ReadSpacing shortPoll = new ReadSpacing(64, 64, 20 * US);
        shortPoll.taken(1, START);
        assertThat(shortPoll.taken(1, now)).isEqualTo(now + 20 * US);
    }

    @Test
    void theRateIsSmoothedSoOneLateReadMovesItAnEighth() {
        spacing.taken(2, START);
        spacing.taken(2, START + 4 * US); // 2 us apart
        spacing.taken(1, START + 4 * US + 82 * US); // one reply 82 us later: 2 + (82 - 2) / 8 = 12
        assertThat(spacing.nanosPerReply()).isEqualTo(12 * US);
    }

    @Test
    void timeAsleepIsNotTakenForTheRate() {
        spacing.taken(2, START);
        spacing.taken(2, START + 4 * US);
        spacing.slept();
        long woke = START + 10_000 * US; // 10 ms asleep
        assertThat(spacing.taken(2, woke)).as("the rate from before the sleep").isEqualTo(woke + 14 * 2 * US);
        assertThat(spacing.taken(2, woke + 4 * US)).isEqualTo(woke + 4 * US + 14 * 2 * US);
        assertThat(spacing.nanosPerReply()).isEqualTo(2 * US);
    }

    @Test
    void windowsUnderEightAreReadAsTheyComeAndEightHoldsOffAnEmptyQuarter() {
        for (int window : new int[] {1, 2, 3, 4, 7}) {
            ReadSpacing small = new ReadSpacing(window, 64, 1_000 * US);
            small.taken(1, START);
            assertThat(small.taken(1, START + 2 * US)).as("window %d", window).isEqualTo(START + 2 * US);
        }
        ReadSpacing eight = new ReadSpacing(8, 64, 1_000 * US);
        eight.taken(1, START);
        assertThat(eight.taken(1, START + 2 * US)).isEqualTo(START + 2 * US + 2 * US);
    }

    @Test
    void aFullReadIsNeverShortHoweverLargeTheWindow() {
        ReadSpacing large = new ReadSpacing(1024, 64, 1_000 * US); // a quarter is 256, a read takes 64 at most
        large.taken(64, START);
        assertThat(large.taken(64, START + 128 * US)).isEqualTo(START + 128 * US);
        long now = START + 128 * US + 96 * US; // 48 more, 2 us apart
        assertThat(large.taken(48, now)).as("16 short of a full read").isEqualTo(now + 16 * 2 * US);
    }
}
