package dev.udpecho.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udpecho.server.EchoServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** The JSON, histogram and HTML outputs of one real run, read back as their readers would. */
@Timeout(60)
class ReportsIT {
    private static BenchResult result;

    @BeforeAll
    static void run() throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).workers(1).start()) {
            result = BenchRun.run(new BenchConfig(Benches.loopback(server.address().getPort()), Benches.OK,
                    BenchMode.WINDOW, Duration.ofMillis(1200), 64, 16, 0, Duration.ofMillis(100),
                    Duration.ofSeconds(1), BenchConfig.bestIo()), i -> { });
        }
        assertThat(result.tally().received()).isGreaterThan(1000);
    }

    @Test
    void jsonIsOneObjectWithEveryCountAndThePercentiles() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.format(result));
        Tally t = result.tally();
        assertThat(json.get("mode").asText()).isEqualTo("window");
        assertThat(json.get("server").asText()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(json.get("size").asInt()).isEqualTo(64);
        assertThat(json.get("window").asInt()).isEqualTo(16);
        assertThat(json.get("rate").isNull()).isTrue();
        assertThat(json.get("duration_s").asDouble()).isCloseTo(result.seconds(), offset(0.001));
        assertThat(json.get("sent").asLong()).isEqualTo(t.sent());
        assertThat(json.get("received").asLong()).isEqualTo(t.received());
        for (String zero : List.of("lost", "late", "corrupt", "unmatched", "duplicated", "reordered", "stale", "errors")) {
            assertThat(json.get(zero).asLong()).as(zero).isZero();
        }
        assertThat(json.get("rps").asDouble()).isCloseTo(result.receivedPerSecond(), offset(0.001));
        assertThat(json.get("client_cpu_pct").asDouble()).as("a busy client on a 2-core machine").isBetween(1.0, 200.0)
                .isCloseTo(result.cpuPercent(), offset(0.001));
        JsonNode rtt = json.get("rtt_us");
        assertThat(rtt.get("count").asLong()).isEqualTo(t.received());
        assertThat(rtt.get("min").asDouble()).isCloseTo(result.minMicros(), offset(0.001));
        assertThat(rtt.get("p50").asDouble()).isCloseTo(result.roundTripMicros(50), offset(0.001));
        assertThat(rtt.get("p90").asDouble()).isCloseTo(result.roundTripMicros(90), offset(0.001));
        assertThat(rtt.get("p99").asDouble()).isCloseTo(result.roundTripMicros(99), offset(0.001));
        assertThat(rtt.get("p999").asDouble()).isCloseTo(result.roundTripMicros(99.9), offset(0.001));
        assertThat(rtt.get("max").asDouble()).isCloseTo(result.maxMicros(), offset(0.001));
        assertThat(json.get("intervals").size()).isEqualTo(result.intervals().size()).isBetween(1, 2);
        assertThat(json.get("intervals").get(0).get("received").asLong())
                .isEqualTo(result.intervals().get(0).received());
        assertThat(json.has("send_lag_us")).isFalse();
    }

    @Test
    void jsonStringsAreEscaped() throws Exception {
        String nasty = "a\"b\\c\nd\u0001e\u2028✓";
        assertThat(new ObjectMapper().readTree(JsonReport.string(nasty)).asText()).isEqualTo(nasty);
    }

    @Test
    void theHistogramFileReadsBackAsTheRunsDistribution(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rtt.hgrm");
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            result.writePercentiles(out);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0).trim()).isEqualTo("Value     Percentile TotalCount 1/(1-Percentile)");
        Pattern row = Pattern.compile("\\s*([\\d.]+)\\s+([\\d.]+)\\s+(\\d+)(\\s+[\\d.]+)?");
        List<double[]> rows = new ArrayList<>();
        for (String line : lines) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                rows.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3))});
            }
        }
        assertThat(rows).hasSizeGreaterThan(20);
        double[] last = rows.get(rows.size() - 1);
        assertThat(last[1]).isEqualTo(1.0);
        assertThat((long) last[2]).isEqualTo(result.tally().received());
        double[] median = rows.stream().filter(r -> r[1] >= 0.5).findFirst().orElseThrow();
        assertThat(median[0]).isCloseTo(result.roundTripMicros(50), offset(0.001));
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i)[0]).isGreaterThanOrEqualTo(rows.get(i - 1)[0]);
        }
        Matcher totals = Pattern.compile("#\\[Max\\s+=\\s+([\\d.]+), Total count\\s+=\\s+(\\d+)]")
                .matcher(String.join("\n", lines));
        assertThat(totals.find()).isTrue();
        assertThat(Double.parseDouble(totals.group(1))).isCloseTo(result.maxMicros(), offset(0.001));
        assertThat(Long.parseLong(totals.group(2))).isEqualTo(result.tally().received());
    }

    @Test
    void theHtmlPageDrawsThePercentileCurveAndTheTimelineWithoutScripts() throws Exception {
        String html = HtmlReport.format(result);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Round-trip time by percentile",
                "Replies per second", "Lost per second", "99.9%");
        assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("<script", "src=", "@import", "url(", "<link");
        List<Document> charts = new ArrayList<>();
        Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        while (svg.find()) {
            charts.add(DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(charts).hasSize(4);
        NodeList curve = charts.get(0).getElementsByTagName("polyline");
        assertThat(curve.getLength()).isEqualTo(1);
        String[] points = ((Element) curve.item(0)).getAttribute("points").trim().split(" ");
        assertThat(points.length).as("points of the percentile curve").isGreaterThan(20);
        double previousX = -1;
        for (String p : points) {
            double x = Double.parseDouble(p.split(",")[0]);
            assertThat(x).isGreaterThanOrEqualTo(previousX);
            previousX = x;
        }
        assertThat(charts.get(1).getElementsByTagName("polyline").getLength()).isEqualTo(1);
    }
}
