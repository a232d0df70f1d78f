package dev.udpecho.server;

import dev.udpecho.net.Addresses;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A server socket could not be bound: the port is taken, not permitted, or the address is not local.
 * Its message names the address, the port and the cause, e.g.
 * {@code [::]:8888: Address already in use}.
 */
public final class BindFailedException extends IOException {
    private static final long serialVersionUID = 1L;

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
        // Netty's native transport says "bind(..) failed: Address already in use"; keep the system's words.
        int colon = message.indexOf("failed: ");
        String reason = colon >= 0 ? message.substring(colon + "failed: ".length()) : message;
        // NIO says "Address already in use (Bind failed)" or similar.
        return reason.replace(" (Bind failed)", "").trim();
    }
}
