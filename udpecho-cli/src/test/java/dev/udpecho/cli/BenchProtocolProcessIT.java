package dev.udpecho.cli;

import dev.udpecho.testing.Peers;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code udpecho bench --protocol stamp|sockperf} against implementations nobody on the team wrote: a running
 * {@code sockperf server}; a STAMP reflector made of scapy's codec, which parses every bench packet as a
 * Session-Sender packet; and tshark's TWAMP-Test dissector, which decodes a capture of a bench run against
 * udpecho's reflector without a malformed packet.
 */
@Peers
@Timeout(120)
class BenchProtocolProcessIT {
    private static final String TOOLS = new File(UdpEchoProcess.home(), "udpecho-cli/src/test/resources/tools").getPath();
    private static final Pattern COUNTS = Pattern.compile(
            "sent (\\d+), received (\\d+), lost (\\d+) \\([^)]*\\), late (\\d+), corrupt (\\d+)");

    @BeforeAll
    static void tools() {
        Tools.requireNativeTransport();
    }

    @Test
    void againstSockperfsOwnServerNothingIsLost() throws Exception {
        Tools.require("sockperf");
        int port = freePort();
        try (UdpEchoProcess server = UdpEchoProcess.start(List.of("sockperf", "server", "-i", "127.0.0.1", "-p",
                Integer.toString(port)))) {
            server.awaitOut(".*to block on socket.*", 30_000);
            Matcher m = bench("--protocol", "sockperf", "--port", Integer.toString(port), "--mode", "window",
                    "--window", "16", "--duration", "2s", "--warmup", "500ms");
            assertThat(Long.parseLong(m.group(2))).as("received").isPositive().isEqualTo(Long.parseLong(m.group(1)));
            assertThat(m.group(3)).as("lost").isEqualTo("0");
            assertThat(m.group(5)).as("corrupt").isEqualTo("0");
        }
    }

    @Test
    void scapyParsesEverySenderPacketAndItsRepliesMeasure() throws Exception {
        Tools.requirePythonModule("scapy.contrib.stamp", "python3-scapy");
        for (String size : new String[] {"44", "200"}) {
            try (UdpEchoProcess reflector = UdpEchoProcess.start(List.of(Tools.DEBIAN_PYTHON,
                    TOOLS + "/stamp_reflector.py", "0", "30"))) {
                String port = reflector.awaitOut("listening (\\d+)", 30_000).group(1);
                Matcher m = bench("--protocol", "stamp", "--port", port, "--size", size, "--duration", "1s",
                        "--warmup", "200ms");
                assertThat(Long.parseLong(m.group(2))).as("received").isPositive().isEqualTo(Long.parseLong(m.group(1)));
                assertThat(m.group(5)).as("corrupt").isEqualTo("0");
                assertThat(reflector.awaitExit(30_000)).as("%s %s", reflector.stdout(), reflector.stderr()).isZero();
                assertThat(String.join("\n", reflector.stdout())).contains(" 0 bad");
            }
        }
    }

    @Test
    void againstUdpechosStatefulReflectorLossSplitsByDirection() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "stamp", "--stamp-mode",
                "stateful", "--clock-synchronised", "--port", "0", "--bind", "127.0.0.1", "--quiet",
                "--rate-limit", "0", "--loss", "0.1", "--seed", "7")) {
            String port = Integer.toString(server.awaitListeningPort());
            UdpEchoProcess.udpecho("bench", "--protocol", "stamp", "--port", port, "--duration", "100ms",
                    "--warmup", "0s").awaitExit(60_000); // a first sender, so the next is a session of its own
            List<String> out = benchOutput("--protocol", "stamp", "--stamp-mode", "stateful", "--clock-synchronised",
                    "--port", port, "--mode", "window", "--window", "8", "--duration", "2s", "--warmup", "0s",
                    "--timeout", "200ms");
            String text = String.join("\n", out);
            Matcher m = COUNTS.matcher(text);
            assertThat(m.find()).as(text).isTrue();
            long lost = Long.parseLong(m.group(3));
            assertThat(lost).as("the reflector loses 10%% of its replies: %s", text).isPositive();
            Matcher split = Pattern.compile("lost forward (\\d+), backward (\\d+)").matcher(text);
            assertThat(split.find()).as(text).isTrue();
            assertThat(Long.parseLong(split.group(1))).as("forward: loopback loses nothing").isLessThanOrEqualTo(1);
            assertThat(Long.parseLong(split.group(2))).as("backward").isBetween(lost - 1, lost + 1);
            assertThat(text).contains("reflector residence us").contains("one-way us: forward p50");
        }
    }

    @Test
    void tsharkDecodesACaptureOfABenchRunWithoutAMalformedPacket(@TempDir Path dir) throws Exception {
        Tools.require("tshark");
        Path capture = dir.resolve("stamp.pcapng");
        String port;
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--protocol", "stamp", "--port", "0",
                "--bind", "127.0.0.1", "--quiet", "--rate-limit", "0")) {
            port = Integer.toString(server.awaitListeningPort());
            try (UdpEchoProcess dumpcap = UdpEchoProcess.start(List.of("tshark", "-i", "lo", "-f", "udp port " + port,
                    "-c", "200", "-w", capture.toString()))) {
                dumpcap.awaitErr(".*Capture started.*", 30_000);
                bench("--protocol", "stamp", "--port", port, "--size", "120", "--mode", "rate", "--rate", "200",
                        "--duration", "1s", "--warmup", "0s");
                assertThat(dumpcap.awaitExit(30_000)).as("%s", dumpcap.stderr()).isZero();
            }
        }
        try (UdpEchoProcess read = UdpEchoProcess.start(List.of("tshark", "-r", capture.toString(), "-d",
                "udp.port==" + port + ",twamp.test", "-V"))) {
            assertThat(read.awaitExit(60_000)).isZero();
            String decoded = String.join("\n", read.stdout());
            assertThat(decoded).contains("TwoWay Active Measurement Test Protocol");
            assertThat(decoded).doesNotContainIgnoringCase("malformed").doesNotContain("Expert Info (Error");
            assertThat(decoded.split("Frame \\d+:", -1).length - 1).as("frames").isEqualTo(200);
        }
    }

    private static Matcher bench(String... args) throws Exception {
        String text = String.join("\n", benchOutput(args));
        Matcher m = COUNTS.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m;
    }

    private static List<String> benchOutput(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        try (UdpEchoProcess bench = UdpEchoProcess.udpecho(all)) {
            int status = bench.awaitExit(60_000);
            assertThat(status).as("%s %s", bench.stdout(), bench.stderr()).isZero();
            return bench.stdout();
        }
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
