package dev.udpecho.proxy;

import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Await;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's thread allocates nothing per datagram in steady state: with one client sending windows of
 * datagrams through it to an echo server, between two readings of its allocation counter, while thousands of
 * datagrams go both ways, plain and impaired, those that wait (delayed, held back, duplicated) included. (The
 * storage of waiting datagrams grows only when more wait at once than ever before: a window in which it did not
 * is steady state.)
 *
 * <p>One client, because the JDK's {@code DatagramChannel.receive} makes a new address object whenever the
 * sender differs from the previous datagram's: that allocation is the JDK's, not the proxy's.
 */
@Timeout(60)
class ProxyAllocationIT {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"none", "loss=5% corrupt=5% truncate=5% up-rate=1000000",
            "delay=1ms±500us duplicate=10% reorder=10% seed=3"})
    void theProxyThreadAllocatesNothingPerDatagram(String impairments) throws Exception {
        try (EchoServer echo = EchoServer.builder().port(0).bind(InetAddress.getLoopbackAddress()).workers(1).start();
             UdpProxy proxy = UdpProxy.builder().upstream(echo.address())
                     .impair(impairments.equals("none") ? new String[0] : impairments.split(" ")).start();
             Client client = new Client(proxy.address())) {
            Thread loop = proxyThread();
            client.start();
            Await.until("the proxy to warm up", SETTLE, () -> datagrams(proxy) > 50_000);
            // Steady state: a window of 20,000 datagrams in which the storage of waiting datagrams did not grow (it
            // grows only when more wait at once than ever before, which a loaded machine's pauses bring about now
            // and then). At most 20 windows.
            long bytes = Long.MAX_VALUE;
            long datagrams = 0;
            for (int window = 0; window < 20 && bytes == Long.MAX_VALUE; window++) {
                int growthsBefore = proxy.waitingGrowths();
                long bytesBefore = THREADS.getThreadAllocatedBytes(loop.getId());
                long datagramsBefore = datagrams(proxy);
                Await.until("20000 more datagrams", SETTLE, () -> datagrams(proxy) - datagramsBefore > 20_000);
                long allocated = THREADS.getThreadAllocatedBytes(loop.getId()) - bytesBefore;
                if (proxy.waitingGrowths() == growthsBefore) {
                    bytes = allocated;
                    datagrams = datagrams(proxy) - datagramsBefore;
                }
                assertThat(bytesBefore).as("the proxy's tables, allocated at the start: the counter works")
                        .isGreaterThan(1024);
            }
            client.stop();
            assertThat(bytes).as("a window in which the waiting storage did not grow").isNotEqualTo(Long.MAX_VALUE);
            // One allocation per datagram (16 bytes at least) would be 300 times the bound.
            assertThat(bytes).as("bytes allocated by the proxy's thread for %d datagrams", datagrams)
                    .isLessThan(1024);
        }
    }

    /** @return datagrams the proxy took in, both ways. */
    private static long datagrams(UdpProxy proxy) {
        ProxyStats s = proxy.stats();
        return s.up().received() + s.down().received();
    }

    private static Thread proxyThread() {
        List<Thread> found = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("udpecho-proxy")).collect(Collectors.toList());
        assertThat(found).as("proxy threads in this JVM").hasSize(1);
        return found.get(0);
    }

    /**
     * Sends windows of 16 datagrams of 64 bytes and reads what comes back, a window at a time; a reply that does
     * not come (lost) ends the window after a short wait, extra ones (duplicated) are read with the next.
     */
    private static final class Client implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final Thread thread = new Thread(this::run, "test-proxy-client");
        private volatile boolean running = true;

        Client(InetSocketAddress proxy) throws IOException {
            socket.connect(proxy);
            socket.setSoTimeout(2);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            DatagramPacket out = new DatagramPacket(new byte[64], 64);
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            try {
                while (running) {
                    for (int i = 0; i < 16; i++) {
                        socket.send(out);
                    }
                    for (int i = 0; i < 16 && running; i++) {
                        try {
                            in.setLength(2048);
                            socket.receive(in);
                        } catch (SocketTimeoutException e) {
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                // closed: the test is over
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
        }

        @Override
        public void close() {
            running = false;
            socket.close();
        }
    }
}
