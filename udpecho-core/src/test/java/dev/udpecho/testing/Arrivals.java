package dev.udpecho.testing;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.server.ServerLog;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * A server log that shows nothing and opens a latch once the server received a number of datagrams: the event a
 * test waits for when it needs traffic to be flowing.
 *
 * <p>{@link #expect} is called from a test thread, {@link #message} from the server's event loops.
 */
public final class Arrivals implements ServerLog {
    private volatile CountDownLatch next = new CountDownLatch(0);

    /** @return a latch that opens once {@code n} more datagrams arrived. */
    public CountDownLatch expect(int n) {
        CountDownLatch latch = new CountDownLatch(n);
        next = latch;
        return latch;
    }

    @Override
    public void message(PeerAddress source, ByteBuffer payload) {
        next.countDown();
    }

    @Override
    public void notice(String line) {
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public void close() {
    }
}
