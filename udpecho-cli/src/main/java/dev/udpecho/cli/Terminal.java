package dev.udpecho.cli;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * Tells whether the client talks to a person at a terminal, to prompt as the tutorial's client does.
 */
final class Terminal {
    private Terminal() {
    }

    /** @return whether standard input and output are a terminal. */
    static boolean isInteractive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        // From JDK 22, System.console() may return a console that is not a terminal; isTerminal() says which.
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17 to 21: a console is only returned for a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
