package dev.udpecho.bench;

import dev.udpecho.net.Transport;
import org.HdrHistogram.SingleWriterRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window's loop against an echo in memory that answers one datagram every {@link #PACE_NANOS}, as a busy
 * server's CPU does: it reads its replies several at a time ({@link ReadSpacing}), not each as it comes.
 */
@Timeout(30)
class ClosedLoopTest {
    private static final long PACE_NANOS = 3_000;

    @Test
    void repliesThatComeOneAtATimeAreReadSeveralAtATime() throws Exception {
        BenchConfig config = Benches.window(9, 64, Duration.ofMillis(300), Duration.ofSeconds(1), Transport.NIO);
        PacedEcho echo = new PacedEcho(config.size());
        SequenceTracker tracker = new SequenceTracker(BenchRun.capacity(config), config.timeout().toNanos(),
                new SingleWriterRecorder(1, BenchRun.HIGHEST_NANOS, 3), BenchRun.HIGHEST_NANOS);
        ClosedLoop loop = new ClosedLoop(config, echo, new DatagramFormat(new byte[0], config.size(), 42), tracker,
                null);

        loop.run(System.nanoTime());

        Tally t = tracker.tally();
        assertThat(t.sent()).as("the window came back at the echo's pace").isGreaterThan(10_000);
        assertThat(t).isEqualTo(new Tally(t.sent(), t.sent(), 0, 0, 0, 0, 0, 0, 0, 0));
        double perRead = (double) echo.taken / echo.reads;
        // Polled every 2 us as they came, a reply every 3 us would be read one or two at a time.
        assertThat(perRead).as("replies per read that took some").isGreaterThanOrEqualTo(5.0);
    }

    /** A window of 64 against {@link PacedEcho}, rehearsing halfway through its warmup. */
    private static final class Rehearsing {
        final SingleWriterRecorder measured = new SingleWriterRecorder(1, BenchRun.HIGHEST_NANOS, 3);
        final SingleWriterRecorder rehearsal = new SingleWriterRecorder(1, BenchRun.HIGHEST_NANOS, 3);
        final PacedEcho echo;
        final SequenceTracker tracker;
        final ClosedLoop loop;

        Rehearsing(Duration warmup, Duration duration) {
            BenchConfig config = new BenchConfig(Benches.loopback(9), Benches.OK, BenchMode.WINDOW, duration, 64, 64,
                    0, warmup, Duration.ofSeconds(1), Transport.NIO);
            echo = new PacedEcho(config.size());
            tracker = new SequenceTracker(BenchRun.capacity(config), config.timeout().toNanos(), measured,
                    BenchRun.HIGHEST_NANOS);
            loop = new ClosedLoop(config, echo, new DatagramFormat(new byte[0], config.size(), 42), tracker,
                    rehearsal);
        }
    }

    @Test
    void theWarmupRehearsesMeasuringAndWhatTheRehearsalCountedIsDropped() throws Exception {
        Rehearsing r = new Rehearsing(Duration.ofMillis(400), Duration.ofMillis(300));

        r.loop.run(System.nanoTime());

        Tally t = r.tracker.tally();
        assertThat(t).isEqualTo(new Tally(t.sent(), t.sent(), 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(r.measured.getIntervalHistogram().getTotalCount()).isEqualTo(t.received());
        long rehearsed = r.rehearsal.getIntervalHistogram().getTotalCount();
        // The echo answers at one pace throughout: the rehearsal (200 ms) about two thirds of the measured 300 ms.
        assertThat((double) rehearsed / t.received()).as("rehearsed / measured").isBetween(0.2, 1.5);
        assertThat(r.echo.taken).as("the warmup's first half came before").isGreaterThan(t.received() + rehearsed);
    }

    @Test
    void aStopDuringTheRehearsalCountsNothing() throws Exception {
        Rehearsing r = new Rehearsing(Duration.ofSeconds(2), Duration.ofHours(1)); // rehearsing from 1 s
        SequenceTracker tracker = r.tracker;
        ClosedLoop loop = r.loop;
        AtomicBoolean sawRehearsal = new AtomicBoolean();
        Thread stopper = new Thread(() -> {
            try {
                // Counts are published only once counting starts: here, the rehearsal's.
                long giveUp = System.nanoTime() + 10_000_000_000L;
                while (tracker.published().received() == 0 && System.nanoTime() - giveUp < 0) {
                    Thread.sleep(1);
                }
                sawRehearsal.set(tracker.published().received() > 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                loop.stop();
            }
        });
        stopper.start();

        Span span = loop.run(System.nanoTime());
        stopper.join();

        assertThat(sawRehearsal).as("stopped during the rehearsal").isTrue();
        assertThat(span.seconds()).isZero();
        assertThat(tracker.tally()).isEqualTo(new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(tracker.published()).isEqualTo(tracker.tally());
        assertThat(r.measured.getIntervalHistogram().getTotalCount()).isZero();
        assertThat(r.rehearsal.getIntervalHistogram().getTotalCount()).isPositive();
    }

    /** Echoes each datagram sent, the next one due {@link #PACE_NANOS} after the one before. */
    private static final class PacedEcho implements BatchIo {
        private final int size;
        private final ByteBuffer[] outgoing = new ByteBuffer[64];
        private final ByteBuffer[] incoming = new ByteBuffer[64];
        private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
        private final ArrayDeque<Long> due = new ArrayDeque<>();
        private long lastDue;
        long reads;
        long taken;

        PacedEcho(int size) {
            this.size = size;
            for (int i = 0; i < 64; i++) {
                outgoing[i] = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                incoming[i] = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        @Override
        public int batch() {
            return 64;
        }

        @Override
        public ByteBuffer outgoing(int i) {
            return outgoing[i];
        }

        @Override
        public int send(int count) {
            long now = System.nanoTime();
            for (int i = 0; i < count; i++) {
                byte[] copy = new byte[size];
                outgoing[i].get(0, copy);
                lastDue = Math.max(lastDue, now) + PACE_NANOS;
                queued.add(copy);
                due.add(lastDue);
            }
            return count;
        }

        @Override
        public int receive() {
            long giveUp = System.nanoTime() + POLL_MILLIS * 1_000_000L;
            while (!due.isEmpty() && due.peek() - System.nanoTime() > 0 && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait();
            }
            return receiveQueued();
        }

        @Override
        public int receiveQueued() {
            long now = System.nanoTime();
            int n = 0;
            while (n < 64 && !due.isEmpty() && due.peek() - now <= 0) {
                due.remove();
                incoming[n].clear();
                incoming[n].put(queued.remove()).flip();
                n++;
            }
            if (n > 0) {
                reads++;
                taken += n;
            }
            return n;
        }

        @Override
        public boolean receiveTimes() {
            return false;
        }

        @Override
        public long receivedAt(int i) {
            return NO_TIME;
        }

        @Override
        public ByteBuffer incoming(int i) {
            return incoming[i];
        }

        @Override
        public int length(int i) {
            return size;
        }

        @Override
        public void wake() {
        }

        @Override
        public void close() {
        }
    }
}
