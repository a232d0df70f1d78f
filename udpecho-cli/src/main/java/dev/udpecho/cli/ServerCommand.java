package dev.udpecho.cli;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.Addresses;
import dev.udpecho.policy.DropReason;
import dev.udpecho.policy.ReplyPolicy;
import dev.udpecho.server.AsyncServerLog;
import dev.udpecho.server.BindFailedException;
import dev.udpecho.server.EchoServer;
import dev.udpecho.server.ServerConfig;
import dev.udpecho.server.ServerLog;
import dev.udpecho.server.ServerStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code udpecho server}: the tutorial's server, answering every datagram with the prefix and its bytes.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = UdpEchoCommand.Version.class,
        description = {"Answer every UDP datagram with the prefix followed by its bytes, and print a line per datagram.",
            "Stops on SIGINT or SIGTERM with a summary. The fault injection options (--loss, --delay, ...) make it",
            "a bad network on purpose, to test UDP clients."})
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDR",
            description = "Local address to bind; repeatable (default: every interface, IPv4 and IPv6).")
    List<InetAddress> bind = new ArrayList<>();

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "8888", converter = Converters.BindPort.class,
            description = "UDP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--prefix", paramLabel = "TEXT", defaultValue = ServerConfig.DEFAULT_PREFIX,
            description = "Put before every reply, as UTF-8; empty for a plain RFC 862 echo (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = {"-q", "--quiet"}, description = "No line per datagram.")
    boolean quiet;

    @Option(names = {"-w", "--workers"}, paramLabel = "N", converter = Converters.Workers.class,
            description = "Sockets sharing the port, each with its own thread, so the rate grows with cores"
                    + " (default: the number of cores this process may run on).")
    Integer workers;

    @Option(names = "--rcvbuf", paramLabel = "SIZE", defaultValue = "4M", converter = Converters.Size.class,
            description = "Socket receive buffer to ask for, e.g. 512K, 8M; a warning says if the kernel grants"
                    + " less (net.core.rmem_max) (default: ${DEFAULT-VALUE}).")
    int receiveBuffer;

    @Mixin
    ProtectionOptions protection;

    @Mixin
    ImpairmentOptions impairment;

    @Mixin
    TransportOption transport;

    private final PrintStream out;
    private final PrintStream err;

    ServerCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config;
        try {
            Impairments impairments = impairment.impairments();
            // Impaired runs repeat exactly with one worker: each worker draws its own decisions.
            int sockets = workers != null ? workers : impairments.isOn() ? 1 : ServerConfig.defaultWorkers();
            config = new ServerConfig(bind, port, prefix.getBytes(StandardCharsets.UTF_8), transport.transport,
                    sockets, receiveBuffer, protection.allowLowSourcePorts, protection.rateLimits(),
                    protection.accessList(), impairments);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ServerLog log = new AsyncServerLog(out, !quiet, AsyncServerLog.DEFAULT_CAPACITY,
                AsyncServerLog.DEFAULT_PREVIEW_BYTES);
        EchoServer server;
        try {
            server = EchoServer.open(config, ReplyPolicy.ALWAYS, log);
        } catch (RuntimeException e) {
            log.close();
            err.println("Failed to create socket: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            return ExitCode.FAILURE.status();
        }
        out.println("Socket created");
        try {
            server.bind();
        } catch (BindFailedException e) {
            err.println("Bind failed: " + e.getMessage());
            return ExitCode.FAILURE.status();
        }
        out.println("Socket bind complete");
        for (InetSocketAddress address : server.addresses()) {
            out.println("Listening on udp://" + Addresses.format(address));
        }
        int granted = server.receiveBufferGranted();
        if (granted < receiveBuffer) {
            err.println("Warning: receive buffer is " + granted + " bytes, not " + receiveBuffer
                    + ": capped by net.core.rmem_max (raise it with: sysctl -w net.core.rmem_max=" + receiveBuffer + ")");
        }

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.onTermination(() -> {
            stop.countDown();
            awaitQuietly(stopped);
        });
        stop.await();
        server.close();
        out.println(summary(server.stats()));
        out.flush();
        stopped.countDown();
        return ExitCode.OK.status();
    }

    /**
     * @param stats the server's counters.
     * @return e.g. {@code Summary: received 3, replied 2, dropped 1 (oversize 1), bytes in 65600, bytes out 30}.
     */
    static String summary(ServerStats stats) {
        StringBuilder line = new StringBuilder("Summary: received ").append(stats.received())
                .append(", replied ").append(stats.replied())
                .append(", dropped ").append(stats.droppedTotal());
        String sep = " (";
        for (DropReason reason : DropReason.values()) {
            long n = stats.dropped(reason);
            if (n > 0) {
                line.append(sep).append(reason.label()).append(' ').append(n);
                sep = ", ";
            }
        }
        if (!sep.equals(" (")) {
            line.append(')');
        }
        line.append(", bytes in ").append(stats.bytesReceived()).append(", bytes out ").append(stats.bytesSent());
        if (stats.empty() > 0) {
            line.append(", empty ").append(stats.empty());
        }
        if (stats.errors() > 0) {
            line.append(", socket errors ").append(stats.errors());
        }
        if (stats.kernelDrops() > 0) {
            line.append(", kernel drops ").append(stats.kernelDrops());
        }
        String impairments = " (";
        for (Impairment what : Impairment.values()) {
            long n = stats.impaired(what);
            if (n > 0) {
                line.append(impairments.equals(" (") ? ", impaired" + impairments : ", ").append(what.label()).append(' ').append(n);
                impairments = ", ";
            }
        }
        if (!impairments.equals(" (")) {
            line.append(')');
        }
        if (stats.logDropped() > 0) {
            line.append(", log lines not shown ").append(stats.logDropped());
        }
        return line.toString();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
