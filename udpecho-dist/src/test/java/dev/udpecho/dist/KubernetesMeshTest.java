package dev.udpecho.dist;

import dev.udpecho.bench.Prober;
import dev.udpecho.metrics.MetricsEndpoint;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.udpecho.dist.Yamls.at;
import static dev.udpecho.dist.Yamls.list;
import static dev.udpecho.dist.Yamls.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes/mesh: every file parses; the DaemonSet's probe asks the headless Service's DNS name for the
 * server's own port; each container's environment names real options with valid values; and every metric the
 * alert rules and the Grafana dashboard ask for is one a running prober serves.
 */
class KubernetesMeshTest {
    private static final Path MESH = Repository.root().resolve("deploy/kubernetes/mesh");
    private static final Map<String, Map<String, Object>> BY_KIND = new HashMap<>();
    private static final List<String> FILES = new ArrayList<>();

    @BeforeAll
    static void parse() throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(MESH)) {
            for (Path file : files) {
                FILES.add(file.getFileName().toString());
                if (!file.toString().endsWith(".yaml")) {
                    continue;
                }
                for (Object document : yaml.loadAll(Files.readString(file))) {
                    Map<String, Object> resource = map(document);
                    assertThat(resource).as(file.toString()).containsKeys("apiVersion", "kind");
                    assertThat(BY_KIND.put((String) resource.get("kind"), resource)).isNull();
                }
            }
        }
    }

    private static Map<String, Object> container(String name) {
        for (Object c : list(at(BY_KIND.get("DaemonSet"), "spec", "template", "spec", "containers"))) {
            if (name.equals(map(c).get("name"))) {
                return map(c);
            }
        }
        throw new AssertionError("no container " + name);
    }

    /** @return the container's variables with a value, in order. */
    private static Map<String, String> environment(String container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object e : list(container(container).get("env"))) {
            env.put((String) map(e).get("name"), map(e).containsKey("value") ? String.valueOf(map(e).get("value"))
                    : null);
        }
        return env;
    }

    private static Map<String, String> options(String container) {
        Map<String, String> options = new LinkedHashMap<>();
        environment(container).forEach((k, v) -> {
            if (k.startsWith("UDPECHO_") && !k.equals("UDPECHO_JAVA_OPTS")) {
                options.put(k, v);
            }
        });
        return options;
    }

    private static int port(String container, String name) {
        for (Object p : list(container(container).get("ports"))) {
            if (name.equals(map(p).get("name"))) {
                return (Integer) map(p).get("containerPort");
            }
        }
        throw new AssertionError("no port " + name + " in " + container);
    }

    @Test
    void theKustomizationListsEveryManifestAndTheDashboard() {
        assertThat(BY_KIND).containsKeys("DaemonSet", "Service", "PrometheusRule", "Kustomization");
        Map<String, Object> k = BY_KIND.get("Kustomization");
        TreeSet<String> yamls = new TreeSet<>();
        FILES.stream().filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")).forEach(yamls::add);
        assertThat(new TreeSet<Object>(list(k.get("resources")))).isEqualTo(new TreeSet<Object>(yamls));
        assertThat(list(at(k, "configMapGenerator", 0, "files"))).containsExactly("grafana-dashboard.json");
    }

    @Test
    void theProbeAsksTheHeadlessServiceForTheServersPort() {
        Map<String, Object> service = BY_KIND.get("Service");
        assertThat(at(service, "spec", "clusterIP")).isEqualTo("None");
        Map<String, Object> echo = map(at(service, "spec", "ports", 0));
        assertThat(echo).containsEntry("port", ServerConfig.DEFAULT_PORT).containsEntry("protocol", "UDP")
                .containsEntry("targetPort", "echo");
        assertThat(port("server", "echo")).isEqualTo(ServerConfig.DEFAULT_PORT);
        Map<String, String> probe = environment("probe");
        assertThat(probe.get("UDPECHO_TARGETS_FROM_DNS"))
                .isEqualTo(at(service, "metadata", "name") + ".$(POD_NAMESPACE).svc.cluster.local");
        assertThat(probe.get("UDPECHO_TARGET_PORT")).isEqualTo(Integer.toString(ServerConfig.DEFAULT_PORT));
        assertThat(probe.get("UDPECHO_LABEL")).isEqualTo("node=$(NODE_NAME)");
        // Kubernetes expands $(VAR) only from variables defined before it.
        List<String> names = new ArrayList<>(probe.keySet());
        assertThat(names.indexOf("POD_NAMESPACE")).isBetween(0, names.indexOf("UDPECHO_TARGETS_FROM_DNS"));
        assertThat(names.indexOf("NODE_NAME")).isBetween(0, names.indexOf("UDPECHO_LABEL"));
        Map<String, Object> podLabels = map(at(BY_KIND.get("DaemonSet"), "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(map(at(service, "spec", "selector")));
    }

    @Test
    void eachContainersEnvironmentNamesRealOptionsWithValidValues() {
        assertThat(Repository.helpWith("server", options("server"))).contains("(default: 8888;");
        assertThat(Repository.helpWith("probe", options("probe"))).containsPattern("\\(default:\\s+15s\\)");
    }

    @Test
    void healthAndScrapingUseEachContainersOwnMetricsPort() {
        assertThat(options("server")).containsEntry("UDPECHO_METRICS", ":" + port("server", "metrics"));
        assertThat(options("probe")).containsEntry("UDPECHO_METRICS", ":" + port("probe", "probe-metrics"));
        for (String c : List.of("server", "probe")) {
            String metricsPort = c.equals("server") ? "metrics" : "probe-metrics";
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                assertThat(map(at(container(c), probe, "httpGet"))).as(c + " " + probe)
                        .containsEntry("path", MetricsEndpoint.HEALTH_PATH).containsEntry("port", metricsPort);
            }
            assertThat(map(at(container(c), "securityContext"))).containsEntry("allowPrivilegeEscalation", false)
                    .containsEntry("readOnlyRootFilesystem", true);
            assertThat(map(at(container(c), "resources", "limits"))).containsKeys("cpu", "memory");
        }
        Map<String, Object> annotations = map(at(BY_KIND.get("DaemonSet"), "spec", "template", "metadata",
                "annotations"));
        assertThat(annotations).containsEntry("prometheus.io/port", Integer.toString(port("probe", "probe-metrics")));
    }

    @Test
    @Timeout(60)
    void everyMetricTheAlertsAndTheDashboardAskForIsServedByAProber() throws Exception {
        StringBuilder queries = new StringBuilder();
        for (Object group : list(at(BY_KIND.get("PrometheusRule"), "spec", "groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                queries.append(map(rule).get("expr")).append('\n');
            }
        }
        String dashboard = Files.readString(MESH.resolve("grafana-dashboard.json"));
        Matcher exprs = Pattern.compile("\"(?:expr|query)\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (exprs.find()) {
            queries.append(exprs.group(1).replace("\\\"", "\"")).append('\n');
        }
        Set<String> asked = new TreeSet<>();
        Matcher names = Pattern.compile("udpecho_[a-z_]+").matcher(queries);
        while (names.find()) {
            asked.add(names.group());
        }
        assertThat(asked).contains("udpecho_probe_lost_total", "udpecho_probe_sent_total",
                "udpecho_probe_round_trip_seconds_bucket", "udpecho_probe_up");

        String served;
        try (EchoServer server = EchoServer.builder().port(0).bind(InetAddress.getLoopbackAddress()).start();
             Prober prober = Prober.builder().target("a", server.address()).interval(Duration.ofMillis(10)).start();
             MetricsEndpoint metrics = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     prober, Map.of("node", "n1"))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            served = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.address().getPort()
                    + MetricsEndpoint.METRICS_PATH)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
        for (String name : asked) {
            assertThat(served).as("a sample of " + name).containsPattern("(?m)^" + name + "\\{[^}]*node=\"n1\"");
        }
        assertThat(queries.toString()).as("the labels the queries group by")
                .contains("by (node, target)").contains("le)");
        assertThat(served).contains("target=\"a\"").contains("le=\"");
    }
}
