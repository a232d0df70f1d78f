package dev.udpecho.cli;

import dev.udpecho.testing.ChildProcesses;
import dev.udpecho.testing.Dnsmasq;
import dev.udpecho.testing.Peers;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code udpecho proxy} in front of a DNS server nobody on the team wrote (dnsmasq, answering a local name on
 * 127.0.0.1), queried with {@code dig}; its HTTP API changed mid-run; its metrics read by Prometheus's own
 * Python parser; a flood of 10⁵ distinct clients; and bad command lines.
 */
@Peers
@Timeout(120)
class ProxyProcessIT {
    private static final String NAME = "udpecho.test";
    private static final String ADDRESS = "10.201.0.7";
    private static final Pattern QUERY_TIME = Pattern.compile(";; Query time: (\\d+) msec");
    private static Dnsmasq dnsmasq;
    private static int dnsPort;

    @BeforeAll
    static void startDnsmasq() throws Exception {
        dnsmasq = Dnsmasq.start(NAME, ADDRESS);
        dnsPort = dnsmasq.port();
    }

    @AfterAll
    static void stopDnsmasq() throws InterruptedException {
        if (dnsmasq != null) {
            dnsmasq.close();
        }
    }

    @Test
    void digThroughTheProxyGetsTheAnswerAndTheUpstreamsNameIsResolvedAtStart() throws Exception {
        try (UdpEchoProcess proxy = proxy("--upstream", "localhost:" + dnsPort)) {
            int port = awaitPort(proxy);
            assertThat(dig(port, "+short", "+timeout=2")).isEqualTo(ADDRESS + "\n");
            String summary = stop(proxy);
            assertThat(summary).contains("up received 1, forwarded 1").contains("down received 1, forwarded 1")
                    .contains("sessions opened 1");
        }
    }

    @Test
    void withAllLostUpDigTimesOut() throws Exception {
        try (UdpEchoProcess proxy = proxy("--upstream", "127.0.0.1:" + dnsPort, "--up-loss", "1")) {
            int port = awaitPort(proxy);
            String out = dig(port, "+timeout=1");
            assertThat(out).doesNotContain(ADDRESS).containsAnyOf("timed out", "no servers could be reached");
            assertThat(stop(proxy)).contains("up received 1, forwarded 0, lost 1");
        }
    }

