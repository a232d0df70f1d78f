package dev.udpecho.bench;

import dev.udpecho.bench.ImpairingEchoServer.Impairment;
import dev.udpecho.net.Transport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bench against a server that drops, duplicates, corrupts, delays and reorders known datagrams: every count it
 * reports is what the server did.
 */
@Timeout(60)
class ImpairedEchoIT {
    private static final Map<Long, Impairment> PATTERN = Map.ofEntries(
            Map.entry(10L, Impairment.DROP), Map.entry(20L, Impairment.DROP), Map.entry(30L, Impairment.DROP),
            Map.entry(40L, Impairment.DUPLICATE), Map.entry(41L, Impairment.DUPLICATE),
            Map.entry(50L, Impairment.CORRUPT_PADDING),
            Map.entry(60L, Impairment.CORRUPT_HEADER),
            Map.entry(70L, Impairment.LATE),
            Map.entry(80L, Impairment.REORDER),
            Map.entry(90L, Impairment.TRUNCATE),
            Map.entry(500L, Impairment.REORDER), Map.entry(501L, Impairment.DUPLICATE));

    static Stream<Arguments> modesAndTransports() {
        return Benches.transports().flatMap(t -> Stream.of(Arguments.of(BenchMode.WINDOW, t),
                Arguments.of(BenchMode.RATE, t)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modesAndTransports")
    void everyCountIsWhatTheServerDid(BenchMode mode, Transport io) throws Exception {
        Duration timeout = Duration.ofMillis(ImpairingEchoServer.LATE_MILLIS / 2);
        try (ImpairingEchoServer server = new ImpairingEchoServer(PATTERN)) {
            BenchConfig config = new BenchConfig(Benches.loopback(server.port()), Benches.OK, mode,
                    Duration.ofSeconds(1), 64, mode == BenchMode.WINDOW ? 8 : 0, mode == BenchMode.RATE ? 3000 : 0,
                    Duration.ZERO, timeout, io);
            BenchResult r = BenchRun.run(config, i -> { });
            Tally t = r.tally();
            for (Impairment i : Impairment.values()) {
                long expected = PATTERN.values().stream().filter(i::equals).count();
                assertThat(server.done(i)).as("%s done", i).isEqualTo(expected);
            }
            long dropped = server.done(Impairment.DROP);
            long headerDamaged = server.done(Impairment.CORRUPT_HEADER);
            long corruptNamed = server.done(Impairment.CORRUPT_PADDING) + server.done(Impairment.TRUNCATE);
            long late = server.done(Impairment.LATE);
            assertThat(t.sent()).as("every datagram reached the server").isEqualTo(server.received());
            if (mode == BenchMode.RATE) {
                assertThat(t.sent()).isEqualTo(3000);
            }
            assertThat(t).isEqualTo(new Tally(t.sent(), t.sent() - dropped - headerDamaged - corruptNamed - late,
                    dropped + headerDamaged, late, corruptNamed + headerDamaged, headerDamaged,
                    server.done(Impairment.DUPLICATE), server.done(Impairment.REORDER), 0, 0));
            assertThat(t.balances()).isTrue();
            assertThat(r.roundTrips().getTotalCount()).isEqualTo(t.received());
            assertThat(r.intervals().stream().mapToLong(Interval::timedOut).sum()).as("given up at their timeout")
                    .isEqualTo(dropped + headerDamaged + late);
        }
    }
}
