package dev.udpecho.client;

import dev.udpecho.net.Transport;
import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client against our server and against a scripted peer that answers late, twice, or not at all, in a fixed
 * order decided by what it receives (no sleeps decide the outcome).
 */
@Timeout(30)
class EchoClientIT {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> strays = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private EchoClient client(InetSocketAddress server, Duration timeout, int retries, Transport transport) {
        ClientConfig config = ClientConfig.of(server).withTimeout(timeout).withRetries(retries).withTransport(transport);
        EchoClient client = EchoClient.open(config, new EchoClient.Listener() {
            @Override
            public void onStray(StrayReply kind, byte[] datagram) {
                strays.add(kind.label() + ":" + text(datagram));
            }
        });
        toClose.add(client);
        return client;
    }

    private DatagramSocket peer() {
        DatagramSocket s = Loopback.socket("127.0.0.1", 5000);
        toClose.add(s);
        return s;
    }

    private static InetSocketAddress addressOf(DatagramSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    /** Receives one datagram and checks what it is. @return its sender. */
    private static InetSocketAddress expect(DatagramSocket peer, String payload) {
        InetSocketAddress[] from = new InetSocketAddress[1];
        byte[] got = Loopback.receiveFrom(peer, from);
        assertThat(got).as("peer waits for '%s'", payload).isNotNull();
        assertThat(text(got)).isEqualTo(payload);
        return from[0];
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.udpecho.testing.Loopback#transportsAndAddresses")
    void repliesFromOurServerAreMatchedToTheirRequests(Transport transport, String loopback) throws Exception {
        EchoServer server = EchoServer.builder().port(0).transport(transport).start();
        toClose.add(server);
        EchoClient client = client(new InetSocketAddress(Loopback.address(loopback), server.address().getPort()),
                Duration.ofSeconds(2), 2, transport);
        assertThat(text(client.request(utf8("hello")).get())).isEqualTo("OK...hello");
        assertThat(text(client.request(utf8("how are you")).get())).isEqualTo("OK...how are you");
        assertThat(text(client.request(new byte[0]).get())).isEqualTo("OK...");
        assertThat(text(client.request(utf8("hello")).get())).isEqualTo("OK...hello");
        List<CompletableFuture<byte[]>> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(client.request(utf8("concurrent " + i)));
        }
        for (int i = 0; i < 100; i++) {
            assertThat(text(many.get(i).get())).isEqualTo("OK...concurrent " + i);
        }
        ClientStats stats = client.stats();
        assertThat(stats.requests()).isEqualTo(104);
        assertThat(stats.replies()).isEqualTo(104);
        assertThat(stats.strays()).isZero();
    }

    @Test
    void silentPortGetsEveryTryThenNoReply() throws Exception {
        DatagramSocket silent = peer();
        EchoClient client = client(addressOf(silent), Duration.ofMillis(200), 2, Transport.best());
        long start = System.nanoTime();
        CompletableFuture<byte[]> reply = client.request(utf8("anyone?"));
        for (int i = 0; i < 3; i++) {
            expect(silent, "anyone?");
        }
        assertThatThrownBy(reply::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NoReplyException.class)
                .hasMessage("No reply from 127.0.0.1:" + silent.getLocalPort() + " after 3 tries");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(600);
        silent.setSoTimeout(300);
        assertThat(Loopback.receive(silent)).as("no fourth try").isNull();
        assertThat(client.stats().sent()).isEqualTo(3);
        assertThat(client.stats().noReply()).isEqualTo(1);
    }

    @Test
    void lateReplyToAnAbandonedMessageIsNotTakenForTheNextOne() throws Exception {
        DatagramSocket peer = peer();
        EchoClient client = client(addressOf(peer), Duration.ofMillis(150), 1, Transport.best());
        CompletableFuture<byte[]> first = client.request(utf8("first"));
        InetSocketAddress from = expect(peer, "first");
        expect(peer, "first");
        assertThatThrownBy(first::get).cause().isInstanceOf(NoReplyException.class);

        CompletableFuture<byte[]> second = client.request(utf8("second"));
        InetSocketAddress secondFrom = expect(peer, "second");
        // The answers to "first" arrive now, before the answer to "second".
        Loopback.send(peer, utf8("OK...first"), from);
        Loopback.send(peer, utf8("OK...first"), from);
        Loopback.send(peer, utf8("OK...second"), secondFrom);
        assertThat(text(second.get())).isEqualTo("OK...second");
        waitFor(() -> client.stats().late() == 2);
        assertThat(strays).containsExactly("late:OK...first", "late:OK...first");
    }

    @Test
    void lateReplyOnTheSameSocketOnceThePrefixIsKnown() throws Exception {
        DatagramSocket peer = peer();
        EchoClient client = client(addressOf(peer), Duration.ofMillis(150), 0, Transport.best());
        CompletableFuture<byte[]> hi = client.request(utf8("hi"));
        InetSocketAddress from = expect(peer, "hi");
        Loopback.send(peer, utf8("OK...hi"), from);
        hi.get();
        CompletableFuture<byte[]> first = client.request(utf8("first"));
        expect(peer, "first");
        assertThatThrownBy(first::get).cause().isInstanceOf(NoReplyException.class);
        CompletableFuture<byte[]> second = client.request(utf8("second"));
        assertThat(expect(peer, "second")).isEqualTo(from);
        Loopback.send(peer, utf8("OK...first"), from);
        Loopback.send(peer, utf8("OK...second"), from);
        assertThat(text(second.get())).isEqualTo("OK...second");
        waitFor(() -> client.stats().late() == 1);
        assertThat(strays).containsExactly("late:OK...first");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.udpecho.testing.Loopback#transports")
    void emptyDatagramsAreSentAndEchoedEmptyByAPlainEcho(Transport transport) throws Exception {
        EchoServer server = EchoServer.builder().port(0).prefix("").transport(transport).start();
        toClose.add(server);
        ClientConfig config = ClientConfig.of(new InetSocketAddress(Loopback.address("127.0.0.1"),
                server.address().getPort())).withTransport(transport).withExpectedPrefix(new byte[0]);
        EchoClient client = EchoClient.open(config);
        toClose.add(client);
        assertThat(client.request(new byte[0]).get()).isEmpty();
        assertThat(client.request(utf8("x")).get()).containsExactly('x');
        assertThat(dev.udpecho.server.EchoServerIT.settled(server, 2).empty()).isEqualTo(1);
        // And a plain JDK socket sees the empty reply too.
        try (DatagramSocket s = Loopback.socket("127.0.0.1", 3000)) {
            Loopback.send(s, new byte[0], new InetSocketAddress(Loopback.address("127.0.0.1"), server.address().getPort()));
            assertThat(Loopback.receive(s)).isEmpty();
        }
    }

    @Test
    void duplicateReplyIsNotTakenForTheNextMessage() throws Exception {
        DatagramSocket peer = peer();
        EchoClient client = client(addressOf(peer), Duration.ofSeconds(2), 0, Transport.best());
        CompletableFuture<byte[]> x = client.request(utf8("x"));
        InetSocketAddress from = expect(peer, "x");
        Loopback.send(peer, utf8("OK...x"), from);
        assertThat(text(x.get())).isEqualTo("OK...x");

        CompletableFuture<byte[]> y = client.request(utf8("y"));
        expect(peer, "y");
        Loopback.send(peer, utf8("OK...x"), from); // a duplicate of the earlier reply
        Loopback.send(peer, utf8("zzz"), from);    // answers nothing
        Loopback.send(peer, utf8("OK...y"), from);
        assertThat(text(y.get())).isEqualTo("OK...y");
        waitFor(() -> client.stats().strays() == 2);
        assertThat(strays).containsExactly("duplicate:OK...x", "unexpected:zzz");
        assertThat(client.stats().duplicates()).isEqualTo(1);
        assertThat(client.stats().unexpected()).isEqualTo(1);
    }

    @Test
    void theSameMessageAgainGoesOutFromAnotherPortSoALateReplyCannotPassForItsAnswer() throws Exception {
        DatagramSocket peer = peer();
        EchoClient client = client(addressOf(peer), Duration.ofMillis(150), 0, Transport.best());
        // Teach the client the prefix first.
        CompletableFuture<byte[]> hi = client.request(utf8("hi"));
        InetSocketAddress first = expect(peer, "hi");
        Loopback.send(peer, utf8("OK...hi"), first);
        hi.get();

        CompletableFuture<byte[]> lost = client.request(utf8("same"));
        assertThat(expect(peer, "same")).isEqualTo(first);
        assertThatThrownBy(lost::get).cause().isInstanceOf(NoReplyException.class);

        CompletableFuture<byte[]> again = client.request(utf8("same"));
        InetSocketAddress second = expect(peer, "same");
        assertThat(second.getPort()).isNotEqualTo(first.getPort());
        Loopback.send(peer, utf8("OK...same"), first);  // late answer to the abandoned one
        waitFor(() -> client.stats().late() == 1);
        assertThat(again).isNotDone();
        Loopback.send(peer, utf8("OK...same"), second);
        assertThat(text(again.get())).isEqualTo("OK...same");
        assertThat(strays).containsExactly("late:OK...same");
    }

    @Test
    void aRetryIsAnsweredOnceAndItsSecondAnswerCountsAsDuplicate() throws Exception {
        DatagramSocket peer = peer();
        EchoClient client = client(addressOf(peer), Duration.ofMillis(200), 3, Transport.best());
        CompletableFuture<byte[]> reply = client.request(utf8("slow"));
        InetSocketAddress from = expect(peer, "slow");
        expect(peer, "slow"); // the retry
        Loopback.send(peer, utf8("OK...slow"), from);
        Loopback.send(peer, utf8("OK...slow"), from);
        assertThat(text(reply.get())).isEqualTo("OK...slow");
        waitFor(() -> client.stats().duplicates() == 1);
        assertThat(client.stats().sent()).isGreaterThanOrEqualTo(2);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
