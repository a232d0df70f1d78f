package dev.udpecho.cli;

import dev.udpecho.metrics.MetricsEndpoint;
import dev.udpecho.policy.ReplyPolicy;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.protocol.Stamp;
import dev.udpecho.server.AsyncServerLog;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.LogFormat;
import dev.udpecho.server.ServerConfig;
import dev.udpecho.server.ServerLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code udpecho server}: the tutorial's server, answering every datagram with the prefix and its bytes.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = UdpEchoCommand.Version.class,
        description = {"Answer every UDP datagram with the prefix followed by its bytes, and print a line per datagram;",
            "or, with --protocol, be a STAMP reflector or a sockperf server.",
            "Stops on SIGINT or SIGTERM with a summary. The fault injection options (--loss, --delay, ...) make it",
            "a bad network on purpose, to test UDP clients."},
        footerHeading = UdpEchoCommand.ENVIRONMENT_HEADING, footer = UdpEchoCommand.ENVIRONMENT)
final class ServerCommand implements Callable<Integer> {
    CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDR", split = ",",
            description = "Local address to bind; repeatable, or comma-separated (default: every interface, IPv4"
                    + " and IPv6).")
    List<InetAddress> bind = new ArrayList<>();

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "8888", converter = Converters.BindPort.class,
            description = "UDP port; 0 picks a free one (default: ${DEFAULT-VALUE}; " + Stamp.PORT
                    + " with --protocol stamp).")
    int port;

    @Option(names = "--prefix", paramLabel = "TEXT", defaultValue = ServerConfig.DEFAULT_PREFIX,
            description = "Put before every reply, as UTF-8; empty for a plain RFC 862 echo (default: ${DEFAULT-VALUE};"
                    + " none with --protocol stamp or sockperf).")
    String prefix;

    @Option(names = "--protocol", paramLabel = "echo|stamp|sockperf", defaultValue = "echo",
            converter = Converters.ProtocolName.class,
            description = "What to answer: echo, the tutorial's; stamp, a STAMP Session-Reflector (RFC 8762 and"
                    + " RFC 8972, unauthenticated), as routers run on port 862; sockperf, as `sockperf server`"
                    + " answers its ping-pong and under-load clients (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--stamp-mode", paramLabel = "stateless|stateful", defaultValue = "stateless",
            description = "stateless: a reply carries the sender's sequence number; stateful: the reflector's"
                    + " own count per sender (address, port and SSID), so the sender tells forward from"
                    + " backward loss (default: ${DEFAULT-VALUE}).")
    String stampMode;

    @Option(names = "--stamp-sessions", paramLabel = "N", defaultValue = "10000",
            converter = Converters.StampSessions.class,
            description = "Senders a stateful reflector keeps per worker; the one seen least recently goes first"
                    + " (default: ${DEFAULT-VALUE}).")
    int stampSessions;

    @Option(names = "--stamp-session-timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.Timeout.class,
            description = "A stateful reflector forgets a sender idle this long (default: ${DEFAULT-VALUE}).")
    Duration stampSessionTimeout;

    @Option(names = "--clock-synchronised", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "Say in STAMP replies that this host's clock is synchronised to UTC (by NTP or PTP), so"
                    + " that senders trust one-way delays (default: not said).")
    boolean clockSynchronised;

    @Option(names = "--clock-error", paramLabel = "DURATION", defaultValue = "1ms",
            converter = Converters.ClockError.class,
            description = "The clock's error stated in STAMP replies, e.g. 50us, 1ms (default: ${DEFAULT-VALUE}).")
    Duration clockError;

    @Option(names = {"-q", "--quiet"}, paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "No line per datagram (--quiet=false undoes UDPECHO_QUIET).")
    boolean quiet;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            converter = Converters.LogFormatName.class,
            description = "text: the tutorial's lines; json: one JSON object per line, for log collectors"
                    + " (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    @Option(names = {"-w", "--workers"}, paramLabel = "N", converter = Converters.Workers.class,
            description = "Sockets sharing the port, each with its own thread, so the rate grows with cores"
                    + " (default: the number of cores this process may run on).")
    Integer workers;

    @Option(names = "--rcvbuf", paramLabel = "SIZE", defaultValue = "4M", converter = Converters.Size.class,
            description = "Socket receive buffer to ask for, e.g. 512K, 8M; a warning says if the kernel grants"
                    + " less (net.core.rmem_max) (default: ${DEFAULT-VALUE}).")
    int receiveBuffer;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.HostPort.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics and health at /healthz (200 while"
                    + " serving, else 503); :PORT for every interface, port 0 picks a free one (default: off;"
                    + " udpecho's deployment files use 9888).")
    InetSocketAddress metrics;

    @Mixin
    ProtectionOptions protection;

    private final ImpairmentOptions impairment = new ImpairmentOptions();

    @Mixin
    TransportOption transport;

    @Mixin
    ConfigOption config;

    private final PrintStream out;
    private final PrintStream err;

    ServerCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Picocli's model of this command: the impairment options join it here, made from their declarations. */
    @Spec
    void spec(CommandSpec spec) {
        this.spec = spec;
        impairment.addTo(spec);
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig serverConfig;
        try {
            boolean stampStateful = Converters.stampStateful(stampMode);
            // The protocols have defaults of their own, for what was not given on the command line or in the
            // environment or file.
            boolean echo = protocol == Protocol.ECHO;
            serverConfig = ServerConfig.builder().bindAddresses(bind).port(echo || given("--port") ? port : null)
                    .prefix(echo || given("--prefix") ? prefix : null)
                    .transport(transport.transport).workers(workers).receiveBufferBytes(receiveBuffer)
                    .allowLowSourcePorts(protection.allowLowSourcePorts).rateLimits(protection.rateLimits())
                    .accessList(protection.accessList()).impairments(impairment.impairments())
                    .protocol(protocol).stampStateful(stampStateful).stampMaxSessions(stampSessions)
                    .stampSessionTimeout(stampSessionTimeout).clockSynchronised(clockSynchronised)
                    .clockError(clockError).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Signals.Stop stop = new Signals.Stop(2_000);
        ServerOutput output = new ServerOutput(logFormat, out, err);
        ServerLog log = new AsyncServerLog(out, logFormat, !quiet, AsyncServerLog.DEFAULT_CAPACITY,
                AsyncServerLog.DEFAULT_PREVIEW_BYTES);
        EchoServer server;
        try {
            server = EchoServer.open(serverConfig, ReplyPolicy.ALWAYS, log);
        } catch (RuntimeException e) {
            log.close();
            output.failed("socket_create_failed", "Failed to create socket: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            return ExitCode.FAILURE.status();
        }
        output.socketCreated();
        try {
            server.bind();
        } catch (BindFailedException e) {
            output.failed("bind_failed", "Bind failed: " + e.getMessage());
            return ExitCode.FAILURE.status();
        }
        output.socketBound();
        for (InetSocketAddress address : server.addresses()) {
            output.listening(address, server.transport());
        }
        MetricsEndpoint endpoint = null;
        if (metrics != null) {
            try {
                endpoint = MetricsEndpoint.start(metrics, server);
            } catch (BindFailedException e) {
                server.close();
                output.failed("bind_failed", "Bind failed (metrics): " + e.getMessage());
                return ExitCode.FAILURE.status();
            }
            output.metricsListening(endpoint.address());
        }
        int granted = server.receiveBufferGranted();
        if (granted < receiveBuffer) {
            output.receiveBufferCapped(granted, receiveBuffer);
        }

        stop.await();
        server.close();
        if (endpoint != null) {
            endpoint.close();
        }
        output.summary(server.stats());
        out.flush();
        stop.done();
        return ExitCode.OK.status();
    }

    private boolean given(String option) {
        return ConfigDefaults.given(spec, option);
    }
}
