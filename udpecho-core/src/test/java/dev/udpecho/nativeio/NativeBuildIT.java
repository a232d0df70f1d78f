package dev.udpecho.nativeio;

import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native library's build beyond the host's gcc: src/main/c/build.sh really compiled for musl and for aarch64
 * (so the C stays portable to both), its -Dnative=skip mode, and the build failing where gcc is missing.
 */
@Timeout(180)
class NativeBuildIT {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final int X86_64 = 62;
    private static final int AARCH64 = 183;

    @TempDir
    Path out;

    @Test
    void buildsAgainstMusl() throws Exception {
        Tools.require("musl-gcc");
        Path library = build("musl-gcc");
        // musl-gcc drives the host's gcc, with musl's headers and libc.
        boolean arm = System.getProperty("os.arch").equals("aarch64");
        assertThat(library.getFileName()).hasToString(arm ? "libudpecho-linux-aarch_64.so" : "libudpecho-linux-x86_64.so");
        assertThat(elfMachine(library)).isEqualTo(arm ? AARCH64 : X86_64);
        byte[] bytes = Files.readAllBytes(library);
        assertThat(contains(bytes, "libc.so\0")).as("needs musl's libc.so").isTrue();
        assertThat(contains(bytes, "libc.so.6\0")).as("needs glibc's libc.so.6").isFalse();
    }

    @Test
    void crossBuildsForAarch64() throws Exception {
        Tools.require("aarch64-linux-gnu-gcc");
        Path library = build("aarch64-linux-gnu-gcc");
        assertThat(library.getFileName()).hasToString("libudpecho-linux-aarch_64.so");
        assertThat(elfMachine(library)).isEqualTo(AARCH64);
    }

    @Test
    void skippingRemovesALibraryLeftByAnEarlierBuildAndWarns() throws Exception {
        Path classes = Files.createDirectories(out.resolve("META-INF/native"));
        Path library = Files.writeString(classes.resolve("libudpecho-linux-x86_64.so"), "from an earlier build");
        Result skip = run(List.of("bash", script().toString(), "--skip", classes.toString()), MODULE);
        assertThat(skip.status()).as(skip.output()).isZero();
        assertThat(library).doesNotExist();
        assertThat(skip.output()).isEqualTo("[WARNING] udpecho-core: built WITHOUT the native transport"
                + " (-Dnative=skip): servers from this build use Netty's epoll or NIO\n");
    }

    @Test
    void aLinuxBuildWithoutGccFailsInOneLineUnlessToldToSkip() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "the native transport is built on Linux only");
        Tools.require("mvn");
        // validate only: the check comes first, and leaves target/ alone (this build is using it).
        List<String> mvn = List.of("mvn", "-B", "-q", "-o", "-Dstyle.color=never", "-f", "pom.xml", "validate",
                "-Dnative.gcc=/nonexistent");
        Result noGcc = run(mvn, MODULE);
        assertThat(noGcc.status()).as(noGcc.output()).isEqualTo(1);
        assertThat(noGcc.output().lines().filter(l -> l.contains("cannot build the native transport")))
                .containsExactly("[ERROR] udpecho-core: cannot build the native transport: no gcc at /nonexistent;"
                        + " install gcc (apt-get install -y gcc libc6-dev) or name it (-Dnative.gcc=PATH),"
                        + " or build without it: -Dnative=skip");
        List<String> skipping = new ArrayList<>(mvn);
        skipping.add("-Dnative=skip");
        Result skip = run(skipping, MODULE);
        assertThat(skip.status()).as(skip.output()).isZero();
    }

    private Path build(String compiler) throws IOException, InterruptedException {
        Path headers = MODULE.resolve("target/native/include");
        assertThat(headers.resolve("dev_udpecho_nativeio_DatagramRing.h")).as("JNI headers from the compiler").exists();
        Result build = run(List.of("bash", script().toString(), MODULE.resolve("src/main/c").toString(),
                System.getProperty("java.home"), headers.toString(), out.toString(), compiler), MODULE);
        assertThat(build.status()).as(build.output()).isZero();
        try (var files = Files.list(out)) {
            List<Path> libraries = files.toList();
            assertThat(libraries).as(build.output()).hasSize(1);
            return libraries.get(0);
        }
    }

    private static Path script() {
        return MODULE.resolve("src/main/c/build.sh");
    }

    /** @return the ELF header's e_machine, after checking that the file is a 64-bit little-endian ELF one. */
    private static int elfMachine(Path library) throws IOException {
        byte[] header = Files.readAllBytes(library);
        assertThat(header).startsWith(0x7f, 'E', 'L', 'F', 2, 1);
        return (header[18] & 0xff) | (header[19] & 0xff) << 8;
    }

    private static boolean contains(byte[] bytes, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private record Result(int status, String output) {
    }

    private static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Result(p.exitValue(), output);
    }
}
