package dev.udpecho.dist;

import dev.udpecho.metrics.MetricsEndpoint;
import dev.udpecho.server.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.udpecho.dist.Yamls.at;
import static dev.udpecho.dist.Yamls.list;
import static dev.udpecho.dist.Yamls.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes: every file parses as YAML, and the Deployment, Service and HorizontalPodAutoscaler agree
 * with each other, with the Dockerfile and with udpecho's defaults (ports, protocol, health path, user).
 */
class KubernetesManifestsTest {
    private static final Map<String, Map<String, Object>> BY_KIND = new HashMap<>();
    private static final List<String> FILES = new ArrayList<>();

    @BeforeAll
    static void parse() throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Repository.root().resolve("deploy/kubernetes"),
                "*.yaml")) {
            for (Path file : files) {
                FILES.add(file.getFileName().toString());
                for (Object document : yaml.loadAll(Files.readString(file))) {
                    Map<String, Object> resource = map(document);
                    assertThat(resource).as(file.toString()).containsKeys("apiVersion", "kind");
                    assertThat(BY_KIND.put((String) resource.get("kind"), resource)).as("one " + resource.get("kind"))
                            .isNull();
                }
            }
        }
    }

    private static Map<String, Object> container() {
        List<Object> containers = list(at(BY_KIND.get("Deployment"), "spec", "template", "spec", "containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    /** @return the container's ports by name: containerPort and protocol. */
    private static Map<String, Map<String, Object>> containerPorts() {
        Map<String, Map<String, Object>> ports = new LinkedHashMap<>();
        for (Object p : list(container().get("ports"))) {
            ports.put((String) map(p).get("name"), map(p));
        }
        return ports;
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object e : list(container().get("env"))) {
            env.put((String) map(e).get("name"), String.valueOf(map(e).get("value")));
        }
        return env;
    }

    @Test
    void theKustomizationListsEveryManifest() {
        assertThat(BY_KIND).containsKeys("Deployment", "Service", "HorizontalPodAutoscaler", "Kustomization");
        List<Object> resources = list(BY_KIND.get("Kustomization").get("resources"));
        TreeSet<String> others = new TreeSet<>(FILES);
        others.remove("kustomization.yaml");
        assertThat(new TreeSet<Object>(resources)).isEqualTo(new TreeSet<Object>(others));
    }

    @Test
    void theContainerNamesTheDefaultPortsAndSetsThemToo() {
        Map<String, Map<String, Object>> ports = containerPorts();
        assertThat(ports.get("echo")).containsEntry("containerPort", ServerConfig.DEFAULT_PORT).containsEntry("protocol", "UDP");
        assertThat(ports.get("metrics")).containsEntry("containerPort", MetricsEndpoint.DEFAULT_PORT)
                .containsEntry("protocol", "TCP");
        assertThat(environment()).containsEntry("UDPECHO_PORT", Integer.toString(ServerConfig.DEFAULT_PORT))
                .containsEntry("UDPECHO_METRICS", ":" + MetricsEndpoint.DEFAULT_PORT);
        Map<String, Object> annotations = map(at(BY_KIND.get("Deployment"), "spec", "template", "metadata", "annotations"));
        assertThat(annotations).containsEntry("prometheus.io/port", Integer.toString(MetricsEndpoint.DEFAULT_PORT))
                .containsEntry("prometheus.io/path", MetricsEndpoint.METRICS_PATH);
    }

    @Test
    void theEnvironmentNamesRealOptionsWithValidValues() {
        Map<String, String> options = new LinkedHashMap<>(environment());
        options.remove("UDPECHO_JAVA_OPTS"); // the launcher's, not an option
        assertThat(Repository.serverHelpWith(options)).contains("(default: 8888;");
    }

    @Test
    void probesAskHealthzOnTheMetricsPort() {
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            Map<String, Object> get = map(at(container(), probe, "httpGet"));
            assertThat(get).as(probe).containsEntry("path", MetricsEndpoint.HEALTH_PATH).containsEntry("port", "metrics");
        }
    }

    @Test
    void resourcesAreRequestedAndLimited() {
        for (String kind : List.of("requests", "limits")) {
            assertThat(map(at(container(), "resources", kind))).as(kind).containsKeys("cpu", "memory");
        }
    }

    @Test
    void thePodRunsAsTheImagesUserWithoutPrivilege() throws IOException {
        Map<String, Object> pod = map(at(BY_KIND.get("Deployment"), "spec", "template", "spec", "securityContext"));
        assertThat(pod).containsEntry("runAsNonRoot", true);
        assertThat(Repository.read("Dockerfile")).contains("USER " + pod.get("runAsUser") + ":");
        Map<String, Object> container = map(container().get("securityContext"));
        assertThat(container).containsEntry("allowPrivilegeEscalation", false).containsEntry("readOnlyRootFilesystem", true);
        assertThat(list(at(container, "capabilities", "drop"))).containsExactly("ALL");
    }

    @Test
    void theServiceCarriesTheEchoPortOverUdpToThePods() {
        Map<String, Object> service = BY_KIND.get("Service");
        Map<String, Object> echo = null;
        for (Object p : list(at(service, "spec", "ports"))) {
            if ("echo".equals(map(p).get("name"))) {
                echo = map(p);
            }
        }
        assertThat(echo).isNotNull();
        assertThat(echo).containsEntry("port", ServerConfig.DEFAULT_PORT).containsEntry("protocol", "UDP")
                .containsEntry("targetPort", "echo");
        Map<String, Object> podLabels = map(at(BY_KIND.get("Deployment"), "spec", "template", "metadata", "labels"));
        assertThat(podLabels).containsAllEntriesOf(map(at(service, "spec", "selector")));
    }

    @Test
    void theAutoscalerScalesTheDeploymentOnCpu() {
        Map<String, Object> hpa = BY_KIND.get("HorizontalPodAutoscaler");
        assertThat(hpa).containsEntry("apiVersion", "autoscaling/v2");
        Map<String, Object> target = map(at(hpa, "spec", "scaleTargetRef"));
        assertThat(target).containsEntry("kind", "Deployment")
                .containsEntry("name", at(BY_KIND.get("Deployment"), "metadata", "name"));
        assertThat((Integer) at(hpa, "spec", "minReplicas")).isGreaterThanOrEqualTo(2)
                .isLessThan((Integer) at(hpa, "spec", "maxReplicas"));
        assertThat(at(hpa, "spec", "metrics", 0, "resource", "name")).isEqualTo("cpu");
    }
}
