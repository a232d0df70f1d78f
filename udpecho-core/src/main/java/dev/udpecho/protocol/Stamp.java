package dev.udpecho.protocol;

import java.nio.ByteBuffer;

/**
 * STAMP test packets in unauthenticated mode (RFC 8762 §4.2.1 and §4.3.1, with the SSID and TLVs of RFC 8972):
 * their layout, their timestamps and their Error Estimate. Every multi-byte field is in network byte order.
 *
 * <pre>
 * Session-Sender packet                      Session-Reflector packet
 *  0  Sequence Number (4)                     0  Sequence Number (4)
 *  4  Timestamp (8)                           4  Timestamp (8)          its transmit time, T3
 * 12  Error Estimate (2)                     12  Error Estimate (2)
 * 14  SSID (2)                               14  SSID (2)               the sender's
 * 16  MBZ (28)                               16  Receive Timestamp (8)  T2
 *                                            24  Session-Sender Sequence Number (4)
 *                                            28  Session-Sender Timestamp (8)  T1
 *                                            36  Session-Sender Error Estimate (2)
 *                                            38  MBZ (2)
 *                                            40  Session-Sender TTL (1)
 *                                            41  MBZ (3)
 * 44  TLVs ...                               44  TLVs ...
 * </pre>
 *
 * <p>Both packets are {@value #BASE} bytes before their TLVs, so a reflector answers in place with a packet of the
 * same size. Each TLV is a flags byte ({@link #TLV_U}, {@link #TLV_M}, {@link #TLV_I}), a type, a 16-bit length and
 * the value.
 *
 * <p>Timestamps are 64 bits: NTP (seconds since 1900 and a binary fraction) when the Error Estimate's Z bit is 0,
 * PTPv2 truncated (seconds and nanoseconds since 1970) when it is 1. Static, allocation-free helpers over absolute
 * positions of any buffer, whatever its byte order.
 */
public final class Stamp {
    /** The port IANA assigned to STAMP (and to TWAMP-Light). */
    public static final int PORT = 862;
    /** Bytes of either packet before its TLVs. */
    public static final int BASE = 44;
    /** The shortest packet read: a TWAMP-Light sender's sequence number, timestamp and Error Estimate. */
    public static final int TWAMP_LIGHT_BASE = 14;

    public static final int SEQUENCE = 0;
    public static final int TIMESTAMP = 4;
    public static final int ERROR_ESTIMATE = 12;
    public static final int SSID = 14;
    public static final int RECEIVE_TIMESTAMP = 16;
    public static final int SENDER_SEQUENCE = 24;
    public static final int SENDER_TIMESTAMP = 28;
    public static final int SENDER_ERROR_ESTIMATE = 36;
    public static final int SENDER_TTL = 40;

    /** TLV header bytes. */
    public static final int TLV_HEADER = 4;
    /** TLV flag: the reflector did not recognise the type. */
    public static final int TLV_U = 0x80;
    /** TLV flag: the TLV is malformed (its length runs past the packet, or does not fit its type). */
    public static final int TLV_M = 0x40;
    /** TLV flag: its integrity check failed. */
    public static final int TLV_I = 0x20;
    public static final int TLV_EXTRA_PADDING = 1;
    public static final int TLV_LOCATION = 2;
    public static final int TLV_TIMESTAMP_INFORMATION = 3;
    public static final int TLV_CLASS_OF_SERVICE = 4;
    public static final int TLV_DIRECT_MEASUREMENT = 5;
    public static final int TLV_ACCESS_REPORT = 6;
    public static final int TLV_FOLLOW_UP_TELEMETRY = 7;
    public static final int TLV_HMAC = 8;
    /** Timestamp Information: the clock is synchronised by NTP. */
    public static final int SYNC_NTP = 1;
    /** Timestamp Information: a local clock, not synchronised. */
    public static final int SYNC_LOCAL = 8;
    /** Timestamp Information: timestamps are taken in software, on the host. */
    public static final int TIMESTAMP_SOFTWARE = 2;

    /** Error Estimate: the clock is synchronised to UTC by an external source. */
    public static final int ERROR_S = 0x8000;
    /** Error Estimate: timestamps are in PTPv2 format. */
    public static final int ERROR_Z = 0x4000;

