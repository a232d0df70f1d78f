package dev.udpecho.cli;

import dev.udpecho.testing.ChildProcesses;
import dev.udpecho.testing.Tools;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Metrics text read by Prometheus's own Python parser (Debian's python3-prometheus-client), as a scrape would. */
final class PrometheusParser {
    private PrometheusParser() {
    }

    /** @return each sample as {@code name{label=value,...} value}, labels sorted; fails if the parser refuses. */
    static List<String> samples(String text) throws Exception {
        Tools.requirePythonModule("prometheus_client", "python3-prometheus-client");
        Process p = ChildProcesses.builder(Tools.DEBIAN_PYTHON, "-c", String.join("\n",
                "import sys",
                "from prometheus_client.parser import text_string_to_metric_families",
                "for family in text_string_to_metric_families(sys.stdin.read()):",
                "    for s in family.samples:",
                "        labels = ','.join('%s=%s' % kv for kv in sorted(s.labels.items()))",
                "        print(s.name + ('{' + labels + '}' if labels else '') + ' ' + repr(float(s.value)))"))
                .redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the parser read it: %s", out).isZero();
        return List.of(out.split("\n"));
    }

    /** @return the value of the sample named so, labels included. */
    static double value(List<String> samples, String name) {
        return samples.stream().filter(s -> s.startsWith(name + " ")).findFirst()
                .map(s -> Double.parseDouble(s.substring(name.length() + 1)))
                .orElseThrow(() -> new AssertionError("no " + name + " in " + samples.size() + " samples"));
    }
}
