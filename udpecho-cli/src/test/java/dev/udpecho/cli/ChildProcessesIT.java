package dev.udpecho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Arrivals;
import dev.udpecho.testing.ChildProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The children these tests start get the default SIGINT, SIGTERM and SIGHUP, even from a parent that ignores them,
 * as the build's JVMs do when {@code mvn verify} itself was started with them ignored.
 */
@Timeout(90)
class ChildProcessesIT {
    private static final int SIGHUP = 1;
    private static final int SIGINT = 2;
    private static final int SIGTERM = 15;

    /** Runs the rest of its arguments with SIGINT, SIGTERM and SIGHUP ignored, as nohup or a job would. */
    private static final List<String> IGNORING = List.of("bash", "-c", "trap '' INT TERM HUP; exec \"$@\"", "ignoring");

    @Test
    void aParentThatIgnoresTheSignalsPassesThatOnUnlessTheDefaultsAreRestored() throws Exception {
        List<String> status = List.of("grep", "^SigIgn:", "/proc/self/status");
        assertThat(ignored(concat(IGNORING, status))).as("what this is about: ignored across exec")
                .contains(SIGHUP, SIGINT, SIGTERM);
        assertThat(ignored(concat(IGNORING, ChildProcesses.command(status)))).doesNotContain(SIGHUP, SIGINT, SIGTERM);
        assertThat(ignored(status)).as("as UdpEchoProcess starts any program").doesNotContain(SIGHUP, SIGINT, SIGTERM);
    }

    @Test
    void aBenchStartedWhereInterruptIsIgnoredStillEndsOnInterruptWithItsSummary() throws Exception {
        Arrivals arrivals = new Arrivals();
        CountDownLatch running = arrivals.expect(100);
        try (EchoServer server = EchoServer.builder().port(0).workers(1).log(arrivals).start();
             UdpEchoProcess bench = UdpEchoProcess.start(concat(IGNORING, ChildProcesses.command(List.of(
                     new File(UdpEchoProcess.home(), "udpecho").getPath(), "bench", "--host", "127.0.0.1",
                     "--port", Integer.toString(server.address().getPort()), "--duration", "1h", "--warmup", "0",
                     "--json", "-"))))) {
            // Datagrams arrive once bench runs, and it installs its handler before it sends.
            assertThat(running.await(30, TimeUnit.SECONDS)).as("bench sending").isTrue();
            bench.signal("INT");
            assertThat(bench.awaitExit(20_000)).isZero();
            JsonNode json = new ObjectMapper().readTree(String.join("\n", bench.stdout()));
            assertThat(json.get("received").asLong()).isEqualTo(json.get("sent").asLong()).isGreaterThanOrEqualTo(100);
        }
    }

    /** @return the signals that {@code grep ^SigIgn: /proc/self/status}, run as {@code command}, found ignored. */
    private static List<Integer> ignored(List<String> command) throws Exception {
        try (UdpEchoProcess p = UdpEchoProcess.start(command)) {
            assertThat(p.awaitExit(10_000)).as(p.stderr().toString()).isZero();
            assertThat(p.stdout()).hasSize(1);
            long mask = Long.parseUnsignedLong(p.stdout().get(0).replaceFirst("^SigIgn:\\s*", ""), 16);
            List<Integer> signals = new ArrayList<>();
            for (int sig = 1; sig <= 64; sig++) {
                if ((mask & (1L << (sig - 1))) != 0) {
                    signals.add(sig);
                }
            }
            return signals;
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