    @Test
    void aDelayDownShowsInDigsQueryTime() throws Exception {
        try (UdpEchoProcess proxy = proxy("--upstream", "127.0.0.1:" + dnsPort, "--down-delay", "200ms")) {
            int port = awaitPort(proxy);
            String out = dig(port, "+timeout=3");
            assertThat(out).contains(ADDRESS);
            Matcher m = QUERY_TIME.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(Integer.parseInt(m.group(1))).as("dig's query time, ms").isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void theHttpApiChangesImpairmentsForTheNextDatagramAndTheMetricsParse() throws Exception {
        try (UdpEchoProcess proxy = proxy("--upstream", "127.0.0.1:" + dnsPort, "--metrics", "127.0.0.1:0")) {
            int port = awaitPort(proxy);
            String base = proxy.awaitOut("Metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics, .*", 30_000).group(1);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(dig(port, "+short", "+timeout=2")).isEqualTo(ADDRESS + "\n");

            HttpResponse<String> put = put(http, base, "{\"up-loss\": \"100%\"}");
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).contains("\"up-loss\": \"1\"").contains("\"down-loss\": \"0\"");
            assertThat(dig(port, "+timeout=1")).doesNotContain(ADDRESS);

            assertThat(put(http, base, "{\"blackhole\": \"down\"}").statusCode()).isEqualTo(200);
            assertThat(dig(port, "+timeout=1")).as("up-loss cleared, down cut").doesNotContain(ADDRESS);

            assertThat(put(http, base, "{}").statusCode()).isEqualTo(200);
            assertThat(dig(port, "+short", "+timeout=2")).as("all cleared").isEqualTo(ADDRESS + "\n");
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/impairments"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.body()).contains("\"blackhole\": \"none\"").contains("\"up-loss\": \"0\"");

            HttpResponse<String> bad = put(http, base, "{\"up-los\": 1}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("up-los");
            assertThat(put(http, base, "{\"up-loss\": [1]}").statusCode()).isEqualTo(400);

            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            List<String> samples = PrometheusParser.samples(metrics);
            assertThat(samples).contains(
                    "udpecho_proxy_datagrams_impaired_total{direction=up,kind=lost} 1.0",
                    "udpecho_proxy_datagrams_impaired_total{direction=down,kind=blackholed} 1.0",
                    "udpecho_proxy_datagrams_received_total{direction=up} 4.0",
                    "udpecho_proxy_datagrams_forwarded_total{direction=down} 2.0",
                    "udpecho_proxy_sessions_events_total{event=opened} 4.0",
                    "udpecho_proxy_serving 1.0");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aFloodOfDistinctClientsKeepsMemoryBoundedAndTheProxyServing() throws Exception {
        Tools.requirePythonModule("socket", "python3");
        try (DatagramSocket upstream = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             UdpEchoProcess proxy = proxy("--upstream", "127.0.0.1:" + upstream.getLocalPort(),
                     "--max-sessions", "10000", "--metrics", "127.0.0.1:0")) {
            echo(upstream); // ends when the socket closes
            int port = awaitPort(proxy);
            String base = proxy.awaitOut("Metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics, .*", 30_000).group(1);
            long before = rssKib(proxy.pid());
            // 4 source addresses × 25,000 ports, each datagram from a socket of its own. After each 200 the flood
            // waits (up to 10 s) until the proxy has received them all, so that the kernel's receive buffer does
            // not drop most of them and the proxy really sees 10^5 clients.
            Path script = Files.createTempFile("udpecho-flood", ".py");
            Files.writeString(script, String.join("\n",
                    "import re, socket, sys, time, urllib.request",
                    "port, metrics, sent, busy = int(sys.argv[1]), sys.argv[2], 0, 0",
                    "def received():",
                    "    text = urllib.request.urlopen(metrics, timeout=5).read().decode()",
                    "    return float(re.search(r'^udpecho_proxy_datagrams_received_total\\{direction=\"up\"\\} (\\S+)$',"
                            + " text, re.M).group(1))",
                    "for a in range(1, 5):",
                    "    for p in range(20000, 45000):",
                    "        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                    "        try:",
                    "            s.bind(('127.0.1.%d' % a, p))",
                    "            s.sendto(b'flood', ('127.0.0.1', port))",
                    "            sent += 1",
                    "        except OSError:",
                    "            busy += 1",
                    "        s.close()",
                    "        if sent % 200 == 0:",
                    "            deadline = time.monotonic() + 10",
                    "            while received() < sent and time.monotonic() < deadline:",
                    "                time.sleep(0.001)",
                    "print(sent, busy)", ""));
            Process flood = ChildProcesses.builder(Tools.DEBIAN_PYTHON, script.toString(), Integer.toString(port),
                            base + "/metrics")
                    .redirectErrorStream(true).start();
            assertThat(flood.waitFor(150, TimeUnit.SECONDS)).as("the flood ends").isTrue();
            String[] counts = new String(flood.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim()
                    .split(" ");
            Files.delete(script);
            assertThat(Long.parseLong(counts[0])).as("distinct clients sent from").isGreaterThan(99_000);

            // UDP all the way: while the backlog drains, the upstream's own socket may drop a datagram, so a new
            // client asks up to 10 times, as a resolver would.
            String answer = null;
            try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                client.setSoTimeout(2000);
                byte[] data = "after the flood".getBytes(StandardCharsets.US_ASCII);
                for (int attempt = 0; attempt < 10 && answer == null; attempt++) {
                    client.send(new DatagramPacket(data, data.length, new InetSocketAddress("127.0.0.1", port)));
                    DatagramPacket reply = new DatagramPacket(new byte[64], 64);
                    try {
                        client.receive(reply);
                        answer = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
                    } catch (java.net.SocketTimeoutException e) {
                        // asked again
                    }
                }
            }
            assertThat(answer).as("a new client's answer after the flood").isEqualTo("after the flood");
            long after = rssKib(proxy.pid());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<String> samples = PrometheusParser.samples(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
            double sessions = PrometheusParser.value(samples, "udpecho_proxy_sessions");
            double evicted = PrometheusParser.value(samples, "udpecho_proxy_sessions_events_total{event=evicted}");
            double opened = PrometheusParser.value(samples, "udpecho_proxy_sessions_events_total{event=opened}");
            System.out.printf("flood: RSS %d KiB before, %d KiB after; sessions %.0f, opened %.0f, evicted %.0f%n",
                    before, after, sessions, opened, evicted);
            assertThat(sessions).as("sessions open").isLessThanOrEqualTo(10_000);
            assertThat(opened).as("sessions opened, one per client").isGreaterThan(99_000);
            assertThat(evicted).as("evictions counted").isEqualTo(opened - sessions);
            assertThat(after).as("resident KiB after the flood").isLessThan(256 * 1024);
        }
    }

    @Test
    void badCommandLinesGetOneClearLine() throws Exception {
        try (UdpEchoProcess p = proxy("--upstream", "no-such-host.invalid:53")) {
            assertThat(p.awaitExit(30_000)).isEqualTo(2);
            assertThat(p.stderr()).hasSize(1);
            assertThat(p.stderr().get(0)).contains("unknown host 'no-such-host.invalid'");
        }
        try (UdpEchoProcess p = proxy("--upstream", "127.0.0.1:53", "--down-los", "5%")) {
            assertThat(p.awaitExit(30_000)).isEqualTo(2);
            assertThat(p.stderr()).hasSize(1);
            assertThat(p.stderr().get(0)).contains("--down-los");
        }
        try (UdpEchoProcess p = proxy("--loss", "5%")) {
            assertThat(p.awaitExit(30_000)).isEqualTo(2);
            assertThat(p.stderr().get(0)).contains("--upstream");
        }
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             UdpEchoProcess p = proxy("--upstream", "127.0.0.1:53", "--port", Integer.toString(taken.getLocalPort()))) {
            assertThat(p.awaitExit(30_000)).isEqualTo(1);
            assertThat(p.stderr()).hasSize(1);
            assertThat(p.stderr().get(0)).startsWith("Bind failed: 127.0.0.1:" + taken.getLocalPort());
        }
    }

    private static UdpEchoProcess proxy(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("proxy"));
        command.addAll(List.of(args));
        return UdpEchoProcess.udpecho(command.toArray(new String[0]));
    }

    private static int awaitPort(UdpEchoProcess proxy) throws InterruptedException {
        return Integer.parseInt(proxy.awaitOut("Proxy on udp://127\\.0\\.0\\.1:(\\d+) to .*", 30_000).group(1));
    }

    /** @return the summary line, after SIGINT. */
    private static String stop(UdpEchoProcess proxy) throws Exception {
        proxy.signal("INT");
        assertThat(proxy.awaitExit(30_000)).isZero();
        return proxy.stdout().stream().filter(l -> l.startsWith("Summary:")).findFirst()
                .orElseThrow(() -> new AssertionError("no summary: " + proxy.stdout()));
    }

    /** @return dig's output for one try of the name, at 127.0.0.1:port. */
    private static String dig(int port, String... options) throws IOException, InterruptedException {
        return Dnsmasq.dig(port, NAME, options);
    }

    private static HttpResponse<String> put(HttpClient http, String base, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/impairments")).timeout(Duration.ofSeconds(5))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new AssertionError("no VmRSS for " + pid);
    }

    private static Thread echo(DatagramSocket socket) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                    socket.send(p);
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-upstream");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
