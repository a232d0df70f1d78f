package dev.udpecho.cli;

import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real {@code ./udpecho client} process: piped, with --message, at a terminal, and against the tutorial's server. */
@Timeout(90)
class ClientProcessIT {
    private EchoServer server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        server = EchoServer.builder().port(0).start();
        port = server.address().getPort();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void pipedInputSendsOneDatagramPerLineAndExitsZero() throws Exception {
        try (UdpEchoProcess client = UdpEchoProcess.udpecho("client", "--port", Integer.toString(port))) {
            client.write("hello\nhow are you\n\nlast line without newline");
            client.stdin().close();
            assertThat(client.awaitExit(30_000)).isZero();
            assertThat(client.stdout()).containsExactly(
                    "Server reply : OK...hello",
                    "Server reply : OK...how are you",
                    "Server reply : OK...",
                    "Server reply : OK...last line without newline");
            assertThat(client.stderr()).isEmpty();
        }
        assertThat(server.stats().received()).isEqualTo(4);
        assertThat(server.stats().empty()).isEqualTo(1);
    }

    @Test
    void repliesArePrintedEscaped() throws Exception {
        try (UdpEchoProcess client = UdpEchoProcess.udpecho("client", "--port", Integer.toString(port),
                "--message", "tab\there", "--message", "bell\u0007 and ✓")) {
            assertThat(client.awaitExit(30_000)).isZero();
            assertThat(client.stdout()).containsExactly("Server reply : OK...tab\\there",
                    "Server reply : OK...bell\\x07 and ✓");
        }
    }

    @Test
    void messagesGetTheirRepliesAndExitZero() throws Exception {
        try (UdpEchoProcess client = UdpEchoProcess.udpecho("client", "--port", Integer.toString(port),
                "--message", "one", "--message", "two")) {
            assertThat(client.awaitExit(30_000)).isZero();
            assertThat(client.stdout()).containsExactly("Server reply : OK...one", "Server reply : OK...two");
        }
    }

    @Test
    void silentPortTimesOutAfterEveryTryAndGoesOn() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
             UdpEchoProcess client = UdpEchoProcess.udpecho("client", "--host", "127.0.0.1",
                     "--port", Integer.toString(silent.getLocalPort()), "--timeout", "200ms", "--retries", "2",
                     "--message", "anyone?", "--message", "still nobody?")) {
            silent.setSoTimeout(10_000);
            byte[] buffer = new byte[100];
            long start = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                silent.receive(p);
                assertThat(new String(buffer, 0, p.getLength(), StandardCharsets.UTF_8))
                        .isEqualTo(i < 3 ? "anyone?" : "still nobody?");
            }
            assertThat(client.awaitExit(30_000)).isEqualTo(1);
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms").isGreaterThanOrEqualTo(2 * 3 * 200 - 250);
            String port = Integer.toString(silent.getLocalPort());
            assertThat(client.stdout()).containsExactly("No reply from 127.0.0.1:" + port + " after 3 tries",
                    "No reply from 127.0.0.1:" + port + " after 3 tries");
        }
    }

    @Test
    void verboseShowsRetriesAndStrayReplies() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
             UdpEchoProcess client = UdpEchoProcess.udpecho("client", "--host", "127.0.0.1",
                     "--port", Integer.toString(peer.getLocalPort()), "--timeout", "300ms", "--retries", "1",
                     "--verbose")) {
            peer.setSoTimeout(10_000);
            byte[] buffer = new byte[100];
            client.write("ping\n");
            DatagramPacket first = new DatagramPacket(buffer, buffer.length);
            peer.receive(first);
            peer.receive(new DatagramPacket(buffer, buffer.length)); // the retry
            InetSocketAddress from = (InetSocketAddress) first.getSocketAddress();
            byte[] reply = "OK...ping".getBytes(StandardCharsets.US_ASCII);
            peer.send(new DatagramPacket(reply, reply.length, from));
            peer.send(new DatagramPacket(reply, reply.length, from)); // the answer to the retry: a duplicate
            client.awaitOut("Server reply : OK\\.\\.\\.ping", 10_000);
            client.awaitErr("\\(duplicate reply ignored: OK\\.\\.\\.ping\\)", 10_000);
            client.stdin().close();
            assertThat(client.awaitExit(30_000)).isZero();
            assertThat(client.stderr()).contains("(no reply yet; sending again, try 2 of 2)");
        }
    }

    @Test
    void atATerminalItIsTheTutorialsClient() throws Exception {
        Tools.require("tmux");
        try (Tmux terminal = new Tmux("cd " + UdpEchoProcess.home() + " && UDPECHO_NO_BUILD=1 ./udpecho client --port " + port)) {
            converseLikeTheTutorial(terminal);
            terminal.send("C-d");
            List<String> screen = terminal.awaitScreen(s -> s.contains("EXIT=0"), 20_000);
            assertThat(screen).endsWith("Enter message to send :", "EXIT=0");
        }
    }

    @Test
    void againstTheTutorialsOwnServerItShowsTheTutorialsTranscript() throws Exception {
        Tools.require("python3");
        Tools.require("tmux");
        File script = new File(UdpEchoProcess.home(), "udpecho-cli/src/test/resources/tutorial/server.py");
        try (UdpEchoProcess tutorial = UdpEchoProcess.start(List.of("python3", "-u", script.getPath(), "0"))) {
            int tutorialPort = Integer.parseInt(tutorial.awaitErr("port (\\d+)", 20_000).group(1));
            try (Tmux terminal = new Tmux("cd " + UdpEchoProcess.home()
                    + " && UDPECHO_NO_BUILD=1 ./udpecho client --port " + tutorialPort)) {
                converseLikeTheTutorial(terminal);
            }
            tutorial.awaitOut("Message\\[127\\.0\\.0\\.1:\\d+\\] - how are you", 10_000);
            List<String> out = tutorial.stdout();
            assertThat(out).hasSize(4);
            assertThat(out.subList(0, 2)).containsExactly("Socket created", "Socket bind complete");
            assertThat(out.get(2)).matches("Message\\[127\\.0\\.0\\.1:\\d+\\] - hello");
            assertThat(out.get(3)).matches("Message\\[127\\.0\\.0\\.1:\\d+\\] - how are you");
        }
    }

    /** Types the tutorial's two messages and checks the screen is the tutorial's transcript. */
    private static void converseLikeTheTutorial(Tmux terminal) throws Exception {
        terminal.awaitScreen(s -> !s.isEmpty() && s.get(s.size() - 1).equals("Enter message to send :"), 30_000);
        terminal.type("hello");
        terminal.send("Enter");
        // The prompt too: typed before it, the terminal's echo would come ahead of it.
        terminal.awaitScreen(s -> s.contains("Server reply : OK...hello")
                && s.get(s.size() - 1).equals("Enter message to send :"), 10_000);
        terminal.type("how are you");
        terminal.send("Enter");
        List<String> screen = terminal.awaitScreen(s -> s.contains("Server reply : OK...how are you")
                && s.get(s.size() - 1).equals("Enter message to send :"), 10_000);
        assertThat(screen).containsExactly(
                "Enter message to send : hello",
                "Server reply : OK...hello",
                "Enter message to send : how are you",
                "Server reply : OK...how are you",
                "Enter message to send :");
    }
}
