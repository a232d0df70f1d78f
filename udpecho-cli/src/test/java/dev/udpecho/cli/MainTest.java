package dev.udpecho.cli;

import dev.udpecho.policy.DropReason;
import dev.udpecho.server.ServerStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line, run in-process: option validation, help, version. Opens no sockets. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
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
        "bench --host 127.0.0.1 --size 65503 | udpecho bench: size must be 24 to 65502 bytes (the largest UDP payload less the 5-byte prefix), not 65503",
        "bench --mode rate --rate 3000000 | udpecho bench: rate × timeout must be at most 2097152 datagrams in flight, not 3000000: lower the rate or the timeout",
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
        assertThat(err()).isEqualTo("udpecho: a command is needed: server, client or bench (see 'udpecho --help')\n");
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
        assertThat(out()).contains("--bind=ADDR", "--port=N", "--prefix=TEXT", "--quiet", "(default: 8888)",
                "(default: OK...)");
        out.reset();
        assertThat(run("client", "--help")).isZero();
        assertThat(out()).contains("--host=HOST", "--timeout=DURATION", "--retries=N", "--message=TEXT", "--verbose");
        out.reset();
        assertThat(run("bench", "--help")).isZero();
        assertThat(out()).contains("--mode=pingpong|window|rate", "--duration=DURATION", "--size=BYTES", "--window=N",
                "--rate=N", "--warmup=DURATION", "--timeout=DURATION", "--json=FILE|-", "--histogram=FILE",
                "--report=FILE", "(default: pingpong)", "(default: OK...)");
    }

    @Test
    void versionNamesTheReleaseAndTransport() {
        assertThat(run("--version")).isZero();
        assertThat(out()).matches("udpecho \\S+ \\(netty 4\\.2\\.\\d+\\.Final, transport (native|epoll|nio), Java \\S+\\)\n");
    }

    @Test
    void summaryNamesEveryCountAndEachDropReason() {
        ServerStats quiet = new ServerStats(2, 18, 0, 2, 28, 0, 0, Map.of(), 0);
        assertThat(ServerCommand.summary(quiet))
                .isEqualTo("Summary: received 2, replied 2, dropped 0, bytes in 18, bytes out 28");
        ServerStats busy = new ServerStats(5, 70_000, 1, 3, 20, 2, 4, Map.of(DropReason.OVERSIZE, 2L), 7);
        assertThat(ServerCommand.summary(busy)).isEqualTo("Summary: received 5, replied 3, dropped 2 (oversize 2),"
                + " bytes in 70000, bytes out 20, empty 1, socket errors 2, kernel drops 4, log lines not shown 7");
    }
}