    /** Seconds from 1900-01-01 (the NTP era 0) to 1970-01-01. */
    public static final long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;
    private static final long NANOS = 1_000_000_000L;

    private Stamp() {
    }

    /** @return the 64-bit NTP timestamp of a time in nanoseconds since 1970. */
    public static long ntp(long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, NANOS);
        long nanos = Math.floorMod(epochNanos, NANOS);
        long fraction = ((nanos << 32) + NANOS / 2) / NANOS;
        return ((seconds + NTP_UNIX_OFFSET_SECONDS) << 32) + fraction;
    }

    /** @return the time in nanoseconds since 1970 of a 64-bit NTP timestamp (era 0, which runs to 2036). */
    public static long fromNtp(long ntp) {
        long seconds = (ntp >>> 32) - NTP_UNIX_OFFSET_SECONDS;
        long fraction = ntp & 0xFFFF_FFFFL;
        return seconds * NANOS + ((fraction * NANOS + (1L << 31)) >>> 32);
    }

    /** @return the PTPv2 truncated timestamp (32-bit seconds, 32-bit nanoseconds) of a time since 1970. */
    public static long ptp(long epochNanos) {
        return (Math.floorDiv(epochNanos, NANOS) << 32) | Math.floorMod(epochNanos, NANOS);
    }

    /** @return the time in nanoseconds since 1970 of a PTPv2 truncated timestamp. */
    public static long fromPtp(long ptp) {
        return (ptp >>> 32) * NANOS + (ptp & 0xFFFF_FFFFL);
    }

    /** @return the timestamp of a time since 1970 in the format an Error Estimate names (its Z bit). */
    public static long timestamp(long epochNanos, int errorEstimate) {
        return (errorEstimate & ERROR_Z) != 0 ? ptp(epochNanos) : ntp(epochNanos);
    }

    /** @return the time since 1970 of a timestamp in the format an Error Estimate names. */
    public static long fromTimestamp(long timestamp, int errorEstimate) {
        return (errorEstimate & ERROR_Z) != 0 ? fromPtp(timestamp) : fromNtp(timestamp);
    }

    /**
     * The Error Estimate of RFC 4656 §4.1.2: Multiplier × 2^(Scale − 32) seconds, with the smallest Scale whose
     * Multiplier (1 to 255) reaches the error, so that the estimate is never below it.
     *
     * @param errorNanos   the clock's error, at least 0.
     * @param synchronised whether the clock is synchronised to UTC by an external source (S).
     * @param ptp          whether timestamps are in PTPv2 format (Z).
     * @return the 16-bit field.
     */
    public static int errorEstimate(long errorNanos, boolean synchronised, boolean ptp) {
        double units = Math.max(errorNanos, 0) * 4.294967296; // 2^32 units per second
        int scale = 0;
        while (scale < 63 && Math.ceil(units / Math.pow(2, scale)) > 255) {
            scale++;
        }
        int multiplier = (int) Math.max(1, Math.min(255, Math.ceil(units / Math.pow(2, scale))));
        return (synchronised ? ERROR_S : 0) | (ptp ? ERROR_Z : 0) | (scale << 8) | multiplier;
    }

    /** @return the error an Error Estimate states, in nanoseconds. */
    public static double errorNanos(int errorEstimate) {
        int scale = (errorEstimate >>> 8) & 0x3F;
        int multiplier = errorEstimate & 0xFF;
        return multiplier * Math.pow(2, scale - 32) * NANOS;
    }

    public static long getLong(ByteBuffer b, int at) {
        return Bytes.getLong(b, at);
    }

    /** @return the unsigned 32-bit value. */
    public static long getUnsignedInt(ByteBuffer b, int at) {
        return Bytes.getInt(b, at) & 0xFFFF_FFFFL;
    }

    /** @return the unsigned 16-bit value. */
    public static int getShort(ByteBuffer b, int at) {
        return Bytes.getShort(b, at);
    }

    public static void putLong(ByteBuffer b, int at, long v) {
        Bytes.putLong(b, at, v);
    }

    public static void putInt(ByteBuffer b, int at, int v) {
        Bytes.putInt(b, at, v);
    }

    public static void putShort(ByteBuffer b, int at, int v) {
        Bytes.putShort(b, at, v);
    }
}
