package dev.udpecho.cli;

import dev.udpecho.nativeio.NativeLibrary;
import dev.udpecho.net.Transport;
import io.netty.channel.epoll.Epoll;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * The top command: {@code udpecho server}, {@code udpecho client}, {@code udpecho bench}, {@code udpecho proxy}
 * and {@code udpecho probe}. Parses and dispatches; each subcommand lives in its own file.
 */
@Command(name = "udpecho",
        mixinStandardHelpOptions = true,
        versionProvider = UdpEchoCommand.Version.class,
        description = "UDP echo server, client and measurement tool.",
        subcommands = {ServerCommand.class, ClientCommand.class, BenchCommand.class, ProxyCommand.class,
            ProbeCommand.class,
            SelftestCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:done; a server stopped by SIGINT or SIGTERM",
            "1:failed: a port could not be bound, a message got no reply, a bench got none, a host is unknown",
            "2:bad command line"})
public final class UdpEchoCommand implements Runnable {
    static final String ENVIRONMENT_HEADING = "%nEnvironment and configuration file:%n";
    static final String ENVIRONMENT = "Every option may also be set in the environment as UDPECHO_<OPTION>"
            + " (UDPECHO_PORT=7, UDPECHO_RATE_LIMIT_BURST=50) or in the --config file as option=value (port=7);"
            + " UDPECHO_CONFIG names the file. The command line wins over the environment, the environment over"
            + " the file. Lists take commas; flags take true or false.";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: server, client, bench, proxy or probe");
    }

    /**
     * @param environment the environment variables, for options not on the command line.
     * @param in          standard input, for the client.
     * @param out         standard output.
     * @param err         standard error.
     * @return the command line, ready to {@code execute}.
     */
    static CommandLine commandLine(Map<String, String> environment, InputStream in, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new UdpEchoCommand(), new Factory(in, out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        ConfigDefaults defaults = new ConfigDefaults(environment);
        cli.setDefaultValueProvider(defaults);
        cli.setParameterExceptionHandler((ex, args) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            String origin = ex.getArgSpec() == null ? null : defaults.origin(ex.getArgSpec());
            ex.getCommandLine().getErr().println(command + ": " + ex.getMessage()
                    + (origin == null ? "" : ", from " + origin) + " (see '" + command + " --help')");
            return ExitCode.USAGE.status();
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
            return ExitCode.FAILURE.status();
        });
        return cli;
    }

    /**
     * Gives the subcommands the process's streams, so that they can be run inside a test. Public, with a
     * constructor taking no arguments, for the build's generators of completion and man pages.
     */
    public static final class Factory implements CommandLine.IFactory {
        private final InputStream in;
        private final PrintStream out;
        private final PrintStream err;

        /** Uses the process's standard streams. */
        public Factory() {
            this(System.in, System.out, System.err);
        }

        Factory(InputStream in, PrintStream out, PrintStream err) {
            this.in = in;
            this.out = out;
            this.err = err;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == ServerCommand.class) {
                return type.cast(new ServerCommand(out, err));
            }
            if (type == ClientCommand.class) {
                return type.cast(new ClientCommand(in, out, err));
            }
            if (type == BenchCommand.class) {
                return type.cast(new BenchCommand(out, err));
            }
            if (type == ProxyCommand.class) {
                return type.cast(new ProxyCommand(out, err));
            }
            if (type == ProbeCommand.class) {
                return type.cast(new ProbeCommand(out, err));
            }
            if (type == SelftestCommand.class) {
                return type.cast(new SelftestCommand(out));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    /**
     * The release, then the transports that run here, the one a server uses unless told first, then a line per
     * transport that does not run here, with why:
     * <pre>
     * udpecho 0.1.0 (netty 4.2.18.Final, Java 17.0.15)
     * transports: epoll (default), nio
     * native: unavailable (disabled by -Dudpecho.native=false)
     * </pre>
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = UdpEchoCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            List<String> lines = new ArrayList<>();
            lines.add("udpecho " + p.getProperty("version", "unknown") + " (netty " + p.getProperty("netty", "unknown")
                    + ", Java " + System.getProperty("java.version") + ")");
            StringJoiner available = new StringJoiner(", ", "transports: ", "");
            for (Transport t : Transport.values()) {
                if (t.isAvailable()) {
                    available.add(t == Transport.best() ? t + " (default)" : t.toString());
                }
            }
            lines.add(available.toString());
            for (Transport t : Transport.values()) {
                if (!t.isAvailable()) {
                    Throwable cause = t == Transport.NATIVE ? NativeLibrary.unavailabilityCause()
                            : Epoll.unavailabilityCause();
                    String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
                    lines.add(t + ": unavailable (" + why + ")");
                }
            }
            // picocli formats each line with String.format.
            return lines.stream().map(line -> line.replace("%", "%%")).toArray(String[]::new);
        }
    }
}
