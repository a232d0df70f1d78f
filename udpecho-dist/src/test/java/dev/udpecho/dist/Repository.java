package dev.udpecho.dist;

import dev.udpecho.cli.Main;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The repository's files and the distribution archive the build made, for the tests of what is shipped. */
final class Repository {
    private Repository() {
    }

    /** @return the repository's root: Maven says where, else the parent of this module. */
    static Path root() {
        String home = System.getProperty("udpecho.home");
        Path root = home != null ? Paths.get(home) : Paths.get("").toAbsolutePath().getParent();
        if (!Files.isRegularFile(root.resolve("udpecho-dist/pom.xml"))) {
            throw new IllegalStateException("not udpecho's repository: " + root);
        }
        return root;
    }

    /** @param relative a path from the root. @return the file's text. */
    static String read(String relative) throws IOException {
        return Files.readString(root().resolve(relative), StandardCharsets.UTF_8);
    }

    /** @return the archive {@code mvn package} made, {@code udpecho-VERSION.tar.gz}. */
    static Path archive() {
        String dist = System.getProperty("udpecho.dist");
        if (dist == null) {
            throw new IllegalStateException("udpecho.dist is not set: run the integration tests through Maven");
        }
        return Paths.get(dist);
    }

    /**
     * Checks that every variable sets an option of {@code udpecho server} and that its value is valid, as the
     * command itself reads them: {@code --help} exits 0 only if every value converts.
     *
     * @param environment {@code UDPECHO_<OPTION>} variables.
     * @return the help text, showing the values as defaults.
     */
    static String serverHelpWith(Map<String, String> environment) {
        return helpWith("server", environment);
    }

    /**
     * @param command     {@code server}, {@code probe}, ...
     * @param environment {@code UDPECHO_<OPTION>} variables, each of which must set an option of that command.
     * @return the command's help text, showing the values as defaults.
     */
    static String helpWith(String command, Map<String, String> environment) {
        StringBuilder output = new StringBuilder();
        int status = udpecho(List.of(command, "--help"), environment, output);
        if (status != 0) {
            throw new AssertionError("udpecho " + command + " --help exited " + status + " with " + environment + ": "
                    + output);
        }
        for (String variable : environment.keySet()) {
            String option = "--" + variable.substring("UDPECHO_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
            if (!output.toString().contains(option + "=") && !output.toString().contains(option + "[")
                    && !output.toString().contains(option + " ")) {
                throw new AssertionError(variable + " names no option of udpecho " + command + ": " + output);
            }
        }
        return output.toString();
    }

    /**
     * Runs the {@code udpecho} command in this JVM, as a process would with this environment.
     *
     * @return its exit status; what it printed in {@code output} (stdout, then stderr).
     */
    static int udpecho(List<String> args, Map<String, String> environment, StringBuilder output) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(new String[0]), environment, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        output.append(out.toString(StandardCharsets.UTF_8)).append(err.toString(StandardCharsets.UTF_8));
        return status;
    }
}
