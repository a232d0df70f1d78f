package dev.udpecho.cli;

import dev.udpecho.bench.BenchConfig;
import dev.udpecho.bench.BenchMode;
import dev.udpecho.bench.BenchResult;
import dev.udpecho.bench.BenchRun;
import dev.udpecho.bench.HtmlReport;
import dev.udpecho.bench.Interval;
import dev.udpecho.bench.JsonReport;
import dev.udpecho.bench.SummaryText;
import dev.udpecho.bench.Tally;
import dev.udpecho.nativeio.NativeLibrary;
import dev.udpecho.net.Transport;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.protocol.Stamp;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code udpecho bench}: measures an echo server (round-trip time, loss, reordering, rate). Parses, wires the
 * bench module's run, and writes its reports.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = UdpEchoCommand.Version.class,
        description = {"Measure a UDP echo server, a STAMP reflector or a sockperf server: round-trip time, loss,"
                + " duplicates, reordering, rate.",
            "Every reply must be the prefix followed by exactly the datagram sent.",
            "Modes: pingpong (one datagram in flight), window (--window in flight), rate (--rate per second,"
                    + " open loop, latency from each datagram's scheduled send time).",
            "Ctrl-C ends the run early, with its summary; a second one at once."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", defaultValue = "localhost",
            description = "Server host name or address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "8888", converter = Converters.PeerPort.class,
            description = "Server UDP port (default: ${DEFAULT-VALUE}; " + Stamp.PORT + " with --protocol stamp).")
    int port;

    @Option(names = "--prefix", paramLabel = "TEXT", defaultValue = "OK...",
            description = "What the server puts before each reply, as UTF-8; '' for a plain echo (default: ${DEFAULT-VALUE};"
                    + " none with --protocol stamp or sockperf).")
    String prefix;

    @Option(names = "--protocol", paramLabel = "echo|stamp|sockperf", defaultValue = "echo",
            converter = Converters.ProtocolName.class,
            description = "What the server speaks: echo; stamp, a STAMP Session-Reflector (a router's, or udpecho"
                    + " server --protocol stamp): the round trip less its residence time, one-way delays, loss by"
                    + " direction; sockperf, a sockperf server (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--stamp-mode", paramLabel = "stateless|stateful", defaultValue = "stateless",
            description = "STAMP: whether the reflector counts its own sequence numbers (stateful), which splits loss"
                    + " into forward and backward (default: ${DEFAULT-VALUE}).")
    String stampMode;

    @Option(names = "--clock-synchronised", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "STAMP: this host's clock is synchronised to UTC; with a reflector that says so too,"
                    + " one-way delays are measured (default: not said).")
    boolean clockSynchronised;

    @Option(names = {"-m", "--mode"}, paramLabel = "pingpong|window|rate", defaultValue = "pingpong",
            converter = ModeName.class, description = "How to load the server (default: ${DEFAULT-VALUE}).")
    BenchMode mode;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "10s",
            converter = AnyDuration.class, description = "How long to measure, after the warmup (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64", converter = DatagramSize.class,
            description = "Bytes per datagram, 24 or more (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"-w", "--window"}, paramLabel = "N", converter = Window.class,
            description = "Datagrams in flight in window mode (default: 64).")
    Integer window;

    @Option(names = {"-r", "--rate"}, paramLabel = "N", converter = Rate.class,
            description = "Datagrams per second in rate mode (required there).")
    Long rate;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s", converter = AnyDuration.class,
            description = "Load before measuring, not counted (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "1s", converter = AnyDuration.class,
            description = "A datagram with no reply after this is lost; a reply after it is late (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--busy-poll", paramLabel = "DURATION", converter = AnyDuration.class,
            description = "Pingpong and window modes: keep asking for replies this long before sleeping until one"
                    + " comes, so that the server need not wake the bench for each batch; 0 sleeps at once, up to 1s"
                    + " (default: 50us in window mode, 0 in pingpong mode).")
    Duration busyPoll;

    @Option(names = "--json", paramLabel = "FILE|-",
            description = "Write the results as one JSON object to FILE, or to standard output with '-' (the summary"
                    + " then goes to standard error).")
    String json;

    @Option(names = "--histogram", paramLabel = "FILE",
            description = "Write HdrHistogram's percentile distribution of the round-trip times (us) to FILE.")
    Path histogram;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write an HTML page with the latency percentile curve and the rate and loss over time.")
    Path report;

    @Option(names = "--transport", paramLabel = "auto|native|nio", defaultValue = "auto", converter = IoName.class,
            description = "Batched recvmmsg/sendmmsg (native, Linux x86_64 and aarch64) or the portable NIO (default: ${DEFAULT-VALUE},"
                    + " the fastest available).")
    Transport io;

    private final PrintStream out;
    private final PrintStream err;

    BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            err.println("udpecho bench: unknown host '" + host + "'");
            return ExitCode.FAILURE.status();
        }
        if (protocol == Protocol.STAMP && !ConfigDefaults.given(spec, "--port")) {
            port = Stamp.PORT;
        }
        if (protocol != Protocol.ECHO && !ConfigDefaults.given(spec, "--prefix")) {
            prefix = "";
        }
        BenchConfig config = config(new InetSocketAddress(address, port));
        boolean jsonToStdout = "-".equals(json);
        PrintStream text = jsonToStdout ? err : out;
        Consumer<Interval> live = Terminal.isInteractive() ? i -> text.println(SummaryText.live(i)) : i -> { };
        BenchRun run = new BenchRun(config, live);
        AtomicBoolean interrupted = new AtomicBoolean();
        Signals.onTermination(() -> {
            if (interrupted.getAndSet(true)) {
                Runtime.getRuntime().halt(130); // a second Ctrl-C: do not wait for the replies in flight
            }
            run.stop();
        });
        BenchResult result = run.run();
        text.print(SummaryText.format(result));
        if (json != null) {
            if (jsonToStdout) {
                out.print(JsonReport.format(result));
                out.flush();
            } else {
                Files.writeString(Path.of(json), JsonReport.format(result), StandardCharsets.UTF_8);
            }
        }
        if (histogram != null) {
            try (OutputStream file = Files.newOutputStream(histogram);
                 PrintStream print = new PrintStream(file, false, StandardCharsets.UTF_8)) {
                result.writePercentiles(print);
            }
        }
        if (report != null) {
            Files.writeString(report, HtmlReport.format(result), StandardCharsets.UTF_8);
        }
        Tally t = result.tally();
        if (!t.anyReply()) {
            err.println("udpecho bench: no reply from " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
                    + port + " (" + t.sent() + " datagrams sent" + (t.errors() > 0 ? ", " + t.errors()
                    + " refused" : "") + ")");
            return ExitCode.FAILURE.status();
        }
        return ExitCode.OK.status();
    }

    private BenchConfig config(InetSocketAddress server) {
        if (window != null && mode != BenchMode.WINDOW) {
            throw new ParameterException(spec.commandLine(), "--window applies to window mode only");
        }
        if (rate != null && mode != BenchMode.RATE) {
            throw new ParameterException(spec.commandLine(), "--rate applies to rate mode only");
        }
        if (rate == null && mode == BenchMode.RATE) {
            throw new ParameterException(spec.commandLine(), "rate mode needs --rate N (datagrams per second)");
        }
        if (busyPoll != null && mode == BenchMode.RATE) {
            throw new ParameterException(spec.commandLine(), "--busy-poll applies to pingpong and window modes only");
        }
        int w = mode == BenchMode.WINDOW ? (window == null ? 64 : window) : mode == BenchMode.PINGPONG ? 1 : 0;
        try {
            boolean stateful = Converters.stampStateful(stampMode);
            return new BenchConfig(server, prefix.getBytes(StandardCharsets.UTF_8), mode, duration, size, w,
                    rate == null ? 0 : rate, warmup, timeout, io, protocol, stateful, clockSynchronised,
                    busyPoll == null ? BenchConfig.defaultBusyPoll(mode) : busyPoll);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code pingpong}, {@code window} or {@code rate}. */
    static final class ModeName implements ITypeConverter<BenchMode> {
        @Override
        public BenchMode convert(String value) {
            try {
                return BenchMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration as {@link Converters#duration}; the run's configuration checks its range. */
    static final class AnyDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.duration(value);
        }
    }

    /** Datagram size: 24 to 65527 bytes. */
    static final class DatagramSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Converters.integer(value, 24, 65_527, "a datagram size (24-65527 bytes)");
        }
    }

    /** Datagrams in flight: 1 to 65536. */
    static final class Window implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Converters.integer(value, 1, BenchConfig.MAX_WINDOW, "a window (1-65536 datagrams)");
        }
    }

    /** Datagrams per second: 1 to 10000000. */
    static final class Rate implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return (long) Converters.integer(value, 1, (int) BenchConfig.MAX_RATE, "a rate (1-10000000 per second)");
        }
    }

    /** {@code auto}, {@code native} or {@code nio}. */
    static final class IoName implements ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "auto":
                    return BenchConfig.bestIo();
                case "native":
                    if (!NativeLibrary.isAvailable()) {
                        throw new TypeConversionException("native transport is not available here: "
                                + NativeLibrary.unavailabilityCause().getMessage());
                    }
                    return Transport.NATIVE;
                case "nio":
                    return Transport.NIO;
                default:
                    throw new TypeConversionException("'" + value + "' is not a bench transport (auto, native or nio)");
            }
        }
    }
}
