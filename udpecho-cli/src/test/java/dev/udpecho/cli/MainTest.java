package dev.udpecho.cli;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.impairment.ImpairmentOption;
import dev.udpecho.nativeio.NativeLibrary;
import dev.udpecho.net.Transport;
import dev.udpecho.policy.DropReason;
import dev.udpecho.server.DatagramSizes;
import dev.udpecho.server.ServerStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line, run in-process: option validation, help, version. Opens no sockets. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return runWith(Map.of(), args);
    }

    private int runWith(Map<String, String> environment, String... args) {
        return Main.run(args, environment, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "server --port 65536   | udpecho server: Invalid value for option '--port': '65536' is not a port (0-65535)",
        "server --port -1      | udpecho server: Invalid value for option '--port': '-1' is not a port (0-65535)",
        "server --port http    | udpecho server: Invalid value for option '--port': 'http' is not a port (0-65535)",
        "server --bogus        | udpecho server: Unknown option: '--bogus'",
        "server --transport x  | udpecho server: Invalid value for option '--transport': unknown transport 'x' (auto, native, epoll or nio)",
        "server --rate-limit -1 | udpecho server: Invalid value for option '--rate-limit': '-1' is not a rate (0-1000000000 per second)",
        "server --rate-limit-burst 0 | udpecho server: Invalid value for option '--rate-limit-burst': '0' is not a burst size (1-1000000000)",
        "server --rate-limit-prefix 33 | udpecho server: Invalid value for option '--rate-limit-prefix': '33' is not V4[,V6] prefix lengths (1-32, 1-64; e.g. 24,56)",
        "server --rate-limit-prefix 24,65 | udpecho server: Invalid value for option '--rate-limit-prefix': '24,65' is not V4[,V6] prefix lengths (1-32, 1-64; e.g. 24,56)",
        "server --rate-limit-table 10 | udpecho server: Invalid value for option '--rate-limit-table': '10' is not a table size (64-16777216)",
        "server --max-rate lots | udpecho server: Invalid value for option '--max-rate': 'lots' is not a rate (0-1000000000 per second)",
        "server --allow 10.0.0.0/99 | udpecho server: Invalid value for option '--allow' (CIDR): '10.0.0.0/99' has a prefix length outside 0-32",
        "server --deny example.com | udpecho server: Invalid value for option '--deny' (CIDR): 'example.com' is not an address or address block (e.g. 10.0.0.0/8, 2001:db8::/32)",
        "server --rcvbuf 4X    | udpecho server: Invalid value for option '--rcvbuf': '4X' is not a size (e.g. 4M, 512K, 4194304)",
        "server --rcvbuf 1K    | udpecho server: receive buffer must be 4096 to 1073741824 bytes, not 1024",
        "server --loss 1.5     | udpecho server: Invalid value for option '--loss': '1.5' is not a probability (0 to 1, or 0% to 100%)",
        "server --duplicate x  | udpecho server: Invalid value for option '--duplicate': 'x' is not a probability (0 to 1, or 0% to 100%)",
        "server --delay 5ms±6ms | udpecho server: jitter must be 0 to the delay (5ms), not 6ms",
        "server --delay soon   | udpecho server: Invalid value for option '--delay': 'soon' is not a duration (e.g. 200ms, 2s, 1m)",
        "server --log-format xml | udpecho server: Invalid value for option '--log-format': unknown log format 'xml' (text or json)",
        "server --metrics 9888 | udpecho server: Invalid value for option '--metrics': '9888' is not HOST:PORT with a port of 0-65535 (e.g. 127.0.0.1:9888, [::1]:9888, or :9888 for every interface)",
        "server --metrics ::1:9888 | udpecho server: Invalid value for option '--metrics': '::1:9888' is not HOST:PORT with a port of 0-65535 (e.g. 127.0.0.1:9888, [::1]:9888, or :9888 for every interface)",
        "server --metrics :99999 | udpecho server: Invalid value for option '--metrics': ':99999' is not HOST:PORT with a port of 0-65535 (e.g. 127.0.0.1:9888, [::1]:9888, or :9888 for every interface)",
        "server --metrics no-such-host.invalid:1 | udpecho server: Invalid value for option '--metrics': unknown host 'no-such-host.invalid'",
        "server --quiet=maybe  | udpecho server: Invalid value for option '--quiet': 'maybe' is not a boolean",
        "client --port 0       | udpecho client: Invalid value for option '--port': '0' is not a port (1-65535)",
        "client --timeout 5x   | udpecho client: Invalid value for option '--timeout': '5x' is not a duration (e.g. 200ms, 2s, 1m)",
        "client --timeout 0ms  | udpecho client: Invalid value for option '--timeout': '0ms' is out of range (1ms to 1h)",
        "client --retries -1   | udpecho client: Invalid value for option '--retries': '-1' is not a number of retries (0-100)",
        "client --retries 101  | udpecho client: Invalid value for option '--retries': '101' is not a number of retries (0-100)",
        "bench --mode fast     | udpecho bench: Invalid value for option '--mode': unknown mode 'fast' (pingpong, window or rate)",
        "bench --size 10       | udpecho bench: Invalid value for option '--size': '10' is not a datagram size (24-65527 bytes)",
        "bench --mode window --window 0 | udpecho bench: Invalid value for option '--window': '0' is not a window (1-65536 datagrams)",
        "bench --mode rate --rate 0 | udpecho bench: Invalid value for option '--rate': '0' is not a rate (1-10000000 per second)",
        "bench --duration 2x   | udpecho bench: Invalid value for option '--duration': '2x' is not a duration (e.g. 200ms, 2s, 1m)",
        "bench --transport epoll | udpecho bench: Invalid value for option '--transport': 'epoll' is not a bench transport (auto, native or nio)",
        "bench --mode rate     | udpecho bench: rate mode needs --rate N (datagrams per second)",
        "bench --rate 100      | udpecho bench: --rate applies to rate mode only",
        "bench --window 8      | udpecho bench: --window applies to window mode only",
        "bench --duration 10ms | udpecho bench: duration must be 100ms to 24h, not 10ms",
        "bench --timeout 2m    | udpecho bench: timeout must be 1ms to 60s, not 120s",
        "bench --busy-poll 2s  | udpecho bench: busy poll must be 0s to 1s, not 2s",
        "bench --mode rate --rate 10 --busy-poll 1ms | udpecho bench: --busy-poll applies to pingpong and window modes only",
        "bench --busy-poll 5x  | udpecho bench: Invalid value for option '--busy-poll': '5x' is not a duration (e.g. 200ms, 2s, 1m)",
        "bench --host 127.0.0.1 --size 65503 | udpecho bench: size must be 24 to 65502 bytes (the largest UDP payload less the 5-byte prefix), not 65503",
        "bench --mode rate --rate 3000000 | udpecho bench: rate × timeout must be at most 1048576 datagrams in flight, not 3000000: lower the rate or the timeout",
        "frobnicate            | udpecho: Unmatched argument at index 0: 'frobnicate'",
    })
    void badOptionsGiveOneLineAndStatusTwo(String args, String message) {
        assertThat(run(args.trim().split("\\s+"))).isEqualTo(2);
        String command = message.substring(0, message.indexOf(':'));
        assertThat(err()).isEqualTo(message + " (see '" + command + " --help')\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void missingValueIsOneLine() {
        assertThat(run("server", "--prefix")).isEqualTo(2);
        assertThat(err()).isEqualTo("udpecho server: Missing required parameter for option '--prefix' (TEXT)"
                + " (see 'udpecho server --help')\n");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).isEqualTo("udpecho: a command is needed: server, client, bench, proxy or probe (see 'udpecho --help')\n");
    }

    @Test
    void unknownHostIsOneLineAndStatusOne() {
        assertThat(run("client", "--host", "no-such-host.invalid", "--message", "x")).isEqualTo(1);
        assertThat(err()).isEqualTo("udpecho client: unknown host 'no-such-host.invalid'\n");
    }

    @Test
    void helpListsTheOptionsAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("server", "client", "Exit status:", "2   bad command line");
        out.reset();
        assertThat(run("server", "--help")).isZero();
        assertThat(out()).contains("--bind=ADDR", "--port=N", "--prefix=TEXT", "--quiet", "(default: 8888; 862",
                "(default: OK...;");
        out.reset();
        assertThat(run("client", "--help")).isZero();
        assertThat(out()).contains("--host=HOST", "--timeout=DURATION", "--retries=N", "--message=TEXT", "--verbose");
        out.reset();
        assertThat(run("bench", "--help")).isZero();
        assertThat(out()).contains("--mode=pingpong|window|rate", "--duration=DURATION", "--size=BYTES", "--window=N",
                "--rate=N", "--warmup=DURATION", "--timeout=DURATION", "--json=FILE|-", "--histogram=FILE",
                "--report=FILE", "(default: pingpong)", "(default: OK...;");
    }

    @Test
    void versionNamesTheReleaseAndTheTransportsThatRunHere() {
        assertThat(run("--version")).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines.get(0)).matches("udpecho \\S+ \\(netty 4\\.2\\.\\d+\\.Final, Java \\S+\\)");
        // The default first, then the others that run here; nio runs everywhere.
        assertThat(lines.get(1)).startsWith("transports: " + Transport.best() + " (default)").endsWith("nio");
        List<String> unavailable = new ArrayList<>();
        for (Transport t : Transport.values()) {
            if (t.isAvailable()) {
                assertThat(lines.get(1)).contains(t.toString());
            } else {
                assertThat(lines.get(1)).doesNotContain(t.toString());
                unavailable.add(t + ": unavailable (");
            }
        }
        assertThat(lines.subList(2, lines.size())).hasSameSizeAs(unavailable);
        for (int i = 0; i < unavailable.size(); i++) {
            assertThat(lines.get(2 + i)).startsWith(unavailable.get(i)).endsWith(")");
        }
        if (!Transport.NATIVE.isAvailable()) {
            assertThat(lines).contains("native: unavailable (" + NativeLibrary.unavailabilityCause().getMessage() + ")");
        }
    }

    @Test
    void summaryNamesEveryCountAndEachDropReason() {
        ServerStats quiet = new ServerStats(2, 18, 0, 2, 28, 0, 0, Map.of(), Map.of(), 0, DatagramSizes.none());
        assertThat(ServerOutput.summaryLine(quiet))
                .isEqualTo("Summary: received 2, replied 2, dropped 0, bytes in 18, bytes out 28");
        ServerStats busy = new ServerStats(5, 70_000, 1, 3, 20, 2, 4, Map.of(DropReason.OVERSIZE, 2L),
                Map.of(Impairment.LOST, 3L, Impairment.DELAYED, 1L), 7, DatagramSizes.none());
        assertThat(ServerOutput.summaryLine(busy)).isEqualTo("Summary: received 5, replied 3, dropped 2 (oversize 2),"
                + " bytes in 70000, bytes out 20, empty 1, socket errors 2, kernel drops 4,"
                + " impaired (lost 3, delayed 1), log lines not shown 7");
    }

    private static Path file(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("udpecho.conf"), text);
    }

    @Test
    void theEnvironmentAndTheFileGiveDefaultsShownInHelp(@TempDir Path dir) throws IOException {
        Path config = file(dir, "# a comment\nport=1111\nprefix=FILE...\nrcvbuf=8M\n");
        assertThat(runWith(Map.of("UDPECHO_PORT", "9999"), "server", "--config", config.toString(), "--help")).isZero();
        assertThat(out()).contains("(default: 9999;", "(default: FILE...;", "(default: 8M)");
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws IOException {
        // A bad value that is never used is never read: --help exits 0 only if the winner is taken.
        Path config = file(dir, "port=bad-from-file\n");
        assertThat(runWith(Map.of("UDPECHO_PORT", "bad-from-env"), "server", "--port", "7", "--help")).isZero();
        assertThat(runWith(Map.of("UDPECHO_PORT", "7"), "server", "--config", config.toString(), "--help")).isZero();
        assertThat(runWith(Map.of(), "server", "--config", config.toString(), "--port", "7", "--help")).isZero();
        assertThat(err()).isEmpty();
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariable() {
        assertThat(runWith(Map.of("UDPECHO_PORT", "88888"), "server")).isEqualTo(2);
        assertThat(err()).isEqualTo("udpecho server: Invalid value for option '--port': '88888' is not a port (0-65535),"
                + " from environment variable UDPECHO_PORT (see 'udpecho server --help')\n");
        err.reset();
        assertThat(runWith(Map.of("UDPECHO_RATE_LIMIT_BURST", "0"), "server")).isEqualTo(2);
        assertThat(err()).startsWith("udpecho server: Invalid value for option '--rate-limit-burst': '0' is not a burst"
                + " size (1-1000000000), from environment variable UDPECHO_RATE_LIMIT_BURST");
        assertThat(out()).isEmpty();
    }

    @Test
    void aBadValueFromTheFileNamesTheFileAndKey(@TempDir Path dir) throws IOException {
        Path config = file(dir, "server.port=5x\ntimeout=9x\n");
        assertThat(runWith(Map.of(), "client", "--config", config.toString())).isEqualTo(2);
        assertThat(err()).isEqualTo("udpecho client: Invalid value for option '--timeout': '9x' is not a duration"
                + " (e.g. 200ms, 2s, 1m), from 'timeout' in " + config + " (see 'udpecho client --help')\n");
    }

    @Test
    void aKeyMayNameItsCommand(@TempDir Path dir) throws IOException {
        Path config = file(dir, "port=1111\nserver.port=2222\nclient.port=3333\n");
        assertThat(runWith(Map.of("UDPECHO_CONFIG", config.toString()), "server", "--help")).isZero();
        assertThat(out()).contains("(default: 2222;");
        out.reset();
        assertThat(runWith(Map.of("UDPECHO_CONFIG", config.toString()), "client", "--help")).isZero();
        assertThat(out()).contains("(default: 3333)");
    }

    @Test
    void theFileOnTheCommandLineWinsOverUdpechoConfig(@TempDir Path dir) throws IOException {
        Path config = file(dir, "port=2222\n");
        assertThat(runWith(Map.of("UDPECHO_CONFIG", dir.resolve("missing.conf").toString()), "server",
                "--config", config.toString(), "--help")).isZero();
        assertThat(out()).contains("(default: 2222;");
    }

    @Test
    void anUnknownKeyOrAMissingFileIsAUsageError(@TempDir Path dir) throws IOException {
        Path config = file(dir, "prot=8888\n");
        assertThat(runWith(Map.of(), "server", "--config", config.toString())).isEqualTo(2);
        assertThat(err()).startsWith("udpecho server: unknown option 'prot' in config file " + config
                + " (keys are long options without the dashes: allow, allow-low-source-ports, bind, ");
        err.reset();
        Path missing = dir.resolve("missing.conf");
        assertThat(runWith(Map.of("UDPECHO_CONFIG", missing.toString()), "server")).isEqualTo(2);
        assertThat(err()).isEqualTo("udpecho server: cannot read config file " + missing + ": no such file"
                + " (see 'udpecho server --help')\n");
    }

    @Test
    void helpSaysHowToSetOptionsOutsideTheCommandLine() {
        assertThat(run("server", "--help")).isZero();
        assertThat(out()).contains("--config=FILE", "UDPECHO_<OPTION>", "--metrics=HOST:PORT", "--log-format=text|json");
    }

    /** Each impairment option is declared once, in the engine; the command line makes its options from there. */
    @Test
    void everyImpairmentOptionIsAServerOptionWithItsOwnDescription() {
        picocli.CommandLine.Model.CommandSpec server = UdpEchoCommand.commandLine(Map.of(), System.in, System.out,
                System.err).getSubcommands().get("server").getCommandSpec();
        for (ImpairmentOption o : ImpairmentOption.values()) {
            picocli.CommandLine.Model.OptionSpec option = server.findOption("--" + o.key());
            assertThat(option).as("--" + o.key()).isNotNull();
            assertThat(String.join(" ", option.description())).isEqualTo(o.description());
            assertThat(option.paramLabel()).isEqualTo(o.paramLabel());
        }
    }

    @Test
    void impairmentsComeFromTheEnvironmentAndTheConfigFileToo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("udpecho.properties");
        Files.writeString(file, "server.loss=2\n");
        assertThat(runWith(Map.of("UDPECHO_DUPLICATE", "x"), "server", "--port", "0")).isEqualTo(2);
        assertThat(err()).contains("'--duplicate'", "'x' is not a probability", "UDPECHO_DUPLICATE");
        err.reset();
        assertThat(run("server", "--port", "0", "--config", file.toString())).isEqualTo(2);
        assertThat(err()).contains("'--loss'", "'2' is not a probability", file.toString());
    }
}
