package dev.udpecho.bench;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.Transport;
import dev.udpecho.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** udpecho bench against udpecho's own fault injection: what the one does, the other reports. */
@Timeout(60)
class AgainstImpairedServerIT {

    @Test
    void fivePercentLossIsReportedAsFivePercent() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).impairments(Impairments.parse("loss=5%", "seed=862")).start()) {
            BenchConfig config = new BenchConfig(Benches.loopback(server.address().getPort()), Benches.OK,
                    BenchMode.WINDOW, Duration.ofSeconds(3), 64, 64, 0, Duration.ofMillis(300),
                    Duration.ofMillis(100), Transport.best());
            BenchResult r = BenchRun.run(config, interval -> { });
            Tally t = r.tally();
            assertThat(t.sent()).as("enough for a rate within a point").isGreaterThan(5_000);
            double lossPercent = 100.0 * t.lost() / t.sent();
            assertThat(lossPercent).isCloseTo(5.0, offset(1.0));
            assertThat(t.received() + t.lost() + t.late()).isEqualTo(t.sent());
            assertThat(t.corrupt() + t.duplicated()).isZero();
            // The server lost the warm-up's datagrams too: at least what bench counted.
            assertThat(server.stats().impaired(Impairment.LOST)).isGreaterThanOrEqualTo(t.lost());
        }
    }

    @Test
    void duplicatesAndDelayAreReportedAsDone() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0)
                .impairments(Impairments.parse("duplicate=0.1", "delay=10ms", "seed=7")).start()) {
            BenchConfig config = new BenchConfig(Benches.loopback(server.address().getPort()), Benches.OK,
                    BenchMode.PINGPONG, Duration.ofSeconds(1), 64, 1, 0, Duration.ZERO, Duration.ofMillis(500),
                    Transport.best());
            BenchResult r = BenchRun.run(config, interval -> { });
            Tally t = r.tally();
            assertThat(t.lost()).isZero();
            assertThat(t.duplicated() / (double) t.received()).isCloseTo(0.1, offset(0.06));
            assertThat(r.roundTripMicros(50)).isBetween(10_000.0, 12_000.0);
        }
    }
}
