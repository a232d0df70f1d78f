package dev.udpecho.cli;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.impairment.ImpairmentOption;
import dev.udpecho.metrics.MetricsEndpoint;
import dev.udpecho.net.Addresses;
import dev.udpecho.proxy.Direction;
import dev.udpecho.proxy.FlowStats;
import dev.udpecho.proxy.ProxyImpairments;
import dev.udpecho.proxy.ProxyStats;
import dev.udpecho.proxy.UdpProxy;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.LogFormat;
import dev.udpecho.text.JsonLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code udpecho proxy}: forwards datagrams between any UDP client and an upstream server through a bad network
 * made to order (see {@link UdpProxy}). Parses, starts, waits for SIGINT or SIGTERM, prints the summary.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = UdpEchoCommand.Version.class,
        description = {"Forward UDP datagrams between clients and an upstream server, each client from",
            "a socket of its own, and lose, delay, duplicate, reorder, damage, rate-limit or",
            "cut them on the way. A bare impairment (--loss 5%%) applies to each direction",
            "on its own draws; --up-... to client -> upstream only, --down-... to",
            "upstream -> client only. With --metrics, PUT /impairments changes them live.",
            "Stops on SIGINT or SIGTERM with a summary."},
        footerHeading = UdpEchoCommand.ENVIRONMENT_HEADING, footer = UdpEchoCommand.ENVIRONMENT)
final class ProxyCommand implements Callable<Integer> {
    CommandSpec spec;

