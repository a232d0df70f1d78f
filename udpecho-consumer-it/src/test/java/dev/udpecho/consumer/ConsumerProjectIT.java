package dev.udpecho.consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A project of a consumer's, as the README tells one to write it: its own UDP client, the README's dependency
 * snippet and its JUnit example, verbatim, on the JUnit 5 the project chose. Maven builds it in a process of its
 * own, with a local repository of its own, against what this build deployed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConsumerProjectIT {
    private static final Pattern JAVA_BLOCK = Pattern.compile(
            "<!-- udpecho-consumer-it builds a project[^\n]*-->\n```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern DEPENDENCY_BLOCK = Pattern.compile(
            "<!-- udpecho-consumer-it puts this dependency[^\n]*-->\n```xml\n(.*?)```", Pattern.DOTALL);

    static Stream<String> junitVersions() {
        return Arrays.stream(Build.property("consumer.junit.versions").split(","));
    }

    @ParameterizedTest(name = "JUnit {0}")
    @MethodSource("junitVersions")
    void theReadmeExamplePassesOnTheProjectsOwnJUnit(String junit) throws Exception {
        Path project = project("junit-" + junit, junit, 10);
        Result result = maven(project);
        assertThat(result.status()).as(result.output()).isZero();

        Element report = report(project);
        assertThat(report.getAttribute("tests")).as(result.output()).isEqualTo("1");
        assertThat(report.getAttribute("failures")).isEqualTo("0");
        assertThat(report.getAttribute("errors")).isEqualTo("0");
        // The JUnit that ran is the project's, and no other: the extension brought none of its own.
        List<String> classPath = testClassPath(report);
        assertThat(classPath).filteredOn(e -> e.contains("junit-jupiter-api"))
                .singleElement().asString().endsWith("junit-jupiter-api-" + junit + ".jar");
        assertThat(classPath).filteredOn(e -> e.contains("junit-jupiter-engine"))
                .singleElement().asString().endsWith("junit-jupiter-engine-" + junit + ".jar");
        // And udpecho is this build's, from the repository it deployed to.
        assertThat(classPath).anyMatch(e -> e.contains("udpecho-junit5-" + Build.version().replace("-SNAPSHOT", "")))
                .anyMatch(e -> e.contains("udpecho-core-" + Build.version().replace("-SNAPSHOT", "")));
    }

    @Test
    void theReadmeExampleFailsAClientThatDoesNotRetry() throws Exception {
        String newest = junitVersions().reduce((a, b) -> b).orElseThrow();
        Path project = project("no-retries", newest, 1);
        Result result = maven(project);
        assertThat(result.status()).as(result.output()).isNotZero();

        Element report = report(project);
        assertThat(report.getAttribute("tests")).as(result.output()).isEqualTo("1");
        assertThat(Integer.parseInt(report.getAttribute("errors")) + Integer.parseInt(report.getAttribute("failures")))
                .as("the example's test failed").isEqualTo(1);
        assertThat(result.output()).contains("no reply to 'ping ");
    }

    /**
     * @param attempts how often the project's client sends a request before it gives up: 1 takes its retries out.
     * @return a fresh project in its own folder: the pom, the client, and the README's test.
     */
    private static Path project(String name, String junit, int attempts) throws IOException {
        Path dir = Paths.get(Build.property("consumer.work")).resolve(name);
        delete(dir);
        String readme = Files.readString(Build.root().resolve("README.md"), StandardCharsets.UTF_8);
        String dependency = block(readme, DEPENDENCY_BLOCK, "dependency");
        assertThat(dependency).as("the README's coordinates").contains("<version>" + Build.version() + "</version>");
        String pom = resource("pom.xml").replace("@UDPECHO_DEPENDENCY@", dependency.stripTrailing().indent(4)
                .stripTrailing()).replace("@JUNIT_VERSION@", junit);
        write(dir.resolve("pom.xml"), pom);
        write(dir.resolve("src/main/java/MyClient.java"),
                resource("MyClient.java").replace("@ATTEMPTS@", Integer.toString(attempts)));
        write(dir.resolve("src/test/java/MyClientTest.java"), block(readme, JAVA_BLOCK, "JUnit example"));
        Path settings = dir.resolve("settings.xml");
        write(settings, resource("settings.xml")
                .replace("@STAGING_URL@", Build.staging().toUri().toString())
                .replace("@LOCAL_URL@", Paths.get(Build.property("consumer.local.repository")).toUri().toString()));
        return dir;
    }

    private static String block(String readme, Pattern pattern, String what) {
        Matcher m = pattern.matcher(readme);
        assertThat(m.find()).as("the README's " + what + ", marked for this test").isTrue();
        return m.group(1);
    }

    record Result(int status, String output) {
    }

    /** Runs {@code mvn test} on the project, with the JDK that runs this test. */
    private static Result maven(Path project) throws IOException, InterruptedException {
        Path mvn = Paths.get(Build.property("consumer.maven.home"), "bin", "mvn");
        Path repository = Paths.get(Build.property("consumer.work")).resolve("local-repository");
        Path log = project.resolve("build.log");
        List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-ntp",
                "-s", project.resolve("settings.xml").toString(), "-Dmaven.repo.local=" + repository, "test"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_ARGS");
        Process process = builder.start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("mvn test took over 4 minutes: " + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    private static Element report(Path project) throws IOException {
        Path report = project.resolve("target/surefire-reports/TEST-MyClientTest.xml");
        assertThat(report).as("surefire ran the README's test").isRegularFile();
        return Build.xml(report).getDocumentElement();
    }

    /** @return the forked test JVM's class path, as surefire recorded it in the report. */
    private static List<String> testClassPath(Element report) {
        for (Element p : Build.children(Build.at(report, "properties"), "property")) {
            if (p.getAttribute("name").equals("surefire.test.class.path")) {
                return List.of(p.getAttribute("value").split(java.io.File.pathSeparator));
            }
        }
        throw new AssertionError("the report records no surefire.test.class.path");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConsumerProjectIT.class.getResourceAsStream("/consumer/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
