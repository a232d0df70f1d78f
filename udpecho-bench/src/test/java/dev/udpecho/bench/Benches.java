package dev.udpecho.bench;

import dev.udpecho.net.Transport;
import dev.udpecho.testing.Loopback;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;

/** Configurations for the integration tests: short runs on loopback. */
final class Benches {
    static final byte[] OK = "OK...".getBytes(StandardCharsets.US_ASCII);

    private Benches() {
    }

    /** @return the bench transports that run here. */
    static Stream<Transport> transports() {
        return Arrays.stream(new Transport[] {Transport.NATIVE, Transport.NIO}).filter(Transport::isAvailable);
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(Loopback.address("127.0.0.1"), port);
    }

    static BenchConfig window(int port, int window, Duration duration, Duration timeout, Transport io) {
        return new BenchConfig(loopback(port), OK, BenchMode.WINDOW, duration, 64, window, 0, Duration.ZERO,
                timeout, io);
    }

    /** @return {@code c} with another {@link BenchConfig#busyPoll}. */
    static BenchConfig busyPoll(BenchConfig c, Duration busyPoll) {
        return new BenchConfig(c.server(), c.prefix(), c.mode(), c.duration(), c.size(), c.window(), c.rate(),
                c.warmup(), c.timeout(), c.io(), c.protocol(), c.stampStateful(), c.clockSynchronised(), busyPoll);
    }
}
