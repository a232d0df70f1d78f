package dev.udpecho.client;

import java.io.IOException;

/**
 * A request got no reply after every try: {@code No reply from localhost:8888 after 3 tries}.
 */
public final class NoReplyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int tries;

    /**
     * @param serverName the server as the user named it.
     * @param tries      how many datagrams were sent.
     */
    public NoReplyException(String serverName, int tries) {
        super("No reply from " + serverName + " after " + tries + (tries == 1 ? " try" : " tries"));
        this.tries = tries;
    }

    /** @return how many datagrams were sent. */
    public int tries() {
        return tries;
    }
}
