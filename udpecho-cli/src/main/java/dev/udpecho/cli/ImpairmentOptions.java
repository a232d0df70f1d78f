package dev.udpecho.cli;

import dev.udpecho.impairment.ImpairmentOption;
import dev.udpecho.impairment.Impairments;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fault injection: what the server does to its replies on purpose, to test a UDP client against loss, delay,
 * duplicates, reordering and damage. One option per {@link ImpairmentOption}, made from its declaration, so that
 * the command line, the Java API and the JUnit extension cannot drift apart. Parses; the engine applies.
 *
 * <p>Used on the parsing thread.
 */
final class ImpairmentOptions {
    private final Map<ImpairmentOption, String> given = new EnumMap<>(ImpairmentOption.class);

    /** @param command where to add {@code --loss}, {@code --delay}, ..., after its other options. */
    void addTo(CommandSpec command) {
        CommandSpec mixin = CommandSpec.create();
        for (ImpairmentOption option : ImpairmentOption.values()) {
            mixin.addOption(option("--" + option.key(), option.paramLabel(), option.description(),
                    value -> option.apply(Impairments.builder(), value), value -> given.put(option, value)));
        }
        command.addMixin("impairment", mixin);
    }

    /**
     * @param check throws {@link IllegalArgumentException}, with a message for the user, if a value is bad.
     * @param given takes each value given, once checked.
     * @return an option of one string value, checked as it is parsed; for options made from declarations.
     */
    static OptionSpec option(String name, String paramLabel, String description, Consumer<String> check,
                             Consumer<String> given) {
        return OptionSpec.builder(name)
                .paramLabel(paramLabel)
                .description(description.replace("%", "%%"))
                .type(String.class)
                .converters(value -> {
                    try {
                        check.accept(value);
                    } catch (IllegalArgumentException e) {
                        throw new TypeConversionException(e.getMessage());
                    }
                    return value;
                })
                .setter(new ISetter() {
                    @Override
                    public <T> T set(T value) {
                        if (value != null) {
                            given.accept((String) value);
                        }
                        return null;
                    }
                })
                .build();
    }

    /** @return the impairments asked for. @throws IllegalArgumentException for values that do not go together. */
    Impairments impairments() {
        Impairments.Builder b = Impairments.builder();
        given.forEach((option, value) -> option.apply(b, value));
        return b.build();
    }
}
