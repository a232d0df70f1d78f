package dev.udpecho.bench;

import dev.udpecho.net.Transport;
import dev.udpecho.server.EchoServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load loops allocate nothing per datagram: in steady state, between two steps of the timeline, the
 * threads that send and receive allocate (almost) nothing while hundreds of thousands of datagrams go by. The
 * run lasts a step longer than the steps measured: the last step is taken on the runner thread as the run ends
 * (with the listener's own allocations and the result's), which is not steady state.
 */
@Timeout(60)
class AllocationIT {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static Stream<Arguments> modesAndTransports() {
        return Benches.transports().flatMap(t -> Stream.of(Arguments.of(BenchMode.WINDOW, t),
                Arguments.of(BenchMode.RATE, t)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modesAndTransports")
    void theLoadLoopsAllocateNothingPerDatagram(BenchMode mode, Transport io) throws Exception {
        try (EchoServer server = EchoServer.builder().port(0).workers(1).start()) {
            BenchConfig config = new BenchConfig(Benches.loopback(server.address().getPort()), Benches.OK, mode,
                    Duration.ofSeconds(4), 64, mode == BenchMode.WINDOW ? 32 : 0, mode == BenchMode.RATE ? 50_000 : 0,
                    Duration.ofSeconds(1), Duration.ofSeconds(1), io);
            List<Thread> loops = new ArrayList<>();
            Map<Integer, Long> allocated = new ConcurrentHashMap<>();
            Map<Integer, Long> received = new ConcurrentHashMap<>();
            Thread runner = new Thread(() -> {
                try {
                    BenchRun.run(config, step -> {
                        long bytes = 0;
                        for (Thread t : loops) {
                            bytes += THREADS.getThreadAllocatedBytes(t.getId());
                        }
                        for (Thread t : Thread.getAllStackTraces().keySet()) {
                            if (t.getName().equals("udpecho-bench-sender") && !loops.contains(t)) {
                                bytes = Long.MIN_VALUE; // found late: measure from the next step
                                loops.add(t);
                            }
                        }
                        allocated.put(step.index(), bytes);
                        received.put(step.index(), step.soFar().received());
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-runner");
            loops.add(runner);
            runner.start();
            runner.join();
            assertThat(allocated.get(2)).as("the runner's tables, allocated at the start: the counter works")
                    .isGreaterThan(1 << 20);
            long datagrams = received.get(3) - received.get(2);
            long bytes = allocated.get(3) - allocated.get(2);
            // Enough that one allocation per datagram (16 bytes at least) would be thousands of times the bound,
            // and few enough for a loaded machine: this checks allocation, not speed.
            assertThat(datagrams).as("datagrams between steps 2 and 3").isGreaterThan(5_000);
            assertThat(bytes).as("bytes allocated by %s for %d datagrams", loops, datagrams).isLessThan(1024);
        }
    }
}