    @Option(names = "--upstream", paramLabel = "HOST:PORT", required = true, converter = Converters.HostPort.class,
            description = "The server to forward to; its name is resolved once, at start.")
    InetSocketAddress upstream;

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "0", converter = Converters.BindPort.class,
            description = "UDP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", split = ",",
            description = "Local address to listen on; repeatable, or comma-separated (default: 127.0.0.1: a proxy"
                    + " forwards whatever reaches it, so listen wider only on purpose).")
    List<InetAddress> bind = new ArrayList<>();

    @Option(names = "--session-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.Timeout.class,
            description = "A client's session closes after this long without a datagram either way (default:"
                    + " ${DEFAULT-VALUE}).")
    Duration sessionTimeout;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "10000",
            converter = MaxSessions.class,
            description = "Sessions open at most; a new client then takes the place of the least recently active"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.HostPort.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics, health at /healthz, and the"
                    + " impairments at /impairments (GET; PUT a JSON object of option names to replace them);"
                    + " port 0 picks a free one (default: off).")
    InetSocketAddress metrics;

    @picocli.CommandLine.Mixin
    LogFormatOption log;

    @picocli.CommandLine.Mixin
    ConfigOption config;

    /** The impairment options given, by name, in the form {@link ProxyImpairments#parse} takes. */
    private final Map<String, String> impairments = new LinkedHashMap<>();
    private final PrintStream out;
    private final PrintStream err;

    ProxyCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Picocli's model of this command: the impairment options join it here, made from their declarations. */
    @Spec
    void spec(CommandSpec spec) {
        this.spec = spec;
        addImpairmentOptions();
    }

    /** 1 to 1000000. */
    static final class MaxSessions implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Converters.integer(value, 1, 1_000_000, "a number of sessions (1-1000000)");
        }
    }

    /**
     * Adds {@code --loss}, {@code --up-loss}, {@code --down-loss}, ... {@code --rate}, {@code --blackhole}: one
     * option per name {@link ProxyImpairments#names()} gives, each checked by the parser the HTTP API uses.
     */
    private void addImpairmentOptions() {
        CommandSpec mixin = CommandSpec.create();
        for (String name : ProxyImpairments.names()) {
            mixin.addOption(ImpairmentOptions.option("--" + name, paramLabel(name), description(name),
                    value -> ProxyImpairments.parse(Map.of(name, value)), value -> impairments.put(name, value)));
        }
        spec.addMixin("impairment", mixin);
    }

    private static String paramLabel(String name) {
        String key = key(name);
        if (key.equals("rate")) {
            return "N/s";
        }
        return key.equals("blackhole") ? "none|up|down|both" : ImpairmentOption.named(key).paramLabel();
    }

    private static String description(String name) {
        String key = key(name);
        String which = name.startsWith("up-") ? "Client -> upstream only: "
                : name.startsWith("down-") ? "Upstream -> client only: " : "";
        if (key.equals("rate")) {
            return which + "forward at most this many datagrams a second (a token bucket of one second's worth);"
                    + " 0 for no limit.";
        }
        if (key.equals("blackhole")) {
            return "Forward nothing in that direction (default: none); changeable at run time with PUT /impairments.";
        }
        return which + ImpairmentOption.named(key).description().replace("reply", "datagram")
                .replace("replies", "datagrams");
    }

    private static String key(String name) {
        return name.startsWith("up-") ? name.substring(3) : name.startsWith("down-") ? name.substring(5) : name;
    }

    @Override
    public Integer call() throws InterruptedException {
        UdpProxy.Builder builder;
        try {
            builder = UdpProxy.builder().upstream(upstream).port(port).sessionTimeout(sessionTimeout)
                    .maxSessions(maxSessions).impairments(ProxyImpairments.parse(impairments))
                    .notices(line -> notice(line));
            if (!bind.isEmpty()) {
                builder.bind(bind.toArray(new InetAddress[0]));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Signals.Stop stop = new Signals.Stop(5_000);
        UdpProxy proxy;
        try {
            proxy = builder.start();
        } catch (BindFailedException e) {
            failed("Bind failed: " + e.getMessage());
            return ExitCode.FAILURE.status();
        }
        MetricsEndpoint endpoint = null;
        if (metrics != null) {
            try {
                endpoint = MetricsEndpoint.start(metrics, proxy);
            } catch (BindFailedException e) {
                proxy.close();
                failed("Bind failed (metrics): " + e.getMessage());
                return ExitCode.FAILURE.status();
            }
        }
        for (InetSocketAddress address : proxy.addresses()) {
            String from = "udp://" + Addresses.format(address);
            String to = "udp://" + Addresses.format(proxy.upstream());
            out.println(log.format == LogFormat.TEXT ? "Proxy on " + from + " to " + to
                    : json("INFO", "proxy_listening").string("address", from).string("upstream", to).end().toString());
        }
        if (endpoint != null) {
            String url = "http://" + Addresses.format(endpoint.address());
            out.println(log.format == LogFormat.TEXT ? "Metrics on " + url + "/metrics, impairments at " + url
                    + MetricsEndpoint.IMPAIRMENTS_PATH
                    : json("INFO", "metrics_listening").string("address", url + "/metrics").end().toString());
        }
        out.flush();
        stop.await();
        if (endpoint != null) {
            endpoint.close();
        }
        proxy.close();
        out.println(summary(proxy.stats()));
        out.flush();
        stop.done();
        return ExitCode.OK.status();
    }

    private String summary(ProxyStats stats) {
        if (log.format == LogFormat.JSON) {
            JsonLine json = json("INFO", "summary");
            for (Direction d : Direction.values()) {
                FlowStats f = stats.of(d);
                json.object(d.label()).number("received", f.received()).number("forwarded", f.forwarded())
                        .number("bytes_forwarded", f.bytesForwarded()).number("errors", f.errors())
                        .object("impaired");
                for (Impairment what : Impairment.values()) {
                    json.number(what.label(), f.impaired(what));
                }
                json.number("rate_limited", f.rateLimited()).number("blackholed", f.blackholed()).end().end();
            }
            return json.object("sessions").number("open", stats.sessions()).number("opened", stats.sessionsOpened())
                    .number("expired", stats.sessionsExpired()).number("evicted", stats.sessionsEvicted())
                    .number("failed", stats.sessionErrors()).end().end().toString();
        }
        StringBuilder line = new StringBuilder("Summary:");
        for (Direction d : Direction.values()) {
            FlowStats f = stats.of(d);
            line.append(d == Direction.UP ? " up" : "; down").append(" received ").append(f.received())
                    .append(", forwarded ").append(f.forwarded());
            for (Impairment what : Impairment.values()) {
                if (f.impaired(what) > 0) {
                    line.append(", ").append(what.label()).append(' ').append(f.impaired(what));
                }
            }
            if (f.rateLimited() > 0) {
                line.append(", rate-limited ").append(f.rateLimited());
            }
            if (f.blackholed() > 0) {
                line.append(", blackholed ").append(f.blackholed());
            }
            if (f.errors() > 0) {
                line.append(", errors ").append(f.errors());
            }
        }
        line.append("; sessions opened ").append(stats.sessionsOpened()).append(", expired ")
                .append(stats.sessionsExpired()).append(", evicted ").append(stats.sessionsEvicted());
        if (stats.sessionErrors() > 0) {
            line.append(", failed ").append(stats.sessionErrors());
        }
        return line.toString();
    }

    private void notice(String text) {
        err.println(log.format == LogFormat.TEXT ? text
                : json("WARN", "proxy_notice").string("message", text).end().toString());
    }

    private void failed(String text) {
        err.println(log.format == LogFormat.TEXT ? text
                : json("ERROR", "bind_failed").string("message", text).end().toString());
    }

    private static JsonLine json(String level, String event) {
        return LogFormat.jsonEvent(new StringBuilder(256), System.currentTimeMillis(), level, event);
    }
}
