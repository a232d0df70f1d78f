package dev.udpecho.cli;

import dev.udpecho.client.ClientConfig;
import dev.udpecho.client.ClientStats;
import dev.udpecho.client.EchoClient;
import dev.udpecho.client.NoReplyException;
import dev.udpecho.client.StrayReply;
import dev.udpecho.text.PayloadText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * {@code udpecho client}: the tutorial's interactive client, with a timeout, retries and reply matching.
 */
@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = UdpEchoCommand.Version.class,
        description = {"Send messages to an echo server and print its replies.",
            "On a terminal it prompts for each message; with piped input it sends one datagram per line."},
        footerHeading = UdpEchoCommand.ENVIRONMENT_HEADING, footer = UdpEchoCommand.ENVIRONMENT)
final class ClientCommand implements Callable<Integer> {
    static final String PROMPT = "Enter message to send : ";
    static final String REPLY = "Server reply : ";

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", defaultValue = "localhost",
            description = "Server host name or address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "8888", converter = Converters.PeerPort.class,
            description = "Server UDP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "1s",
            converter = Converters.Timeout.class,
            description = "How long to wait for each try's reply, e.g. 200ms, 2s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-r", "--retries"}, paramLabel = "N", defaultValue = "2", converter = Converters.Retries.class,
            description = "How many times to send again when no reply comes (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = {"-m", "--message"}, paramLabel = "TEXT",
            description = "Send this message, print its reply, and exit; repeatable. Exit status 1 if any got no reply.")
    List<String> messages = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, paramLabel = "BOOL", arity = "0..1", fallbackValue = "true", description = "Also show retries, socket errors, and replies that were"
            + " not taken: duplicates, late replies to messages given up, datagrams that answer nothing sent.")
    boolean verbose;

    @Mixin
    TransportOption transport;

    @Mixin
    ConfigOption config;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    ClientCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            err.println("udpecho client: unknown host '" + host + "'");
            return ExitCode.FAILURE.status();
        }
        String name = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        ClientConfig config = new ClientConfig(new InetSocketAddress(address, port), name, timeout, retries, null,
                transport.transport);
        try (EchoClient client = EchoClient.open(config, verbose ? new Verbose() : new EchoClient.Listener() {
        })) {
            int status = messages.isEmpty() ? converse(client) : sendMessages(client);
            reportStrays(client.stats());
            return status;
        }
    }

    private int sendMessages(EchoClient client) throws InterruptedException {
        boolean all = true;
        for (String message : messages) {
            all &= exchange(client, message.getBytes(StandardCharsets.UTF_8));
        }
        return all ? ExitCode.OK.status() : ExitCode.FAILURE.status();
    }

    private int converse(EchoClient client) throws IOException, InterruptedException {
        boolean interactive = Terminal.isInteractive();
        LineReader lines = new LineReader(in);
        while (true) {
            if (interactive) {
                out.print(PROMPT);
                out.flush();
            }
            byte[] line = lines.next();
            if (line == null) {
                if (interactive) {
                    out.println();
                }
                return ExitCode.OK.status();
            }
            exchange(client, line);
        }
    }

    /** @return whether a reply came. */
    private boolean exchange(EchoClient client, byte[] message) throws InterruptedException {
        try {
            byte[] reply = client.request(message).get();
            out.println(REPLY + PayloadText.escape(reply));
            return true;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            out.println(cause instanceof NoReplyException ? cause.getMessage() : "Error: " + cause.getMessage());
            return false;
        }
    }

    private void reportStrays(ClientStats stats) {
        if (stats.strays() == 0 || verbose) {
            return;
        }
        err.println("udpecho client: ignored " + stats.late() + " late, " + stats.duplicates() + " duplicate and "
                + stats.unexpected() + " unexpected replies (--verbose shows them)");
    }

    /** Shows on standard error what the client hears besides the replies it takes. */
    private final class Verbose implements EchoClient.Listener {
        @Override
        public void onRetry(byte[] request, int attempt) {
            err.println("(no reply yet; sending again, try " + attempt + " of " + (retries + 1) + ")");
        }

        @Override
        public void onStray(StrayReply kind, byte[] datagram) {
            String what;
            switch (kind) {
                case DUPLICATE:
                    what = "duplicate reply";
                    break;
                case LATE:
                    what = "late reply to a message given up";
                    break;
                default:
                    what = "unexpected datagram";
            }
            err.println("(" + what + " ignored: " + PayloadText.escape(datagram) + ")");
        }

        @Override
        public void onError(Throwable cause) {
            err.println("(socket error: " + cause.getMessage() + ")");
        }
    }
}
