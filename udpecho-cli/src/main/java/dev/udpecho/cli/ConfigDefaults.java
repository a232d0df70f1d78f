package dev.udpecho.cli;

import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Values for the options not given on the command line: first from the environment, then from the configuration
 * file, else the option's own default. Every long option {@code --rate-limit-burst} is
 * {@code UDPECHO_RATE_LIMIT_BURST} in the environment and {@code rate-limit-burst} in the file; a file key may
 * name its command, {@code server.port=7}, to win over a plain {@code port=8888} for that command only. The file
 * is {@code --config FILE}, or {@code UDPECHO_CONFIG}; it is read with {@link Properties} ({@code key=value}
 * lines, {@code #} comments), and a key that names no option is an error, so that a typo is not silently
 * ignored. Lists ({@code --bind}, {@code --allow}, {@code --deny}) take commas.
 *
 * <p>Remembers where each value came from, so that an error can say ({@link #origin}). One per command line;
 * picocli calls it on the parsing thread.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    /** What every environment variable of an option starts with. */
    static final String ENVIRONMENT_PREFIX = "UDPECHO_";
    /** The option naming the file. */
    static final String CONFIG_OPTION = "--config";

    private final Map<String, String> environment;
    private final Map<ArgSpec, String> origins = new IdentityHashMap<>();
    private Path loadedPath;
    private Properties loaded;

    /** @param environment the process's environment variables. */
    ConfigDefaults(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec) || isHelp((OptionSpec) arg)) {
            return null;
        }
        OptionSpec option = (OptionSpec) arg;
        String key = key(option);
        String variable = variable(key);
        String value = environment.get(variable);
        if (value != null) {
            origins.put(option, "environment variable " + variable);
            return value;
        }
        if (option.longestName().equals(CONFIG_OPTION)) {
            return null;
        }
        Path path = configPath(option.command());
        if (path == null) {
            return null;
        }
        Properties file = load(path, option.command());
        String qualified = option.command().name() + "." + key;
        value = file.getProperty(qualified);
        if (value == null) {
            value = file.getProperty(key);
        } else {
            key = qualified;
        }
        if (value != null) {
            origins.put(option, "'" + key + "' in " + path);
        }
        return value;
    }

    /**
     * @param arg an option.
     * @return where its value came from, e.g. {@code environment variable UDPECHO_PORT}, or {@code null} if it
     * came from the command line or is the option's own default.
     */
    String origin(ArgSpec arg) {
        return origins.get(arg);
    }

    /**
     * @param spec   a command.
     * @param option one of its options.
     * @return whether it was set on the command line, in the environment or in the config file: not left to its
     *     own default, which another option (a protocol) may then choose.
     */
    static boolean given(CommandSpec spec, String option) {
        OptionSpec o = spec.findOption(option);
        IDefaultValueProvider defaults = spec.defaultValueProvider();
        try {
            return spec.commandLine().getParseResult().hasMatchedOption(o)
                    || defaults != null && defaults.defaultValue(o) != null;
        } catch (Exception e) {
            throw new IllegalStateException("the default of " + option, e);
        }
    }

    /** @param option a long option. @return its key in the file: the long name without dashes, {@code rate-limit}. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    /** @param key a key. @return its environment variable, {@code UDPECHO_RATE_LIMIT}. */
    static String variable(String key) {
        return ENVIRONMENT_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static boolean isHelp(OptionSpec option) {
        return option.usageHelp() || option.versionHelp();
    }

    /** The file named on the command line wins over UDPECHO_CONFIG. */
    private Path configPath(CommandSpec command) {
        OptionSpec config = command.findOption(CONFIG_OPTION);
        if (config == null) {
            return null;
        }
        Object given = config.getValue();
        if (given != null) {
            return (Path) given;
        }
        String variable = environment.get(variable(key(config)));
        return variable == null || variable.isEmpty() ? null : Paths.get(variable);
    }

    private Properties load(Path path, CommandSpec command) {
        if (path.equals(loadedPath)) {
            return loaded;
        }
        CommandLine commandLine = command.commandLine();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ParameterException(commandLine, "cannot read config file " + path + ": " + reason(e));
        }
        for (String name : properties.stringPropertyNames()) {
            if (!isKnown(name, command.root())) {
                throw new ParameterException(commandLine, "unknown option '" + name + "' in config file " + path
                        + " (keys are long options without the dashes: " + keys(command.root()) + ")");
            }
        }
        loadedPath = path;
        loaded = properties;
        return properties;
    }

    /** @return whether {@code name} is {@code key} or {@code command.key} for an option of some command. */
    private static boolean isKnown(String name, CommandSpec root) {
        for (CommandLine sub : root.subcommands().values()) {
            CommandSpec command = sub.getCommandSpec();
            String key = name.startsWith(command.name() + ".") ? name.substring(command.name().length() + 1) : name;
            for (OptionSpec option : command.options()) {
                if (!isHelp(option) && !option.longestName().equals(CONFIG_OPTION) && key(option).equals(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String keys(CommandSpec root) {
        TreeSet<String> keys = new TreeSet<>();
        for (CommandLine sub : root.subcommands().values()) {
            for (OptionSpec option : sub.getCommandSpec().options()) {
                if (!isHelp(option) && !option.longestName().equals(CONFIG_OPTION)) {
                    keys.add(key(option));
                }
            }
        }
        return String.join(", ", keys);
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }
}
