package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;
import dev.udpecho.policy.DropReason;
import dev.udpecho.protocol.Stamp;
import dev.udpecho.protocol.WallClock;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A STAMP Session-Reflector in unauthenticated mode (RFC 8762 §4.3, with RFC 8972's SSID and TLVs): turns the
 * Session-Sender's packet, in place, into the reflector's packet of the same size.
 *
 * <ul>
 *   <li>Receive Timestamp (T2) is read when the packet is handed over, the reflector's own Timestamp (T3) last,
 *       just before the reply is queued; both in the format the sender's Error Estimate asks for (NTP, or PTPv2
 *       when its Z bit is set), with the reflector's own Error Estimate (S from {@code --clock-synchronised},
 *       the error from {@code --clock-error}).
 *   <li>Sender Sequence Number, Timestamp, Error Estimate and SSID are copied; Sender TTL is the TTL the packet
 *       arrived with (0 where the transport cannot tell).
 *   <li>The Sequence Number is the sender's (stateless), or the reflector's own count for that sender, keyed by
 *       address, port and SSID, in a table of at most {@code maxSessions} that forgets the least recently
 *       seen sender first, and any sender idle for {@code sessionTimeout} (stateful).
 *   <li>TLVs (RFC 8972 §4): Extra Padding is reflected as it came; Timestamp Information and Class of Service
 *       are filled in; any other type gets the U flag; a TLV whose length runs past the packet, or does not fit
 *       its type, gets the M flag, and nothing after it is read.
 *   <li>A packet of 14 to 43 bytes (a TWAMP-Light sender's, RFC 8762 §4.6) is answered with the 44-byte base
 *       packet; a shorter one is {@link DropReason#TOO_SHORT}. A packet that carries a receive and a sender
 *       timestamp already is another reflector's reply, never answered ({@link DropReason#ECHO_OF_ECHO}): two
 *       reflectors must not answer each other forever.
 * </ul>
 */
final class StampReflector implements Answerer {
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final boolean stateful;
    private final WallClock clock = WallClock.calibrating();
    private final int errorNtp;
    private final int errorPtp;
    private final boolean synchronised;
    private final Sessions sessions;
    private DropReason reason;

    /**
     * @param stateful       keep the reflector's own sequence number per sender.
     * @param maxSessions    most senders kept, when stateful.
     * @param sessionTimeout how long a sender is kept without a packet, in milliseconds, when stateful.
     * @param synchronised   whether this host's clock is synchronised to UTC (the S bit).
     * @param clockErrorNanos the clock's error, for the Error Estimate.
     */
    StampReflector(boolean stateful, int maxSessions, long sessionTimeout, boolean synchronised,
                   long clockErrorNanos) {
        this.stateful = stateful;
        this.synchronised = synchronised;
        this.errorNtp = Stamp.errorEstimate(clockErrorNanos, synchronised, false);
        this.errorPtp = Stamp.errorEstimate(clockErrorNanos, synchronised, true);
        this.sessions = stateful ? new Sessions(maxSessions, sessionTimeout * NANOS_PER_MILLI) : null;
    }

    @Override
    public int answer(PeerAddress source, ByteBuffer p, ReplyQueue in) {
        long received = clock.epochNanos();
        int length = p.limit();
        if (length < Stamp.TWAMP_LIGHT_BASE) {
            return refuse(DropReason.TOO_SHORT);
        }
        if (length >= Stamp.BASE && Stamp.getLong(p, Stamp.RECEIVE_TIMESTAMP) != 0
                && Stamp.getLong(p, Stamp.SENDER_TIMESTAMP) != 0) {
            return refuse(DropReason.ECHO_OF_ECHO);
        }
        if (length < Stamp.BASE && p.capacity() < Stamp.BASE) {
            return refuse(DropReason.TOO_SHORT); // no transport hands over less room; never write past it
        }
        long senderSequence = Stamp.getUnsignedInt(p, Stamp.SEQUENCE);
        long senderTimestamp = Stamp.getLong(p, Stamp.TIMESTAMP);
        int senderError = Stamp.getShort(p, Stamp.ERROR_ESTIMATE);
        int ssid = length >= Stamp.SSID + 2 ? Stamp.getShort(p, Stamp.SSID) : 0;
        boolean ptp = (senderError & Stamp.ERROR_Z) != 0;
        int reply = Math.max(length, Stamp.BASE);
        if (length < Stamp.BASE) {
            p.limit(reply); // the base packet: what the sender left out reads as zero
            for (int i = length; i < Stamp.BASE; i++) {
                p.put(i, (byte) 0);
            }
        }
        long sequence = stateful ? sessions.next(source, ssid, System.nanoTime()) : senderSequence;
        int ttl = in.receivedTtl();
        Stamp.putInt(p, Stamp.SEQUENCE, (int) sequence);
        Stamp.putShort(p, Stamp.ERROR_ESTIMATE, ptp ? errorPtp : errorNtp);
        Stamp.putShort(p, Stamp.SSID, ssid);
        Stamp.putLong(p, Stamp.RECEIVE_TIMESTAMP, Stamp.timestamp(received, senderError));
        Stamp.putInt(p, Stamp.SENDER_SEQUENCE, (int) senderSequence);
        Stamp.putLong(p, Stamp.SENDER_TIMESTAMP, senderTimestamp);
        Stamp.putShort(p, Stamp.SENDER_ERROR_ESTIMATE, senderError);
        Stamp.putShort(p, Stamp.SENDER_ERROR_ESTIMATE + 2, 0);
        Stamp.putInt(p, Stamp.SENDER_TTL, (Math.max(ttl, 0) & 0xFF) << 24);
        tlvs(p, length, in.receivedTos());
        Stamp.putLong(p, Stamp.TIMESTAMP, Stamp.timestamp(clock.epochNanos(), senderError));
        return reply;
    }

    /** Marks and fills the TLVs between the base packet and {@code end}, never reading past it. */
    private void tlvs(ByteBuffer p, int end, int tos) {
        int at = Stamp.BASE;
        while (at < end) {
            if (end - at < Stamp.TLV_HEADER) {
                return; // a few stray bytes: not a TLV, nothing to mark
            }
            int flags = p.get(at) & 0xFF;
            int type = p.get(at + 1) & 0xFF;
            int length = Stamp.getShort(p, at + 2);
            int value = at + Stamp.TLV_HEADER;
            if (length > end - value) {
                p.put(at, (byte) (flags | Stamp.TLV_M));
                return;
            }
            switch (type) {
                case Stamp.TLV_EXTRA_PADDING:
                    break;
                case Stamp.TLV_TIMESTAMP_INFORMATION:
                    if (length != 4) {
                        flags |= Stamp.TLV_M;
                        break;
                    }
                    int sync = synchronised ? Stamp.SYNC_NTP : Stamp.SYNC_LOCAL;
                    p.put(value, (byte) sync).put(value + 1, (byte) Stamp.TIMESTAMP_SOFTWARE)
                            .put(value + 2, (byte) sync).put(value + 3, (byte) Stamp.TIMESTAMP_SOFTWARE);
                    break;
                case Stamp.TLV_CLASS_OF_SERVICE:
                    if (length != 4) {
                        flags |= Stamp.TLV_M;
                        break;
                    }
                    classOfService(p, value, tos);
                    break;
                default:
                    flags |= Stamp.TLV_U;
            }
            p.put(at, (byte) flags);
            at = value + length;
        }
    }

    /**
     * Class of Service (RFC 8972 §4.4): DSCP1 (6 bits, the sender's request), DSCP2 (6, the DSCP received), ECN
     * (2, the ECN received), RP (2), reserved (16). The reply keeps the socket's own DSCP, so RP says the
     * reflector did not use DSCP1 (1).
     */
    private static void classOfService(ByteBuffer p, int value, int tos) {
        int dscp1 = (p.get(value) & 0xFF) >>> 2;
        int dscp2 = tos < 0 ? 0 : tos >>> 2;
        int ecn = tos < 0 ? 0 : tos & 3;
        int word = (dscp1 << 10) | (dscp2 << 4) | (ecn << 2) | 1;
        Stamp.putShort(p, value, word);
        Stamp.putShort(p, value + 2, 0);
    }

    private int refuse(DropReason why) {
        reason = why;
        return REFUSED;
    }

    @Override
    public DropReason reason() {
        return reason;
    }

    /** @return senders kept, in stateful mode. */
    int sessions() {
        return sessions == null ? 0 : sessions.size();
    }

    /**
     * The stateful reflector's sequence numbers, one per sender (address, port, SSID): a bounded table in order
     * of last use. A lookup allocates nothing; a new sender allocates its entry.
     */
    static final class Sessions {
        private final int max;
        private final long timeoutNanos;
        private final Key probe = new Key();
        private final LinkedHashMap<Key, Session> table;

        Sessions(int max, long timeoutNanos) {
            this.max = max;
            this.timeoutNanos = timeoutNanos;
            this.table = new LinkedHashMap<>(Math.min(max, 1024) * 2, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, Session> eldest) {
                    return size() > Sessions.this.max;
                }
            };
        }

        /** @return the sender's next sequence number: 0 for a new one. */
        long next(PeerAddress source, int ssid, long now) {
            expire(now);
            probe.set(source, ssid);
            Session s = table.get(probe);
            if (s == null) {
                s = new Session();
                table.put(probe.copy(), s);
            }
            s.lastSeen = now;
            return s.next++ & 0xFFFF_FFFFL;
        }

        /** The least recently seen first: stops at the first still in use. */
        private void expire(long now) {
            var it = table.values().iterator();
            while (it.hasNext()) {
                if (now - it.next().lastSeen <= timeoutNanos) {
                    return;
                }
                it.remove();
            }
        }

        int size() {
            return table.size();
        }
    }

    private static final class Session {
        long next;
        long lastSeen;
    }

    private static final class Key {
        long high;
        long low;
        /** The family, the port and the SSID. */
        long rest;

        void set(PeerAddress a, int ssid) {
            high = a.isIpv4() ? 0 : a.ipv6High();
            low = a.isIpv4() ? a.ipv4() & 0xFFFF_FFFFL : a.ipv6Low();
            rest = ((long) a.family() << 32) | ((long) a.port() << 16) | ssid;
        }

        Key copy() {
            Key k = new Key();
            k.high = high;
            k.low = low;
            k.rest = rest;
            return k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.high == high && k.low == low && k.rest == rest;
        }

        @Override
        public int hashCode() {
            return Long.hashCode((high * 31 + low) * 31 + rest);
        }
    }
}
