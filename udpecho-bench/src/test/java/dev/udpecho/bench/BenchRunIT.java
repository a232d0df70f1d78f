package dev.udpecho.bench;

import dev.udpecho.net.Transport;
import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Arrivals;
import dev.udpecho.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The three modes against udpecho's own server, in-process, on each bench transport. */
@Timeout(60)
class BenchRunIT {
    private final Arrivals arrivals = new Arrivals();
    private EchoServer server;
    private final List<Interval> live = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void startServer() throws Exception {
        // One worker, so that the server's counts are those of one socket.
        server = EchoServer.builder().port(0).workers(1).log(arrivals).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private int port() {
        return server.address().getPort();
    }

    /** @return a window of 8 to {@code peer} that polls for up to a second before it sleeps. */
    private static BenchConfig pollingForASecond(DatagramChannel peer, Duration duration, Duration timeout,
                                                 Transport io) throws IOException {
        int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
        return Benches.busyPoll(Benches.window(port, 8, duration, timeout, io), Duration.ofSeconds(1));
    }

    /** @return a socket on a loopback port of its own that never answers. */
    private static DatagramChannel silent() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            return channel.bind(new InetSocketAddress(Loopback.address("127.0.0.1"), 0));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Everything sent came back exact, and each count agrees with the others and with the server's. */
    private BenchResult clean(BenchConfig config) throws Exception {
        BenchResult r = BenchRun.run(config, live::add);
        Tally t = r.tally();
        assertThat(t.sent()).isPositive();
        assertThat(t).isEqualTo(new Tally(t.sent(), t.sent(), 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(r.roundTrips().getTotalCount()).isEqualTo(t.received());
        assertThat(r.minMicros()).isPositive();
        assertThat(r.roundTripMicros(50)).isBetween(r.minMicros(), r.maxMicros());
        assertThat(r.receivedPerSecond()).isCloseTo(t.received() / r.seconds(), offset(1e-6));
        assertThat(server.stats().received()).as("the warmup's and the measured").isGreaterThanOrEqualTo(t.sent());
        assertThat(r.intervals()).isNotEmpty();
        assertThat(r.intervals().stream().mapToLong(Interval::received).sum()).isEqualTo(t.received());
        assertThat(r.intervals().stream().mapToLong(Interval::sent).sum()).isEqualTo(t.sent());
        assertThat(live).isEqualTo(r.intervals());
        return r;
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void pingpongKeepsOneDatagramInFlight(Transport io) throws Exception {
        BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.PINGPONG,
                Duration.ofMillis(1500), 100, 1, 0, Duration.ofMillis(200), Duration.ofSeconds(1), io);
        BenchResult r = clean(config);
        assertThat(r.seconds()).isBetween(1.5, 2.5);
        assertThat(r.intervals()).hasSizeBetween(2, 3);
        assertThat(r.intervals().get(0).seconds()).isCloseTo(1.0, offset(0.01));
        assertThat(r.sendLag()).isNull();
        assertThat(config.busyPoll()).as("pingpong sleeps unless told").isZero();
        assertThat(r.pollingPercent()).isZero();
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void pingpongPollsWhenToldTo(Transport io) throws Exception {
        BenchConfig config = Benches.busyPoll(new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.PINGPONG,
                Duration.ofMillis(500), 100, 1, 0, Duration.ZERO, Duration.ofSeconds(1), io), Duration.ofMillis(1));
        BenchResult r = clean(config);
        assertThat(r.pollingPercent()).as("each reply takes a round trip to come").isPositive();
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void windowKeepsItsDatagramsInFlight(Transport io) throws Exception {
        BenchResult r = clean(Benches.window(port(), 32, Duration.ofMillis(500), Duration.ofSeconds(1), io));
        assertThat(r.tally().sent()).isGreaterThan(1000);
        assertThat(r.io()).isEqualTo(io);
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void whatTheWarmupRehearsedIsNotInTheResult(Transport io) throws Exception {
        BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.WINDOW,
                Duration.ofMillis(1200), 100, 32, 0, Duration.ofMillis(600), Duration.ofSeconds(1), io);
        BenchResult r = clean(config);
        Tally t = r.tally();
        assertThat(r.intervals()).hasSizeBetween(2, 3);
        assertThat(r.intervals().stream().mapToLong(Interval::received).sum()).isEqualTo(t.received());
        assertThat(r.intervals().stream().mapToLong(Interval::sent).sum()).isEqualTo(t.sent());
        assertThat(r.intervals().get(r.intervals().size() - 1).soFar()).isEqualTo(t);
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void overIpv6(Transport io) throws Exception {
        BenchConfig config = new BenchConfig(new InetSocketAddress(Loopback.address("::1"), port()), Benches.OK,
                BenchMode.WINDOW, Duration.ofMillis(500), 1000, 8, 0, Duration.ZERO, Duration.ofSeconds(1), io);
        assertThat(clean(config).tally().sent()).isGreaterThan(100);
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void rateSendsOnScheduleAndCountsFromIt(Transport io) throws Exception {
        BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.RATE,
                Duration.ofSeconds(1), 64, 0, 2000, Duration.ofMillis(200), Duration.ofSeconds(1), io);
        BenchResult r = clean(config);
        assertThat(r.tally().sent()).as("1 s at 2000/s").isEqualTo(2000);
        assertThat(r.seconds()).isCloseTo(1.0, offset(1e-6));
        assertThat(r.sendLag().getTotalCount()).as("the warmup's too").isEqualTo(2400);
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aSlowRateTimesEachReplyWhenItArrivedNotWhenItWasTaken(Transport io) throws Exception {
        // At 100/s the native sender also receives, once per 10 ms wake; the kernel's receive time must count,
        // not the next wake's (which would put the median near 10 ms).
        BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.RATE,
                Duration.ofMillis(500), 64, 0, 100, Duration.ZERO, Duration.ofSeconds(1), io);
        BenchResult r = clean(config);
        assertThat(r.tally().sent()).isEqualTo(50);
        assertThat(r.roundTripMicros(50)).as("median round trip, µs").isLessThan(5_000);
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aRateAboveWhatOneThreadServesSendsOnScheduleToo(Transport io) throws Exception {
        int rate = (int) OpenLoop.ALONE_MAX_RATE * 2;
        BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.RATE,
                Duration.ofMillis(200), 64, 0, rate, Duration.ZERO, Duration.ofSeconds(1), io);
        BenchResult r = BenchRun.run(config, i -> { });
        Tally t = r.tally();
        assertThat(t.sent()).as("200 ms at %d/s", rate).isEqualTo(rate / 5);
        assertThat(t.balances()).isTrue();
        assertThat(t.received()).as("most come back, on a busy machine too").isGreaterThan(t.sent() / 2);
        assertThat(t.corrupt() + t.duplicated()).isZero();
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void stopEndsSendingAndWaitsForWhatIsInFlight(Transport io) throws Exception {
        for (BenchMode mode : BenchMode.values()) {
            BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, mode, Duration.ofHours(1), 64,
                    mode == BenchMode.WINDOW ? 8 : mode == BenchMode.PINGPONG ? 1 : 0, mode == BenchMode.RATE ? 5000 : 0,
                    Duration.ZERO, Duration.ofSeconds(1), io);
            BenchRun run = new BenchRun(config, i -> { });
            AtomicBoolean sawSending = new AtomicBoolean();
            // The run is to go on for 300 ms after its first datagram, the time r.seconds() is checked against.
            Thread stopper = stopOnceSending(run, 300, sawSending);
            BenchResult r = run.run();
            stopper.join();
            assertThat(sawSending).as(mode + ": sending within 10 s").isTrue();
            assertThat(r.seconds()).as(mode.toString()).isBetween(0.1, 1.0);
            Tally t = r.tally();
            assertThat(t.received()).as(mode.toString()).isEqualTo(t.sent()).isPositive();
            assertThat(t.balances()).isTrue();
        }
    }

    /**
     * Starts a thread that stops {@code run} once the server has had its first datagram and {@code thenMillis}
     * more have passed (or after 10 s without one); {@code sawSending} says whether the datagram came.
     */
    private Thread stopOnceSending(BenchRun run, long thenMillis, AtomicBoolean sawSending) {
        CountDownLatch sending = arrivals.expect(1);
        Thread stopper = new Thread(() -> {
            try {
                sawSending.set(sending.await(10, TimeUnit.SECONDS));
                if (thenMillis > 0) {
                    Thread.sleep(thenMillis); // not a wait for an event: how long the run is to go on
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                run.stop();
            }
        });
        stopper.start();
        return stopper;
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aStopDuringTheWarmupEndsTheRunAtOnceWithNothingCounted(Transport io) throws Exception {
        BenchConfig config = new BenchConfig(Benches.loopback(port()), Benches.OK, BenchMode.WINDOW,
                Duration.ofHours(1), 64, 8, 0, Duration.ofHours(1), Duration.ofSeconds(1), io);
        BenchRun run = new BenchRun(config, i -> { });
        AtomicBoolean sawSending = new AtomicBoolean();
        Thread stopper = stopOnceSending(run, 0, sawSending);
        long from = System.nanoTime();
        BenchResult r = run.run();
        stopper.join();
        assertThat(sawSending).as("sending within 10 s").isTrue();
        assertThat((System.nanoTime() - from) / 1e9).as("seconds to stop, the timeline's included").isLessThan(12);
        assertThat(r.seconds()).isZero();
        assertThat(r.tally()).isEqualTo(new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(r.intervals()).isEmpty();
        assertThat(r.roundTrips().getTotalCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aPlainEchoNeedsAnEmptyPrefix(Transport io) throws Exception {
        try (EchoServer plain = EchoServer.builder().port(0).prefix("").start()) {
            BenchConfig wrong = Benches.window(plain.address().getPort(), 4, Duration.ofMillis(200),
                    Duration.ofMillis(100), io);
            Tally t = BenchRun.run(wrong, i -> { }).tally();
            assertThat(t.received()).isZero();
            assertThat(t.corrupt()).isEqualTo(t.unmatched()).isGreaterThan(0);
            assertThat(t.lost()).isEqualTo(t.sent());
            assertThat(t.balances()).isTrue();
            BenchConfig right = new BenchConfig(Benches.loopback(plain.address().getPort()), new byte[0],
                    BenchMode.WINDOW, Duration.ofMillis(200), 64, 4, 0, Duration.ZERO, Duration.ofMillis(100), io);
            Tally ok = BenchRun.run(right, i -> { }).tally();
            assertThat(ok.received()).isEqualTo(ok.sent()).isPositive();
        }
    }

    /**
     * The bench sends its window as one batch, segmented where the kernel can: what arrives is still one
     * datagram per request, each of the size asked for, read one at a time by a plain JDK socket.
     */
    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aBatchArrivesAsSeparateDatagramsOfTheSizeAskedFor(Transport io) throws Exception {
        try (DatagramChannel peer = DatagramChannel.open()) {
            peer.bind(new InetSocketAddress(Loopback.address("127.0.0.1"), 0));
            peer.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            Tally t = BenchRun.run(Benches.window(port, 64, Duration.ofMillis(250), Duration.ofMillis(100), io),
                    i -> { }).tally();
            assertThat(t.sent()).as("the window, then again at each timeout").isBetween(64L, 256L);
            peer.configureBlocking(false);
            ByteBuffer buffer = ByteBuffer.allocate(65_536);
            List<Integer> sizes = new ArrayList<>();
            while (peer.receive(buffer.clear()) != null && sizes.size() <= t.sent()) {
                sizes.add(buffer.position());
            }
            assertThat(sizes).as("one datagram per request").hasSize((int) t.sent());
            assertThat(sizes).containsOnly(64);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aWindowPollsForItsRepliesUnlessToldToSleepAtOnce(Transport io) throws Exception {
        BenchConfig polling = Benches.window(port(), 64, Duration.ofMillis(500), Duration.ofSeconds(1), io);
        assertThat(polling.busyPoll()).isEqualTo(BenchConfig.DEFAULT_BUSY_POLL);
        assertThat(clean(polling).pollingPercent()).as("a reply takes a while to come").isBetween(0.0, 100.0)
                .isPositive();
        live.clear();
        assertThat(clean(Benches.busyPoll(polling, Duration.ZERO)).pollingPercent()).isZero();
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aLongBusyPollStillGivesUpOnLateRepliesAndEndsOnTime(Transport io) throws Exception {
        try (DatagramChannel silent = silent()) {
            BenchConfig config = pollingForASecond(silent, Duration.ofMillis(600), Duration.ofMillis(100), io);
            long start = System.nanoTime();
            BenchResult r = BenchRun.run(config, i -> { });
            Tally t = r.tally();
            assertThat(t.sent()).as("the window again at each timeout, while polling").isBetween(24L, 64L);
            assertThat(t.lost()).isEqualTo(t.sent());
            assertThat(r.pollingPercent()).as("polled all along, nothing came").isBetween(80.0, 100.0);
            assertThat((System.nanoTime() - start) / 1e6).as("the duration and the last timeout").isBetween(600.0, 2500.0);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aStopWhilePollingEndsTheRunOnceWhatIsInFlightTimedOut(Transport io) throws Exception {
        try (DatagramChannel silent = silent()) {
            BenchConfig config = pollingForASecond(silent, Duration.ofHours(1), Duration.ofMillis(200), io);
            BenchRun run = new BenchRun(config, i -> { });
            AtomicBoolean sawSending = new AtomicBoolean();
            long[] stoppedAt = new long[1];
            Thread stopper = new Thread(() -> {
                try {
                    silent.receive(ByteBuffer.allocate(2048)); // the first datagram: the bench is running
                    sawSending.set(true);
                } catch (Exception e) {
                    // closed: the run is stopped below all the same
                } finally {
                    stoppedAt[0] = System.nanoTime();
                    run.stop();
                }
            });
            stopper.start();
            BenchResult r = run.run();
            long ended = System.nanoTime();
            stopper.join();
            assertThat(sawSending).isTrue();
            assertThat(r.tally().lost()).isEqualTo(r.tally().sent());
            assertThat((ended - stoppedAt[0]) / 1e6).as("the 200 ms timeout, not the 1 s busy poll")
                    .isBetween(0.0, 900.0);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aSilentServerLosesEverything(Transport io) throws Exception {
        try (DatagramChannel silent = silent()) {
            int port = ((InetSocketAddress) silent.getLocalAddress()).getPort();
            long start = System.nanoTime();
            BenchResult r = BenchRun.run(Benches.window(port, 8, Duration.ofMillis(300), Duration.ofMillis(100), io),
                    i -> { });
            Tally t = r.tally();
            assertThat(t.sent()).as("the window, then again at each timeout").isBetween(8L, 48L);
            assertThat(t.sent() % 8).isZero();
            assertThat(t.lost()).isEqualTo(t.sent());
            assertThat(t.anyReply()).isFalse();
            assertThat(t.balances()).isTrue();
            assertThat(r.roundTrips().getTotalCount()).isZero();
            assertThat(r.roundTripMicros(50)).isNaN();
            assertThat((System.nanoTime() - start) / 1e6).as("waits for the last to time out").isBetween(300.0, 2000.0);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.udpecho.bench.Benches#transports")
    void aClosedPortIsReportedAsErrorsAndLosses(Transport io) throws Exception {
        int port;
        try (DatagramChannel gone = silent()) {
            port = ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
        Tally t = BenchRun.run(Benches.window(port, 4, Duration.ofMillis(200), Duration.ofMillis(50), io), i -> { })
                .tally();
        assertThat(t.errors()).isPositive();
        assertThat(t.lost()).isEqualTo(t.sent()).isPositive();
        assertThat(t.anyReply()).isFalse();
    }
}
