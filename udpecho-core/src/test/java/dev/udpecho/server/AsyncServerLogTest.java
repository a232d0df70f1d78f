package dev.udpecho.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udpecho.net.PeerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class AsyncServerLogTest {
    private static final PeerAddress FROM = new PeerAddress().set(new InetSocketAddress("127.0.0.1", 46622));

    private static void message(AsyncServerLog log, String text) {
        log.message(FROM, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writesTheTutorialsLineEscaped() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncServerLog log = new AsyncServerLog(out, true, 16, 256);
        message(log, "hello\n");
        message(log, "how are you\n");
        message(log, "fake\nMessage[1.2.3.4:5] - \u001b[2Jowned");
        log.message(new PeerAddress().set(new InetSocketAddress("::1", 5000)), ByteBuffer.wrap(new byte[] {(byte) 0xff, 'x'}));
        log.close();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "Message[127.0.0.1:46622] - hello\n"
                        + "Message[127.0.0.1:46622] - how are you\n"
                        + "Message[127.0.0.1:46622] - fake\\nMessage[1.2.3.4:5] - \\x1b[2Jowned\n"
                        + "Message[[::1]:5000] - \\xffx\n");
    }

    @Test
    void longPayloadsShowTheirStartAndSize() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncServerLog log = new AsyncServerLog(out, true, 16, 8);
        byte[] big = new byte[65_502];
        Arrays.fill(big, (byte) 'B');
        big[0] = ' ';
        log.message(FROM, ByteBuffer.wrap(big));
        log.close();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Message[127.0.0.1:46622] - BBBBBBBB... [65502 bytes]\n");
    }

    @Test
    void quietShowsNoticesButNoMessages() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AsyncServerLog log = new AsyncServerLog(out, false, 16, 256);
        message(log, "hello");
        log.notice("Socket error: something");
        log.close();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Socket error: something\n");
    }

    @Test
    void whenTheWriterFallsBehindLinesAreDroppedCountedAndReported() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream stalled = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (sink) {
                    sink.write(b, off, len);
                }
            }
        };
        AsyncServerLog log = new AsyncServerLog(stalled, true, 4, 256);
        message(log, "first");
        log.notice("flush me"); // the writer flushes when idle; make sure it is stuck writing
        assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            message(log, "line " + i);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("never waits").isLessThan(1000);
        long dropped = log.dropped();
        assertThat(dropped).isBetween(96L, 100L);
        unblock.countDown();
        log.close();
        String text;
        synchronized (sink) {
            text = sink.toString(StandardCharsets.UTF_8);
        }
        List<String> lines = text.lines().toList();
        long shown = lines.stream().filter(l -> l.startsWith("Message[127.0.0.1:46622] - line ")).count();
        assertThat(shown + dropped).isEqualTo(100);
        assertThat(lines).contains("... " + dropped + " messages not shown");
    }

    @Test
    void jsonLinesCarryTimeLevelEventSourceSizeAndTheEscapedPreview() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long before = System.currentTimeMillis();
        AsyncServerLog log = new AsyncServerLog(out, LogFormat.JSON, true, 16, 8);
        message(log, "hello\n");
        message(log, "x\"}\n{\"forged\":1\u001b[2J\u202e");
        log.message(new PeerAddress().set(new InetSocketAddress("::1", 5000)),
                ByteBuffer.wrap(new byte[] {(byte) 0xff, '\\', 'x'}));
        byte[] big = new byte[65_502];
        Arrays.fill(big, (byte) 'B');
        log.message(FROM, ByteBuffer.wrap(big));
        log.notice("Socket error: \"quoted\"");
        log.close();
        long after = System.currentTimeMillis();

        List<JsonNode> lines = parseEveryLine(out);
        assertThat(lines).hasSize(5);
        for (JsonNode line : lines) {
            long millis = Instant.parse(line.get("timestamp").asText()).toEpochMilli();
            assertThat(millis).isBetween(before, after);
            assertThat(line.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        }
        assertThat(lines.get(0).toString()).isEqualTo(
                "{\"timestamp\":" + lines.get(0).get("timestamp") + ",\"level\":\"INFO\",\"event\":\"datagram\","
                        + "\"source\":\"127.0.0.1:46622\",\"bytes\":6,\"payload\":\"hello\",\"truncated\":false}");
        assertThat(lines.get(1).get("payload").asText()).isEqualTo("x\"}\\n{\"fo");
        assertThat(lines.get(1).get("truncated").asBoolean()).isTrue();
        assertThat(lines.get(1).get("bytes").asInt()).isEqualTo(22);
        assertThat(lines.get(2).get("source").asText()).isEqualTo("[::1]:5000");
        assertThat(lines.get(2).get("payload").asText()).isEqualTo("\\xff\\\\x");
        assertThat(lines.get(3).get("payload").asText()).isEqualTo("BBBBBBBB");
        assertThat(lines.get(3).get("bytes").asInt()).isEqualTo(65_502);
        assertThat(lines.get(3).get("truncated").asBoolean()).isTrue();
        assertThat(lines.get(4).get("level").asText()).isEqualTo("WARN");
        assertThat(lines.get(4).get("event").asText()).isEqualTo("notice");
        assertThat(lines.get(4).get("message").asText()).isEqualTo("Socket error: \"quoted\"");
    }

    @Test
    void jsonPreviewsAreEscapedAsInTheTextLog() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        AsyncServerLog textLog = new AsyncServerLog(text, LogFormat.TEXT, true, 16, 256);
        AsyncServerLog jsonLog = new AsyncServerLog(json, LogFormat.JSON, true, 16, 256);
        String hostile = "fake\nMessage[1.2.3.4:5] - \u001b[2Jowned \u2028 \u202e \\x41";
        message(textLog, hostile);
        message(jsonLog, hostile);
        textLog.close();
        jsonLog.close();
        String textLine = text.toString(StandardCharsets.UTF_8);
        assertThat(parseEveryLine(json).get(0).get("payload").asText())
                .isEqualTo(textLine.substring("Message[127.0.0.1:46622] - ".length(), textLine.length() - 1));
    }

    private static List<JsonNode> parseEveryLine(ByteArrayOutputStream out) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!line.isEmpty()) {
                JsonNode node = mapper.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                nodes.add(node);
            }
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("\n");
        return nodes;
    }
}
