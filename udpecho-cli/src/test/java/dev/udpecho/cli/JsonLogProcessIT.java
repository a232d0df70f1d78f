package dev.udpecho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udpecho.net.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code udpecho server --log-format json}: every line the real process prints is one JSON object. */
@Timeout(90)
class JsonLogProcessIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineParsesAndCarriesTheDatagram() throws Exception {
        try (UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--port", "0", "--bind", "127.0.0.1",
                "--log-format", "json");
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = Integer.parseInt(server.awaitOut(".*\"address\":\"udp://127\\.0\\.0\\.1:(\\d+)\".*", 30_000).group(1));
            client.setSoTimeout(5_000);
            byte[] hostile = "x\"}\n{\"forged\":\"\\\u001b[2J\u2028\u202e"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] withInvalid = new byte[hostile.length + 1];
            System.arraycopy(hostile, 0, withInvalid, 0, hostile.length);
            withInvalid[hostile.length] = (byte) 0xff;
            for (byte[] payload : List.of("hello".getBytes(StandardCharsets.UTF_8), withInvalid, new byte[1000])) {
                client.send(new DatagramPacket(payload, payload.length, new InetSocketAddress("127.0.0.1", port)));
                client.receive(new DatagramPacket(new byte[2000], 2000));
            }
            server.awaitOut(".*\"bytes\":1000.*", 10_000);
            server.signal("TERM");
            assertThat(server.awaitExit(5_000)).isZero();

            List<JsonNode> lines = new ArrayList<>();
            for (String line : server.stdout()) {
                JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                assertThat(Instant.parse(node.get("timestamp").asText())).isNotNull();
                assertThat(node.get("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
                lines.add(node);
            }
            assertThat(lines).extracting(n -> n.get("event").asText()).containsExactly(
                    "socket_created", "socket_bound", "listening", "datagram", "datagram", "datagram", "summary");
            assertThat(lines.get(2).get("transport").asText()).isEqualTo(Transport.best().toString());
            String source = "127.0.0.1:" + client.getLocalPort();
            assertThat(lines.get(3).get("source").asText()).isEqualTo(source);
            assertThat(lines.get(3).get("payload").asText()).isEqualTo("hello");
            assertThat(lines.get(4).get("payload").asText())
                    .isEqualTo("x\"}\\n{\"forged\":\"\\\\\\x1b[2J\\u2028\\u202e\\xff");
            assertThat(lines.get(4).get("bytes").asInt()).isEqualTo(withInvalid.length);
            assertThat(lines.get(5).get("truncated").asBoolean()).isTrue();
            assertThat(lines.get(5).get("bytes").asInt()).isEqualTo(1000);
            JsonNode summary = lines.get(6);
            assertThat(summary.get("received").asInt()).isEqualTo(3);
            assertThat(summary.get("replied").asInt()).isEqualTo(3);
            assertThat(summary.get("dropped_by_reason").get("oversize").asInt()).isZero();
            assertThat(summary.get("bytes_received").asInt()).isEqualTo(5 + withInvalid.length + 1000);
            assertThat(server.stderr()).isEmpty();
        }
    }

    @Test
    void failuresAreJsonToo() throws Exception {
        try (DatagramSocket holder = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
             UdpEchoProcess server = UdpEchoProcess.udpecho("server", "--bind", "127.0.0.1",
                     "--port", Integer.toString(holder.getLocalPort()), "--log-format", "json")) {
            assertThat(server.awaitExit(30_000)).isEqualTo(1);
            assertThat(server.stderr()).hasSize(1);
            JsonNode failure = JSON.readTree(server.stderr().get(0));
            assertThat(failure.get("level").asText()).isEqualTo("ERROR");
            assertThat(failure.get("event").asText()).isEqualTo("bind_failed");
            assertThat(failure.get("message").asText())
                    .isEqualTo("Bind failed: 127.0.0.1:" + holder.getLocalPort() + ": Address already in use");
            for (String line : server.stdout()) {
                assertThat(JSON.readTree(line).get("event").asText()).isEqualTo("socket_created");
            }
        }
    }
}
