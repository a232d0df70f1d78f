package dev.udpecho.server;

import dev.udpecho.net.Addresses;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server socket could not be bound: the port is taken, not permitted, or the address is not local.
 * Its message names the address, the port and the cause, e.g.
 * {@code [::]:8888: Address already in use}.
 */
public final class BindFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private static final Pattern NATIVE_ERROR = Pattern.compile("\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: (.*)");

    private final transient InetSocketAddress address;
    private final String reason;

    /**
     * @param address what could not be bound.
     * @param cause   what the system said.
     */
    public BindFailedException(InetSocketAddress address, Throwable cause) {
        super(Addresses.format(address) + ": " + reason(cause), cause);
        this.address = address;
        this.reason = reason(cause);
    }

    /** @return the address and port that could not be bound. */
    public InetSocketAddress address() {
        return address;
    }

    /** @return the system's reason, e.g. {@code Address already in use}. */
    public String reason() {
        return reason;
    }

    private static String reason(Throwable cause) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        // Netty's native transport says "bind(..) failed with error(-98): Address already in use" and NIO
        // "Address already in use (Bind failed)": keep the system's words only.
        Matcher m = NATIVE_ERROR.matcher(message);
        String reason = m.matches() ? m.group(1) : message;
        return reason.replace(" (Bind failed)", "").trim();
    }
}
