package dev.udpecho.cli;

import dev.udpecho.bench.ProbeStats;
import dev.udpecho.bench.Prober;
import dev.udpecho.bench.TargetFinder;
import dev.udpecho.metrics.MetricsEndpoint;
import dev.udpecho.net.Addresses;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.LogFormat;
import dev.udpecho.text.JsonLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code udpecho probe}: probes many UDP targets continuously, for Prometheus ({@code --metrics}) and for a
 * person at a terminal (a line per target, refreshed every interval). Elsewhere it prints a line when a target
 * goes down or comes back up, and a summary per target when it stops.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = UdpEchoCommand.Version.class,
        description = {"Probe UDP echo servers or STAMP reflectors continuously: round trip, loss,",
            "duplicates, reordering, and whether each is up, per target. Targets come from",
            "--target, a file, or a DNS name's A and AAAA records (a headless Service),",
            "looked up again every --refresh. Stops on SIGINT or SIGTERM with a summary."},
        footerHeading = UdpEchoCommand.ENVIRONMENT_HEADING, footer = UdpEchoCommand.ENVIRONMENT)
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", paramLabel = "HOST:PORT", split = ",",
            description = "A target; repeatable, or comma-separated. Resolved once, at start.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--targets-file", paramLabel = "FILE",
            description = "Targets, one HOST[:PORT] per line (# comments), read again every --refresh.")
    Path targetsFile;

    @Option(names = "--targets-from-dns", paramLabel = "NAME",
            description = "Targets: every A and AAAA record of this fully qualified name, at --target-port, looked"
                    + " up again every --refresh (e.g. a headless Service: udpecho-mesh.monitoring.svc.cluster.local).")
    String targetsFromDns;

    @Option(names = "--target-port", paramLabel = "N", defaultValue = "8888", converter = Converters.PeerPort.class,
            description = "The port of targets from DNS, and of lines of the file that name none (default:"
                    + " ${DEFAULT-VALUE}).")
    int targetPort;

    @Option(names = "--dns-server", paramLabel = "HOST:PORT", converter = Converters.HostPort.class,
            description = "The DNS server for --targets-from-dns (default: the system's).")
    InetSocketAddress dnsServer;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "30s", converter = Converters.Timeout.class,
            description = "How often the file and DNS are read again (default: ${DEFAULT-VALUE}).")
    Duration refresh;

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", defaultValue = "1s",
            converter = Converters.Timeout.class,
            description = "A probe to each target this often, each target at its own phase (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Timeout.class,
            description = "A probe with no reply this long is lost (default: the interval, at most 10s).")
    Duration timeout;

    @Option(names = "--protocol", paramLabel = "echo|stamp", defaultValue = "echo",
            converter = Converters.ProtocolName.class,
            description = "What the targets speak: echo (udpecho server), or stamp, a STAMP Session-Reflector"
                    + " (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--prefix", paramLabel = "TEXT", defaultValue = "OK...",
            description = "What an echo target puts before each reply, as UTF-8; '' for a plain echo (default:"
                    + " ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64",
            converter = BenchCommand.DatagramSize.class,
            description = "Bytes per probe, 24 or more; 44 or more with stamp (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--down-after", paramLabel = "N", defaultValue = "3", converter = DownAfter.class,
            description = "A target is down after this many probes in a row are lost, or as soon as its host"
                    + " refuses one (ICMP port unreachable); up again at its next reply (default: ${DEFAULT-VALUE}).")
    int downAfter;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.HostPort.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics, one series per target, and health"
                    + " at /healthz; :PORT for every interface, port 0 picks a free one (default: off).")
    InetSocketAddress metrics;

    @Option(names = "--label", paramLabel = "NAME=VALUE", split = ",",
            description = "A label on every series of this prober, e.g. its node: --label node=$NODE_NAME;"
                    + " repeatable.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--view", paramLabel = "auto|on|off", defaultValue = "auto",
            description = "A line per target refreshed every interval (RTT p50 and p99 and loss over the last"
                    + " minute): auto shows it when output is a terminal (default: ${DEFAULT-VALUE}).")
    String view;

    @picocli.CommandLine.Mixin
    LogFormatOption log;

    @picocli.CommandLine.Mixin
    ConfigOption config;

    private final PrintStream out;
    private final PrintStream err;

    ProbeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** 1 to 1000. */
    static final class DownAfter implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Converters.integer(value, 1, 1000, "a number of probes (1-1000)");
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        boolean showView = switch (view.toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> Terminal.isInteractive();
            default -> throw new ParameterException(spec.commandLine(), "--view: 'auto', 'on' or 'off', not '" + view + "'");
        };
        if (targets.isEmpty() && targetsFile == null && targetsFromDns == null) {
            throw new ParameterException(spec.commandLine(),
                    "nothing to probe: give --target, --targets-file or --targets-from-dns");
        }
        Map<String, String> own = labels();
        Prober.Builder builder;
        try {
            builder = Prober.builder().interval(interval).protocol(protocol).size(size).downAfter(downAfter)
                    .prefix(prefix.getBytes(StandardCharsets.UTF_8)).notices(this::notice);
            if (timeout != null) {
                builder.timeout(timeout);
            }
            if (showView) {
                builder.recent(Duration.ofMinutes(1));
            }
            for (String t : targets) {
                Prober.Target target = TargetFinder.target(t.trim(), targetPort);
                builder.target(target.name(), target.address());
            }
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (targetsFile != null || targetsFromDns != null) {
            if (targetsFile != null) {
                try {
                    TargetFinder.fromFile(targetsFile, targetPort); // a bad file is an error at start, not later
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(), "--targets-file: " + e.getMessage());
                }
            }
            builder.discover(this::discover, refresh);
        }
        Signals.Stop stop = new Signals.Stop(5_000);
        Prober prober;
        try {
            prober = builder.start();
        } catch (IOException e) {
            err.println(log.format == LogFormat.TEXT ? e.getMessage()
                    : json("ERROR", "probe_failed").string("message", e.getMessage()).end().toString());
            return ExitCode.FAILURE.status();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        MetricsEndpoint endpoint = null;
        if (metrics != null) {
            try {
                endpoint = MetricsEndpoint.start(metrics, prober, own);
            } catch (BindFailedException e) {
                prober.close();
                err.println(log.format == LogFormat.TEXT ? "Bind failed (metrics): " + e.getMessage()
                        : json("ERROR", "bind_failed").string("message", e.getMessage()).end().toString());
                return ExitCode.FAILURE.status();
            } catch (IllegalArgumentException e) {
                prober.close();
                throw new ParameterException(spec.commandLine(), "--label: " + e.getMessage());
            }
        }
        String every = interval.toMillis() + " ms";
        out.println(log.format == LogFormat.TEXT ? "Probing " + prober.stats().size() + " targets every " + every
                : json("INFO", "probe_started").number("targets", prober.stats().size())
                        .number("interval_ms", interval.toMillis()).end().toString());
        if (endpoint != null) {
            String url = "http://" + Addresses.format(endpoint.address()) + MetricsEndpoint.METRICS_PATH;
            out.println(log.format == LogFormat.TEXT ? "Metrics on " + url
                    : json("INFO", "metrics_listening").string("address", url).end().toString());
        }
        out.flush();
        Map<String, Boolean> wasUp = new HashMap<>();
        long refreshMillis = Math.max(100, interval.toMillis()); // every interval, but no screen is read faster
        while (!stop.await(refreshMillis) && prober.isRunning()) {
            List<ProbeStats> all = prober.stats();
            if (showView) {
                out.print(ProbeView.render(all, interval));
            } else {
                changes(all, wasUp);
            }
            out.flush();
        }
        boolean failed = !prober.isRunning(); // it stopped by itself, and said why
        if (endpoint != null) {
            endpoint.close();
        }
        List<ProbeStats> last = prober.stats();
        prober.close();
        for (ProbeStats s : last) {
            out.println(summary(s));
        }
        out.flush();
        stop.done();
        return failed ? ExitCode.FAILURE.status() : ExitCode.OK.status();
    }

    /** The targets of the file and of DNS, now; on the prober's discovery thread. */
    private List<Prober.Target> discover() throws Exception {
        List<Prober.Target> found = new ArrayList<>();
        if (targetsFile != null) {
            found.addAll(TargetFinder.fromFile(targetsFile, targetPort));
        }
        if (targetsFromDns != null) {
            found.addAll(TargetFinder.fromDns(targetsFromDns, targetPort, dnsServer));
        }
        return found;
    }

    private Map<String, String> labels() {
        Map<String, String> own = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            String name = eq < 0 ? "" : l.substring(0, eq).trim();
            if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*") || name.startsWith("__")) {
                throw new ParameterException(spec.commandLine(), "--label: '" + l + "' is not NAME=VALUE with a"
                        + " Prometheus label name (letters, digits, _)");
            }
            if (name.equals("target")) {
                throw new ParameterException(spec.commandLine(), "--label: 'target' names each target already");
            }
            own.put(name, l.substring(eq + 1).trim());
        }
        return own;
    }

    /** A line when a target goes down or comes up, not while it stays so. */
    private void changes(List<ProbeStats> all, Map<String, Boolean> wasUp) {
        for (ProbeStats s : all) {
            Boolean before = wasUp.put(s.target(), s.up());
            if (before != null && before != s.up() || before == null && s.up()) {
                out.println(log.format == LogFormat.TEXT ? s.target() + (s.up() ? " up" : " down")
                        + " (sent " + s.sent() + ", replies " + s.replies() + ", lost " + s.lost() + ")"
                        : json(s.up() ? "INFO" : "WARN", s.up() ? "target_up" : "target_down")
                                .string("target", s.target()).number("sent", s.sent()).number("replies", s.replies())
                                .number("lost", s.lost()).end().toString());
            }
        }
        if (wasUp.size() > all.size()) { // a target gone: forget it (a set, not a list: thousands of targets)
            wasUp.keySet().retainAll(all.stream().map(ProbeStats::target).collect(Collectors.toSet()));
        }
    }

    private String summary(ProbeStats s) {
        if (log.format == LogFormat.JSON) {
            return json("INFO", "summary").string("target", s.target()).number("sent", s.sent())
                    .number("replies", s.replies()).number("lost", s.lost()).number("late", s.late())
                    .number("duplicated", s.duplicated()).number("reordered", s.reordered())
                    .number("corrupt", s.corrupt()).number("refused", s.refused()).end().toString();
        }
        return "Summary " + s.target() + ": sent " + s.sent() + ", replies " + s.replies() + ", lost " + s.lost()
                + ", late " + s.late() + ", duplicated " + s.duplicated() + ", reordered " + s.reordered()
                + ", corrupt " + s.corrupt() + ", refused " + s.refused();
    }

    private void notice(String text) {
        err.println(log.format == LogFormat.TEXT ? text
                : json("WARN", "probe_notice").string("message", text).end().toString());
    }

    private static JsonLine json(String level, String event) {
        return LogFormat.jsonEvent(new StringBuilder(256), System.currentTimeMillis(), level, event);
    }
}
