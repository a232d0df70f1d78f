package dev.udpecho.cli;

import dev.udpecho.server.LogFormat;
import picocli.CommandLine.Option;

/** {@code --log-format}, shared by the proxy and the probe (the server's says what its text lines are). */
final class LogFormatOption {
    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            converter = Converters.LogFormatName.class,
            description = "text, or json: one JSON object per line, for log collectors (default: ${DEFAULT-VALUE}).")
    LogFormat format;
}
