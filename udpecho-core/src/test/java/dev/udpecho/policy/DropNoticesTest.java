package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DropNoticesTest {
    private long now = 5_000_000_000L;
    private final List<String> lines = new ArrayList<>();
    private final DropNotices notices = new DropNotices(lines::add, () -> now);

    private static PeerAddress at(String host, int port) {
        return new PeerAddress().set(new InetSocketAddress(host, port));
    }

    @Test
    void oncePerSourcePerMinute() {
        for (int i = 0; i < 1000; i++) {
            notices.onDrop(at("192.0.2.1", 53), DropReason.LOW_SOURCE_PORT);
        }
        assertThat(lines).containsExactly(
                "Dropped 192.0.2.1:53: low source port (more from this address not shown for a minute)");
        now += TimeUnit.SECONDS.toNanos(30);
        notices.onDrop(at("192.0.2.1", 123), DropReason.LOW_SOURCE_PORT);
        assertThat(lines).hasSize(1);
        now += TimeUnit.SECONDS.toNanos(31);
        notices.onDrop(at("192.0.2.1", 123), DropReason.LOW_SOURCE_PORT);
        assertThat(lines).hasSize(2).last().asString().startsWith("Dropped 192.0.2.1:123: low source port");
    }

    @Test
    void aFloodOfSourcesGetsAFewLinesASecondAtMost() {
        for (int i = 0; i < 10_000; i++) {
            now += TimeUnit.MICROSECONDS.toNanos(100); // 10,000 sources over one second
            notices.onDrop(new PeerAddress().set(new byte[] {10, 0, (byte) (i >> 8), (byte) i}, 0, 4, 40000, 0),
                    DropReason.RATE_LIMITED);
        }
        assertThat(lines).hasSizeBetween(9, 11);
    }
}
