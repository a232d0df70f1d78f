package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import picocli.CommandLine.Option;

/**
 * {@code --transport}, shared by the subcommands.
 */
final class TransportOption {
    @Option(names = "--transport", paramLabel = "auto|epoll|nio", defaultValue = "auto",
            converter = Converters.TransportName.class,
            description = "I/O transport: native epoll on Linux, or the portable NIO (default: ${DEFAULT-VALUE}).")
    Transport transport;
}
