package dev.udpecho.bench;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.Transport;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.server.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench as a STAMP Session-Sender and a sockperf client, against udpecho's own reflector and server. */
@Timeout(60)
class ProtocolsIT {
    private static final byte[] NONE = new byte[0];

    private static BenchConfig config(int port, Protocol protocol, int size, boolean stateful) {
        return new BenchConfig(Benches.loopback(port), NONE, BenchMode.WINDOW, Duration.ofSeconds(1), size, 8, 0,
                Duration.ofMillis(200), Duration.ofMillis(200), Transport.best(), protocol, stateful, true);
    }

    @ParameterizedTest
    @ValueSource(ints = {44, 48, 64, 1472})
    void stampRepliesAreMatchedAndTheResidenceIsTakenOut(int size) throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).protocol(Protocol.STAMP)
                .config(c -> c.rateLimits(dev.udpecho.policy.RateLimits.OFF).clockSynchronised(true)).start()) {
            BenchResult r = BenchRun.run(config(server.address().getPort(), Protocol.STAMP, size, false), i -> { });
            Tally t = r.tally();
            assertThat(t.received()).isPositive().isEqualTo(t.sent());
            assertThat(t.corrupt() + t.lost() + t.duplicated()).isZero();
            StampStats st = r.stamp();
            assertThat(st.residence().getTotalCount()).isEqualTo(t.received());
            assertThat(st.oneWay()).as("both clocks said synchronised").isTrue();
            assertThat(st.byDirection()).isFalse();
            assertThat(JsonReport.format(r)).contains("\"protocol\":\"stamp\"", "\"residence_us\":{");
            assertThat(SummaryText.format(r)).contains("STAMP packets", "reflector residence us");
            assertThat(HtmlReport.format(r)).contains("reflector residence us", "one-way us: forward");
        }
    }

    @Test
    void aStatefulReflectorSplitsTheLossItCausesAsBackward() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).protocol(Protocol.STAMP)
                .impairments(Impairments.parse("loss=10%", "seed=3"))
                .config(c -> c.rateLimits(dev.udpecho.policy.RateLimits.OFF).stampStateful(true)).start()) {
            BenchResult r = BenchRun.run(config(server.address().getPort(), Protocol.STAMP, 64, true), i -> { });
            Tally t = r.tally();
            assertThat(t.lost()).isPositive();
            StampStats st = r.stamp();
            assertThat(st.byDirection()).isTrue();
            assertThat(st.forwardLost()).as("nothing is lost on the way out").isLessThanOrEqualTo(1);
            assertThat(st.backwardLost()).isBetween(t.lost() - 1, t.lost() + 1);
            assertThat(st.oneWay()).as("the reflector does not say its clock is synchronised").isFalse();
        }
    }

    @Test
    void sockperfMessagesComeBackWithTheClientFlagCleared() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).protocol(Protocol.SOCKPERF)
                .config(c -> c.rateLimits(dev.udpecho.policy.RateLimits.OFF)).start()) {
            BenchResult r = BenchRun.run(config(server.address().getPort(), Protocol.SOCKPERF, 64, false), i -> { });
            Tally t = r.tally();
            assertThat(t.received()).isPositive().isEqualTo(t.sent());
            assertThat(t.corrupt()).isZero();
            assertThat(r.stamp()).isNull();
        }
    }

    @Test
    void sizesAndPrefixesAreChecked() {
        assertThatThrownBy(() -> config(9, Protocol.STAMP, 46, false)).hasMessageContaining("44 bytes, or 48");
        assertThatThrownBy(() -> config(9, Protocol.STAMP, 40, false)).hasMessageContaining("size must be 44");
        assertThatThrownBy(() -> config(9, Protocol.SOCKPERF, 37, false)).hasMessageContaining("size must be 38");
        assertThatThrownBy(() -> new BenchConfig(Benches.loopback(9), Benches.OK, BenchMode.PINGPONG,
                Duration.ofSeconds(1), 64, 1, 0, Duration.ZERO, Duration.ofMillis(100), Transport.best(),
                Protocol.STAMP, false, false)).hasMessageContaining("no prefix");
    }
}
