package dev.udpecho.cli;

import dev.udpecho.policy.AccessList;
import dev.udpecho.policy.Cidr;
import dev.udpecho.policy.RateLimits;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.util.ArrayList;
import java.util.List;

/**
 * The server's protections: loop guard, rate limits, access lists. Parses them; the engine enforces them.
 */
final class ProtectionOptions {
    @Option(names = "--allow-low-source-ports", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "Answer sources below port 1024 too (services such as DNS and NTP live there; answering"
                    + " them can start loops, so by default they get no reply).")
    boolean allowLowSourcePorts;

    @Option(names = "--rate-limit", paramLabel = "N", converter = Converters.Rate.class,
            description = "Datagrams per second answered per source block, loopback included; 0 turns limits off"
                    + " (default: " + RateLimits.DEFAULT_PER_SOURCE + " for non-loopback sources).")
    Long rateLimit;

    @Option(names = "--rate-limit-burst", paramLabel = "N", converter = Converters.Burst.class,
            description = "Datagrams a source block may send at once beyond its rate (default: twice the rate).")
    Long burst;

    @Option(names = "--rate-limit-prefix", paramLabel = "V4[,V6]", defaultValue = "32,64",
            converter = PrefixBits.class,
            description = "Sources sharing this many leading address bits share a limit (default: ${DEFAULT-VALUE}).")
    PrefixLengths prefixBits;

    @Option(names = "--max-rate", paramLabel = "N", defaultValue = "0", converter = Converters.Rate.class,
            description = "Datagrams per second answered over all sources; 0 for no overall limit (default).")
    long maxRate;

    @Option(names = "--rate-limit-table", paramLabel = "N", defaultValue = "" + RateLimits.DEFAULT_TABLE_SIZE,
            converter = Converters.TableSize.class,
            description = "Source blocks tracked at once; memory stays bounded whatever the number of sources"
                    + " (default: ${DEFAULT-VALUE}).")
    int tableSize;

    @Option(names = "--allow", paramLabel = "CIDR", converter = CidrConverter.class, split = ",",
            description = "Answer only sources in this block; repeatable, or comma-separated (default: every source).")
    List<Cidr> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "CIDR", converter = CidrConverter.class, split = ",",
            description = "Never answer sources in this block; repeatable, or comma-separated; wins over --allow.")
    List<Cidr> deny = new ArrayList<>();

    /** @return the rate limits asked for; an explicit --rate-limit applies to loopback sources too. */
    RateLimits rateLimits() {
        long perSource = rateLimit != null ? rateLimit : RateLimits.DEFAULT_PER_SOURCE;
        long burstSize = burst != null ? burst : Math.max(1, 2 * perSource);
        if (perSource == 0 && burst == null) {
            burstSize = Math.max(1, 2 * maxRate);
        }
        return new RateLimits(perSource, burstSize, prefixBits.ipv4(), prefixBits.ipv6(), maxRate, tableSize,
                rateLimit != null);
    }

    AccessList accessList() {
        return new AccessList(allow, deny);
    }

    /** Prefix lengths for IPv4 and IPv6 source blocks. */
    record PrefixLengths(int ipv4, int ipv6) {
    }

    /** {@code 24,56} or {@code 24}. */
    static final class PrefixBits implements ITypeConverter<PrefixLengths> {
        @Override
        public PrefixLengths convert(String value) {
            String[] parts = value.split(",", -1);
            try {
                int v4 = Integer.parseInt(parts[0].trim());
                int v6 = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : 64;
                if (parts.length <= 2 && v4 >= 1 && v4 <= 32 && v6 >= 1 && v6 <= 64) {
                    return new PrefixLengths(v4, v6);
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new TypeConversionException("'" + value + "' is not V4[,V6] prefix lengths (1-32, 1-64; e.g. 24,56)");
        }
    }

    /** {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address. */
    static final class CidrConverter implements ITypeConverter<Cidr> {
        @Override
        public Cidr convert(String value) {
            try {
                return Cidr.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
