package dev.udpecho.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --config FILE}, shared by the subcommands; {@link ConfigDefaults} reads the file.
 */
final class ConfigOption {
    @Option(names = ConfigDefaults.CONFIG_OPTION, paramLabel = "FILE",
            description = "Read option values from this file, one key=value per line named after the long option"
                    + " (port=8888, rate-limit=50; server.port=7 for one command only). Options on the command"
                    + " line win over UDPECHO_* environment variables, which win over the file.")
    Path file;
}
