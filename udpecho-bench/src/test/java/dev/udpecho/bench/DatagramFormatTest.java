package dev.udpecho.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatagramFormatTest {
    private static final byte[] OK = "OK...".getBytes(StandardCharsets.US_ASCII);

    /** @return prefix + datagram, as the server would send it back. */
    private static ByteBuffer reply(DatagramFormat format, byte[] prefix, long sequence, long sentAt) {
        ByteBuffer datagram = DatagramFormat.buffer(format.size());
        format.write(datagram, sequence, sentAt);
        ByteBuffer reply = DatagramFormat.buffer(prefix.length + format.size() + 1);
        reply.put(0, prefix);
        for (int i = 0; i < format.size(); i++) {
            reply.put(prefix.length + i, datagram.get(i));
        }
        return reply;
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 25, 31, 32, 64, 100, 1472, 1473})
    void aReplyIsRecognisedByItsHeaderAndMatchesByteForByte(int size) {
        DatagramFormat format = new DatagramFormat(OK, size, 42);
        ByteBuffer reply = reply(format, OK, 123_456_789L, 987_654_321L);
        int length = OK.length + size;
        assertThat(format.replySize()).isEqualTo(length);
        assertThat(format.sequence(reply, length)).isEqualTo(123_456_789L);
        assertThat(format.sentAt(reply)).isEqualTo(987_654_321L);
        assertThat(format.matches(reply, length, 123_456_789L)).isTrue();
        assertThat(format.matches(reply, length, 123_456_788L)).as("another datagram").isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 31, 32, 33, 37, 64})
    void everyDamagedByteIsCaught(int size) {
        everyDamagedByteIsCaught(new DatagramFormat(OK, size, 7), size, 0);
    }

    /** As sockperf's format uses it: the bytes before the offset are another protocol's, which it checks. */
    @ParameterizedTest
    @ValueSource(ints = {38, 45, 46, 51, 100})
    void everyDamagedByteAfterTheOffsetIsCaught(int size) {
        DatagramFormat format = new DatagramFormat(OK, size, 7, 14);
        ByteBuffer reply = reply(format, OK, 1000, 5000);
        assertThat(format.sequence(reply, OK.length + size)).isEqualTo(1000);
        assertThat(format.matches(reply, OK.length + size, 1000)).isTrue();
        everyDamagedByteIsCaught(format, size, 14);
    }

    private static void everyDamagedByteIsCaught(DatagramFormat format, int size, int offset) {
        int length = OK.length + size;
        for (int at = 0; at < length; at++) {
            if (at >= OK.length && at < OK.length + offset) {
                continue;
            }
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer reply = reply(format, OK, 1000, 5000);
                reply.put(at, (byte) (reply.get(at) ^ (1 << bit)));
                long sequence = format.sequence(reply, length);
                boolean inHeader = at >= OK.length + offset && at < OK.length + offset + DatagramFormat.HEADER;
                if (inHeader) {
                    assertThat(sequence).as("header byte %d bit %d", at, bit).isEqualTo(-1);
                } else {
                    assertThat(sequence).isEqualTo(1000);
                    assertThat(format.matches(reply, length, 1000)).as("byte %d bit %d", at, bit).isFalse();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 40, 64, 1472})
    void aReplyWhoseTailCameFromAnotherDatagramDoesNotMatch(int size) {
        DatagramFormat format = new DatagramFormat(OK, size, 7);
        ByteBuffer reply = reply(format, OK, 2, 4);
        ByteBuffer earlier = reply(format, OK, 1, 3);
        int length = OK.length + size;
        for (int i = length - 8; i < length; i++) {
            reply.put(i, earlier.get(i));
        }
        assertThat(format.sequence(reply, length)).isEqualTo(2);
        assertThat(format.matches(reply, length, 2)).isFalse();
    }

    @Test
    void aReplyOfAnotherLengthDoesNotMatch() {
        DatagramFormat format = new DatagramFormat(OK, 64, 7);
        ByteBuffer reply = reply(format, OK, 3, 4);
        assertThat(format.matches(reply, OK.length + 63, 3)).isFalse();
        assertThat(format.matches(reply, OK.length + 65, 3)).isFalse();
        assertThat(format.sequence(reply, OK.length + DatagramFormat.HEADER - 1)).as("header cut").isEqualTo(-1);
        assertThat(format.sequence(reply, OK.length + DatagramFormat.HEADER)).isEqualTo(3);
    }

    @Test
    void aPlainEchoReplyLacksThePrefix() {
        DatagramFormat withPrefix = new DatagramFormat(OK, 64, 7);
        ByteBuffer plain = reply(withPrefix, new byte[0], 3, 4);
        assertThat(withPrefix.sequence(plain, 64)).isEqualTo(-1);
        DatagramFormat noPrefix = new DatagramFormat(new byte[0], 64, 7);
        assertThat(noPrefix.sequence(plain, 64)).isEqualTo(3);
        assertThat(noPrefix.matches(plain, 64, 3)).isTrue();
    }

    @Test
    void aWrongPrefixWithAnIntactHeaderNamesItsDatagramButDoesNotMatch() {
        DatagramFormat format = new DatagramFormat(OK, 64, 7);
        ByteBuffer reply = reply(format, "OK,,,".getBytes(StandardCharsets.US_ASCII), 9, 4);
        assertThat(format.sequence(reply, OK.length + 64)).isEqualTo(9);
        assertThat(format.matches(reply, OK.length + 64, 9)).isFalse();
    }

    @Test
    void anotherRunsDatagramsAreNotRecognised() {
        DatagramFormat mine = new DatagramFormat(OK, 64, 1);
        DatagramFormat theirs = new DatagramFormat(OK, 64, 2);
        assertThat(mine.sequence(reply(theirs, OK, 5, 6), OK.length + 64)).isEqualTo(-1);
    }

    @Test
    void paddingDependsOnTheKeyAndThePositionAndTheTrailerOnTheDatagram() {
        DatagramFormat format = new DatagramFormat(new byte[0], 64, 7);
        ByteBuffer a = DatagramFormat.buffer(64);
        ByteBuffer b = DatagramFormat.buffer(64);
        format.write(a, 1, 0);
        format.write(b, 2, 0);
        assertThat(a.getLong(24)).isEqualTo(b.getLong(24));
        assertThat(a.getLong(48)).isEqualTo(b.getLong(48));
        assertThat(a.getLong(24)).isNotEqualTo(a.getLong(32));
        assertThat(a.getLong(56)).as("the trailer").isNotEqualTo(b.getLong(56));
        ByteBuffer c = DatagramFormat.buffer(64);
        new DatagramFormat(new byte[0], 64, 8).write(c, 1, 0);
        assertThat(c.getLong(24)).as("another run's").isNotEqualTo(a.getLong(24));
        assertThat(c.getLong(56)).as("another run's trailer").isNotEqualTo(a.getLong(56));
    }

    @Test
    void matchingLeavesTheReplysPositionAndLimitAsTheyWere() {
        DatagramFormat format = new DatagramFormat(OK, 100, 7);
        ByteBuffer reply = reply(format, OK, 3, 4);
        reply.limit(OK.length + 100).position(17);
        assertThat(format.matches(reply, OK.length + 100, 3)).isTrue();
        assertThat(reply.position()).isEqualTo(17);
        assertThat(reply.limit()).isEqualTo(OK.length + 100);
        reply.limit(reply.capacity()).position(reply.capacity());
        assertThat(format.matches(reply, OK.length + 100, 3)).as("from a position past the padding").isTrue();
        assertThat(reply.position()).isEqualTo(reply.capacity());
        assertThat(reply.limit()).isEqualTo(reply.capacity());
        reply.put(OK.length + 80, (byte) (reply.get(OK.length + 80) ^ 1)).limit(OK.length + 100).position(17);
        assertThat(format.matches(reply, OK.length + 100, 3)).isFalse();
        assertThat(reply.position()).isEqualTo(17);
        assertThat(reply.limit()).isEqualTo(OK.length + 100);
    }

    @Test
    void theHeaderIsNeeded() {
        assertThatThrownBy(() -> new DatagramFormat(OK, 23, 0)).hasMessage("size must be at least 24, not 23");
    }
}
