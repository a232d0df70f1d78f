package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Properties;

/**
 * The top command: {@code udpecho server} and {@code udpecho client}. Parses and dispatches; each subcommand
 * lives in its own file.
 */
@Command(name = "udpecho",
        mixinStandardHelpOptions = true,
        versionProvider = UdpEchoCommand.Version.class,
        description = "UDP echo server, client and measurement tool.",
        subcommands = {ServerCommand.class, ClientCommand.class, SelftestCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:done; a server stopped by SIGINT or SIGTERM",
            "1:failed: a port could not be bound, a message got no reply, a host is unknown",
            "2:bad command line"})
public final class UdpEchoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: server or client");
    }

    /**
     * @param in  standard input, for the client.
     * @param out standard output.
     * @param err standard error.
     * @return the command line, ready to {@code execute}.
     */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new UdpEchoCommand(), new Factory(in, out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, args) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            ex.getCommandLine().getErr().println(command + ": " + ex.getMessage()
                    + " (see '" + command + " --help')");
            return ExitCode.USAGE.status();
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
            return ExitCode.FAILURE.status();
        });
        return cli;
    }

    /** Gives the subcommands the process's streams, so that they can be run inside a test. */
    private static final class Factory implements CommandLine.IFactory {
        private final InputStream in;
        private final PrintStream out;
        private final PrintStream err;

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
            if (type == SelftestCommand.class) {
                return type.cast(new SelftestCommand(out));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    /** {@code udpecho 0.1.0 (netty 4.2.18.Final, epoll, Java 17.0.15)}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = UdpEchoCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"udpecho " + p.getProperty("version", "unknown") + " (netty "
                    + p.getProperty("netty", "unknown") + ", transport " + Transport.best() + ", Java "
                    + System.getProperty("java.version") + ")"};
        }
    }
}
