package dev.udpecho.consumer;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code mvn deploy} publishes, read from the {@code file:} repository that every build deploys to at
 * verify, with the same deploy plugin: every module, with what a public repository of artifacts requires of it.
 */
class StagingRepositoryIT {
    private static final String GROUP = "dev/udpecho";

    @Test
    void everyModuleIsDeployedWithItsSourcesAndJavadoc() throws IOException {
        List<Build.Module> deployed = Build.modules().stream().filter(Build.Module::deployed).toList();
        assertThat(deployed).extracting(Build.Module::artifactId)
                .contains("udpecho-bom", "udpecho-core", "udpecho-junit5", "udpecho-cli", "udpecho-dist");
        assertThat(files("udpecho-parent")).containsKey(":pom");
        for (Build.Module module : deployed) {
            Map<String, Path> files = files(module.artifactId());
            assertThat(files).as(module.artifactId()).containsKey(":pom");
            if (module.packaging().equals("jar")) {
                assertThat(files).as(module.artifactId()).containsKeys(":jar", "sources:jar", "javadoc:jar");
                checkJar(module.artifactId(), files.get(":jar"));
                try (JarFile sources = new JarFile(files.get("sources:jar").toFile())) {
                    assertThat(sources.stream().map(e -> e.getName()))
                            .as(module.artifactId() + " sources").anyMatch(n -> n.endsWith(".java"));
                }
                try (JarFile javadoc = new JarFile(files.get("javadoc:jar").toFile())) {
                    assertThat(javadoc.getEntry("index.html")).as(module.artifactId() + " javadoc").isNotNull();
                }
            }
        }
        assertThat(files("udpecho-dist")).as("the distribution archive").containsKey(":tar.gz");
    }

    @Test
    void thePomsSayWhatARepositoryRequires() throws IOException {
        // The modules inherit these from udpecho-parent; the BOM, which has no parent, says them itself.
        for (String artifact : List.of("udpecho-parent", "udpecho-bom")) {
            Element pom = Build.xml(files(artifact).get(":pom")).getDocumentElement();
            assertThat(Build.text(pom, "name")).as(artifact).isNotBlank();
            assertThat(Build.text(pom, "description")).as(artifact).isNotBlank();
            assertThat(Build.text(pom, "url")).as(artifact).startsWith("https://");
            assertThat(Build.text(Build.at(pom, "licenses", "license"), "name")).as(artifact).isEqualTo("Apache-2.0");
            assertThat(Build.text(Build.at(pom, "scm"), "connection")).as(artifact).startsWith("scm:git:");
            assertThat(Build.text(Build.at(pom, "scm"), "url")).as(artifact).startsWith("https://");
            assertThat(Build.at(pom, "developers", "developer")).as(artifact).isNotNull();
        }
        for (Build.Module module : Build.modules()) {
            if (module.deployed() && !module.artifactId().equals("udpecho-bom")) {
                Element pom = Build.xml(files(module.artifactId()).get(":pom")).getDocumentElement();
                assertThat(Build.text(Build.at(pom, "parent"), "artifactId")).as(module.artifactId())
                        .isEqualTo("udpecho-parent");
                assertThat(Build.text(pom, "description")).as(module.artifactId()).isNotBlank();
            }
        }
    }

    @Test
    void theBomNamesEveryModuleAndNothingElse() throws IOException {
        Element pom = Build.xml(files("udpecho-bom").get(":pom")).getDocumentElement();
        // An import takes the imported pom's parent's management too: the BOM must not have one.
        assertThat(Build.at(pom, "parent")).isNull();
        assertThat(Build.text(pom, "version")).isEqualTo(Build.version());
        Set<String> managed = new TreeSet<>();
        for (Element d : Build.children(Build.at(pom, "dependencyManagement", "dependencies"), "dependency")) {
            assertThat(Build.text(d, "groupId")).isEqualTo("dev.udpecho");
            assertThat(Build.text(d, "version")).isEqualTo("${project.version}");
            managed.add(Build.text(d, "artifactId"));
        }
        Set<String> published = Build.modules().stream().filter(Build.Module::deployed)
                .map(Build.Module::artifactId).filter(a -> !a.equals("udpecho-bom"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(managed).isEqualTo(published);
    }

    private static void checkJar(String artifact, Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            assertThat(main.getValue("Automatic-Module-Name")).as(artifact)
                    .isEqualTo("dev.udpecho." + artifact.substring("udpecho-".length()));
            assertThat(main.getValue("Bundle-License")).as(artifact).isEqualTo("Apache-2.0");
            assertThat(main.getValue("Implementation-Version")).as(artifact).isEqualTo(Build.version());
            assertThat(file.getEntry("META-INF/LICENSE")).as(artifact + " LICENSE").isNotNull();
            assertThat(file.getEntry("META-INF/NOTICE")).as(artifact + " NOTICE").isNotNull();
        }
    }

    /**
     * @return the newest deployed file of each kind of {@code artifact}, keyed {@code classifier:extension}, as
     *     the repository's snapshot metadata lists them.
     */
    private static Map<String, Path> files(String artifact) throws IOException {
        Path dir = Build.staging().resolve(GROUP).resolve(artifact).resolve(Build.version());
        Path metadata = dir.resolve("maven-metadata.xml");
        assertThat(metadata).as(artifact + " was deployed to " + Build.staging()).isRegularFile();
        Element versioning = Build.at(Build.xml(metadata).getDocumentElement(), "versioning", "snapshotVersions");
        Map<String, Path> files = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (Element v : Build.children(versioning, "snapshotVersion")) {
            String classifier = Build.text(v, "classifier");
            String extension = Build.text(v, "extension");
            String name = artifact + "-" + Build.text(v, "value") + (classifier == null ? "" : "-" + classifier)
                    + "." + extension;
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                files.put((classifier == null ? "" : classifier) + ":" + extension, file);
            } else {
                missing.add(name);
            }
        }
        assertThat(missing).as("files the metadata of " + artifact + " lists").isEmpty();
        return files;
    }
}
