package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.DropReason;
import dev.udpecho.protocol.Sockperf;
import dev.udpecho.protocol.Stamp;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The STAMP reflector and the sockperf answerer on their own, over buffers exactly as long as each datagram (or
 * the room a transport gives): a ByteBuffer's absolute reads and writes stop at its limit, so a read past the
 * datagram throws here. The interop with scapy and sockperf is {@code ProtocolProcessIT}'s.
 */
class ProtocolAnswerersTest {
    private static final PeerAddress SENDER = new PeerAddress().set(new InetSocketAddress("192.0.2.7", 40_000));
    private static final PeerAddress OTHER = new PeerAddress().set(new InetSocketAddress("192.0.2.7", 40_001));

    /** What the native transport tells of a datagram: TTL 61, DSCP 46 and ECN 1. */
    private static final ReplyQueue HOPS = new ReplyQueue() {
        @Override
        public void reply(int length) {
        }

        @Override
        public PeerAddress replyFrom() {
            return null;
        }

        @Override
        public int receivedTtl() {
            return 61;
        }

        @Override
        public int receivedTos() {
            return (46 << 2) | 1;
        }
    };

    private static StampReflector stateless() {
        return new StampReflector(false, 10, 60_000, false, 1_000_000);
    }

    /** @return a buffer as a transport hands it over: the datagram up to its limit, room to {@code room}. */
    private static ByteBuffer datagram(byte[] bytes, int room) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(room, bytes.length)).order(ByteOrder.nativeOrder());
        b.put(bytes).flip();
        return b;
    }

    private static byte[] senderPacket(int sequence, int ssid, int errorEstimate, byte[] tlvs) {
        ByteBuffer b = ByteBuffer.allocate(Stamp.BASE + tlvs.length);
        b.putInt(0, sequence).putLong(4, Stamp.ntp(1_700_000_000_000_000_000L)).putShort(12, (short) errorEstimate)
                .putShort(14, (short) ssid).put(Stamp.BASE, tlvs);
        return b.array();
    }

    @Test
    void aSenderPacketBecomesTheReflectorsOfTheSameSize() {
        byte[] tlvs = ByteBuffer.allocate(12).put(0, (byte) 0).put(1, (byte) Stamp.TLV_EXTRA_PADDING)
                .putShort(2, (short) 8).array();
        ByteBuffer p = datagram(senderPacket(41, 7, 0x0101, tlvs), 0);
        long before = System.currentTimeMillis() * 1_000_000L;
        int length = stateless().answer(SENDER, p, HOPS);
        long after = (System.currentTimeMillis() + 1) * 1_000_000L;
        assertThat(length).isEqualTo(56);
        ByteBuffer r = p.duplicate().order(ByteOrder.BIG_ENDIAN);
        assertThat(r.getInt(Stamp.SEQUENCE)).isEqualTo(41);
        assertThat(r.getInt(Stamp.SENDER_SEQUENCE)).isEqualTo(41);
        assertThat(r.getShort(Stamp.SSID)).isEqualTo((short) 7);
        assertThat(r.getLong(Stamp.SENDER_TIMESTAMP)).isEqualTo(Stamp.ntp(1_700_000_000_000_000_000L));
        assertThat(r.getShort(Stamp.SENDER_ERROR_ESTIMATE)).isEqualTo((short) 0x0101);
        assertThat(r.get(Stamp.SENDER_TTL) & 0xFF).isEqualTo(61);
        long t2 = Stamp.fromNtp(r.getLong(Stamp.RECEIVE_TIMESTAMP));
        long t3 = Stamp.fromNtp(r.getLong(Stamp.TIMESTAMP));
        assertThat(t2).isBetween(before - 1_000_000, after);
        assertThat(t3).isBetween(t2, after);
        int error = r.getShort(Stamp.ERROR_ESTIMATE) & 0xFFFF;
        assertThat(error & (Stamp.ERROR_S | Stamp.ERROR_Z)).isZero();
        assertThat(Stamp.errorNanos(error)).isBetween(1_000_000.0, 1_010_000.0);
        assertThat(r.get(Stamp.BASE)).as("padding's flags").isZero();
    }

    @Test
    void ptpTimestampsWhenTheSenderAsksForThem() {
        ByteBuffer p = datagram(senderPacket(1, 1, Stamp.ERROR_Z | 1, new byte[0]), 0);
        stateless().answer(SENDER, p, HOPS);
        ByteBuffer r = p.duplicate().order(ByteOrder.BIG_ENDIAN);
        assertThat(r.getShort(Stamp.ERROR_ESTIMATE) & Stamp.ERROR_Z).isEqualTo(Stamp.ERROR_Z);
        long t2 = Stamp.fromPtp(r.getLong(Stamp.RECEIVE_TIMESTAMP));
        assertThat(Math.abs(t2 - System.currentTimeMillis() * 1_000_000L)).isLessThan(5_000_000_000L);
        assertThat(r.getLong(Stamp.RECEIVE_TIMESTAMP) & 0xFFFF_FFFFL).as("nanoseconds").isLessThan(1_000_000_000L);
    }

    @Test
    void statefulSequencesAreEachSendersOwnAndTheTableIsBounded() {
        StampReflector reflector = new StampReflector(true, 2, 60_000, true, 1_000);
        int[] got = new int[5];
        PeerAddress[] from = {SENDER, SENDER, OTHER, SENDER, OTHER};
        for (int i = 0; i < 5; i++) {
            ByteBuffer p = datagram(senderPacket(100 + i, 9, 0, new byte[0]), 0);
            reflector.answer(from[i], p, HOPS);
            got[i] = p.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(Stamp.SEQUENCE);
        }
        assertThat(got).containsExactly(0, 1, 0, 2, 1);
        ByteBuffer otherSsid = datagram(senderPacket(0, 10, 0, new byte[0]), 0);
        reflector.answer(SENDER, otherSsid, HOPS);
        assertThat(otherSsid.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(Stamp.SEQUENCE)).isZero();
        assertThat(reflector.sessions()).isEqualTo(2);
    }

    @Test
    void idleSessionsExpire() {
        StampReflector.Sessions sessions = new StampReflector.Sessions(10, 1_000);
        assertThat(sessions.next(SENDER, 1, 0)).isZero();
        assertThat(sessions.next(SENDER, 1, 500)).isEqualTo(1);
        assertThat(sessions.next(OTHER, 1, 1_000)).isZero();
        assertThat(sessions.next(SENDER, 1, 2_001)).as("idle 1501 ns, past 1000").isZero();
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void aTwampLightPacketGetsTheBasePacketAndAShorterOneNothing() {
        byte[] light = ByteBuffer.allocate(14).putInt(0, 5).putLong(4, Stamp.ntp(1L << 60)).putShort(12, (short) 1)
                .array();
        ByteBuffer p = datagram(light, Answerer.MIN_ROOM);
        assertThat(stateless().answer(SENDER, p, HOPS)).isEqualTo(Stamp.BASE);
        ByteBuffer r = p.duplicate().order(ByteOrder.BIG_ENDIAN);
        assertThat(r.getInt(Stamp.SENDER_SEQUENCE)).isEqualTo(5);
        assertThat(r.getShort(Stamp.SSID)).isZero();
        StampReflector reflector = stateless();
        assertThat(reflector.answer(SENDER, datagram(new byte[13], Answerer.MIN_ROOM), HOPS)).isEqualTo(Answerer.REFUSED);
        assertThat(reflector.reason()).isEqualTo(DropReason.TOO_SHORT);
        assertThat(reflector.answer(SENDER, datagram(new byte[0], Answerer.MIN_ROOM), HOPS)).isEqualTo(Answerer.REFUSED);
    }

    @Test
    void anotherReflectorsReplyIsNeverAnswered() {
        StampReflector one = stateless();
        StampReflector two = stateless();
        ByteBuffer p = datagram(senderPacket(1, 1, 0, new byte[0]), 0);
        assertThat(one.answer(SENDER, p, HOPS)).isEqualTo(Stamp.BASE);
        assertThat(two.answer(SENDER, p, HOPS)).isEqualTo(Answerer.REFUSED);
        assertThat(two.reason()).isEqualTo(DropReason.ECHO_OF_ECHO);
    }

    @Test
    void tlvsAreFilledMarkedAndNeverReadPastThePacket() {
        ByteBuffer tlvs = ByteBuffer.allocate(4 + 4 + 4 + 4 + 4 + 3 + 4 + 2);
        tlvs.put(new byte[] {0, Stamp.TLV_TIMESTAMP_INFORMATION, 0, 4, 0, 0, 0, 0});
        tlvs.put(new byte[] {0, Stamp.TLV_CLASS_OF_SERVICE, 0, 4, (byte) (10 << 2), 0, 0, 0});
        tlvs.put(new byte[] {0, (byte) 200, 0, 3, 1, 2, 3}); // unknown
        tlvs.put(new byte[] {0, Stamp.TLV_EXTRA_PADDING, 0, 9, 0, 0}); // says 9, has 2
        ByteBuffer p = datagram(senderPacket(1, 1, 0, tlvs.array()), 0);
        StampReflector reflector = new StampReflector(false, 1, 1, true, 0);
        assertThat(reflector.answer(SENDER, p, HOPS)).isEqualTo(p.limit());
        int at = Stamp.BASE;
        assertThat(p.get(at)).isZero();
        assertThat(new byte[] {p.get(at + 4), p.get(at + 5), p.get(at + 6), p.get(at + 7)})
                .containsExactly(Stamp.SYNC_NTP, Stamp.TIMESTAMP_SOFTWARE, Stamp.SYNC_NTP, Stamp.TIMESTAMP_SOFTWARE);
        at += 8;
        int cos = ((p.get(at + 4) & 0xFF) << 8) | (p.get(at + 5) & 0xFF);
        assertThat(cos >>> 10).as("DSCP1").isEqualTo(10);
        assertThat((cos >>> 4) & 0x3F).as("DSCP2").isEqualTo(46);
        assertThat((cos >>> 2) & 3).as("ECN").isEqualTo(1);
        assertThat(cos & 3).as("RP").isEqualTo(1);
        at += 8;
        assertThat(p.get(at) & 0xFF).as("unknown").isEqualTo(Stamp.TLV_U);
        at += 7;
        assertThat(p.get(at) & 0xFF).as("malformed").isEqualTo(Stamp.TLV_M);
    }

    @Test
    void garbageOfEveryLengthIsAnsweredOrRefusedNeverReadPastItsEnd() {
        Random random = new Random(8762);
        StampReflector stamp = new StampReflector(true, 16, 1_000, false, 1_000);
        SockperfAnswerer sockperf = new SockperfAnswerer();
        for (int i = 0; i < 20_000; i++) {
            int length = i < 2_000 ? i % 100 : random.nextInt(i % 10 == 0 ? 65_508 : 1_500);
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            if (length > 24 && random.nextBoolean()) {
                bytes[16] = 0; // mostly a sender's packet
                bytes[17] = 0;
            }
            int room = random.nextBoolean() ? length : Math.max(length, Answerer.MIN_ROOM);
            ByteBuffer p = datagram(bytes, room).limit(length);
            int reply = stamp.answer(SENDER, p, HOPS);
            assertThat(reply == Answerer.REFUSED || reply == Math.max(length, Stamp.BASE)).as("length %d", length).isTrue();
            if (reply == Answerer.REFUSED) {
                assertThat(stamp.reason()).isIn(DropReason.TOO_SHORT, DropReason.ECHO_OF_ECHO);
            }
            ByteBuffer q = datagram(bytes, length);
            int answered = sockperf.answer(SENDER, q, HOPS);
            assertThat(answered == Answerer.REFUSED || answered == length).isTrue();
        }
    }

    @Test
    void sockperfAnswersWhatAsksAndClearsTheClientFlag() {
        SockperfAnswerer answerer = new SockperfAnswerer();
        ByteBuffer m = ByteBuffer.allocate(64);
        Sockperf.writeHeader(m, 0, 99, Sockperf.CLIENT | Sockperf.PONG_REQUEST, 64);
        assertThat(answerer.answer(SENDER, m, HOPS)).isEqualTo(64);
        assertThat(Sockperf.flags(m, 0)).isEqualTo(Sockperf.PONG_REQUEST);
        assertThat(Sockperf.sequence(m, 0)).isEqualTo(99);
        assertThat(answerer.answer(SENDER, m, HOPS)).as("now a server's message").isEqualTo(Answerer.REFUSED);
        assertThat(answerer.reason()).isEqualTo(DropReason.NOT_ASKED);
        Sockperf.writeHeader(m, 0, 1, Sockperf.CLIENT | Sockperf.PONG_REQUEST | Sockperf.WARMUP, 64);
        assertThat(answerer.answer(SENDER, m, HOPS)).isEqualTo(Answerer.REFUSED);
        assertThat(answerer.reason()).isEqualTo(DropReason.NOT_ASKED);
        Sockperf.writeHeader(m, 0, 1, Sockperf.CLIENT | Sockperf.PONG_REQUEST, 63);
        assertThat(answerer.answer(SENDER, m, HOPS)).isEqualTo(Answerer.REFUSED);
        assertThat(answerer.reason()).isEqualTo(DropReason.BAD_HEADER);
        assertThat(answerer.answer(SENDER, ByteBuffer.allocate(13), HOPS)).isEqualTo(Answerer.REFUSED);
        assertThat(answerer.reason()).isEqualTo(DropReason.TOO_SHORT);
    }
}
