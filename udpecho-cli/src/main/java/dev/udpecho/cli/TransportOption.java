package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import picocli.CommandLine.Option;

/**
 * {@code --transport}, shared by the subcommands.
 */
final class TransportOption {
    @Option(names = "--transport", paramLabel = "auto|native|epoll|nio", defaultValue = "auto",
            converter = Converters.TransportName.class,
            description = "I/O transport: udpecho's native recvmmsg/sendmmsg loop (servers on Linux x86_64 and aarch64),"
                    + " Netty's epoll, or the portable NIO (default: ${DEFAULT-VALUE}, the fastest available).")
    Transport transport;
}
