package dev.udpecho.policy;

/**
 * How fast sources may be answered. Immutable; every value is checked here.
 *
 * @param perSource       datagrams per second answered per source block; 0 for no per-source limit.
 * @param burst           datagrams a source block may send at once beyond its rate, at least 1.
 * @param ipv4PrefixBits  sources sharing this many leading bits of an IPv4 address share a limit, 1 to 32.
 * @param ipv6PrefixBits  likewise for IPv6, 1 to 64.
 * @param maxRate         datagrams per second answered over all sources; 0 for no overall limit.
 * @param tableSize       source blocks tracked at once, 64 to 16777216; the least recently limited are
 *                        forgotten first, so memory stays bounded whatever the number of sources.
 * @param limitLoopback   whether loopback sources are limited too (only when a limit is asked for explicitly).
 */
public record RateLimits(long perSource, long burst, int ipv4PrefixBits, int ipv6PrefixBits, long maxRate,
                         int tableSize, boolean limitLoopback) {
    /** Per source block, unless asked otherwise: enough for probes and interactive use, little for a reflector. */
    public static final long DEFAULT_PER_SOURCE = 100;
    /** Default burst: two seconds' worth. */
    public static final long DEFAULT_BURST = 200;
    /** Default number of source blocks tracked. */
    public static final int DEFAULT_TABLE_SIZE = 65_536;

    /** The defaults: 100/s with bursts of 200 per /32 or /64, loopback not limited, no overall limit. */
    public static final RateLimits DEFAULT = new RateLimits(DEFAULT_PER_SOURCE, DEFAULT_BURST, 32, 64, 0,
            DEFAULT_TABLE_SIZE, false);
    /** No limits at all. */
    public static final RateLimits OFF = new RateLimits(0, 1, 32, 64, 0, DEFAULT_TABLE_SIZE, false);

    /** Checks every value. */
    public RateLimits {
        check(perSource >= 0 && perSource <= 1_000_000_000L, "rate limit must be 0 to 1000000000 per second, not " + perSource);
        check(burst >= 1 && burst <= 1_000_000_000L, "rate limit burst must be 1 to 1000000000, not " + burst);
        check(ipv4PrefixBits >= 1 && ipv4PrefixBits <= 32, "IPv4 rate limit prefix must be 1 to 32 bits, not " + ipv4PrefixBits);
        check(ipv6PrefixBits >= 1 && ipv6PrefixBits <= 64, "IPv6 rate limit prefix must be 1 to 64 bits, not " + ipv6PrefixBits);
        check(maxRate >= 0 && maxRate <= 1_000_000_000L, "max rate must be 0 to 1000000000 per second, not " + maxRate);
        check(tableSize >= 64 && tableSize <= 1 << 24, "rate limit table must hold 64 to 16777216 sources, not " + tableSize);
    }

    /** @return whether anything is limited. */
    public boolean isOn() {
        return perSource > 0 || maxRate > 0;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
