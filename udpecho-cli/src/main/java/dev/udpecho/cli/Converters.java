package dev.udpecho.cli;

import dev.udpecho.net.Transport;
import dev.udpecho.protocol.Protocol;
import dev.udpecho.server.LogFormat;
import dev.udpecho.text.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Option value converters whose messages say what is allowed.
 */
final class Converters {
    private Converters() {
    }

    /** A port a server may bind: 0 (any free port) to 65535. */
    static final class BindPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 0, 65_535, "a port (0-65535)");
        }
    }

    /** A port a client may send to: 1 to 65535. */
    static final class PeerPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 1, 65_535, "a port (1-65535)");
        }
    }

    /** A rate in datagrams per second: 0 (no limit) to 1000000000. */
    static final class Rate implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return (long) integer(value, 0, 1_000_000_000, "a rate (0-1000000000 per second)");
        }
    }

    /** A burst size: 1 to 1000000000 datagrams. */
    static final class Burst implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return (long) integer(value, 1, 1_000_000_000, "a burst size (1-1000000000)");
        }
    }

    /** Sources tracked by the rate limiter: 64 to 16777216. */
    static final class TableSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 64, 1 << 24, "a table size (64-16777216)");
        }
    }

    /** Workers: 1 to 256. */
    static final class Workers implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 1, 256, "a number of workers (1-256)");
        }
    }

    /** Retries: 0 to 100. */
    static final class Retries implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 0, dev.udpecho.client.ClientConfig.MAX_RETRIES, "a number of retries (0-100)");
        }
    }

    /** {@code 200ms}, {@code 2s}, {@code 1.5s}, {@code 1m}; a bare number is seconds. 1 ms to 1 hour. */
    static final class Timeout implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new TypeConversionException("'" + value + "' is out of range (1ms to 1h)");
            }
            return d;
        }
    }

    /** {@code auto}, {@code epoll} or {@code nio}. */
    static final class TransportName implements ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            try {
                return Transport.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code echo}, {@code stamp} or {@code sockperf}. */
    static final class ProtocolName implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            try {
                return Protocol.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * @param value {@code stateless} or {@code stateful}, in any case.
     * @return whether a STAMP reflector counts its own sequence numbers.
     * @throws IllegalArgumentException naming the choices, for anything else.
     */
    static boolean stampStateful(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "stateless":
                return false;
            case "stateful":
                return true;
            default:
                throw new IllegalArgumentException("Invalid value for option '--stamp-mode': unknown mode '" + value
                        + "' (expected stateless or stateful)");
        }
    }

    /** Senders a stateful STAMP reflector keeps: 1 to 1048576. */
    static final class StampSessions implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value, 1, 1 << 20, "a number of sessions (1-1048576)");
        }
    }

    /** A clock's error, {@code 0} or {@code 10us}, {@code 1ms}, {@code 0.5s}: 0 to 60 seconds. */
    static final class ClockError implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            Duration d;
            if (v.endsWith("us")) {
                d = Duration.ofNanos(Math.round(decimal(v.substring(0, v.length() - 2), value) * 1_000));
            } else if (v.endsWith("ns")) {
                d = Duration.ofNanos(Math.round(decimal(v.substring(0, v.length() - 2), value)));
            } else {
                d = duration(v);
            }
            if (d.isNegative() || d.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new TypeConversionException("'" + value + "' is out of range (0 to 60s)");
            }
            return d;
        }

        private static double decimal(String number, String value) {
            try {
                double d = Double.parseDouble(number);
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (e.g. 10us, 1ms, 0.5s)");
            }
        }
    }

    /** {@code text} or {@code json}. */
    static final class LogFormatName implements ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 127.0.0.1:9888}, {@code [::1]:9888}, {@code localhost:9888}, or {@code :9888} for every interface. */
    static final class HostPort implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            String text = value.trim();
            int colon = text.lastIndexOf(':');
            String host = colon < 0 ? "" : text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0 || colon < 0) {
                throw notHostPort(value);
            }
            int port;
            try {
                port = integer(text.substring(colon + 1), 0, 65_535, "a port");
            } catch (TypeConversionException e) {
                throw notHostPort(value);
            }
            try {
                return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException e) {
                throw new TypeConversionException("unknown host '" + host + "'");
            }
        }

        private static TypeConversionException notHostPort(String value) {
            return new TypeConversionException("'" + value + "' is not HOST:PORT with a port of 0-65535 (e.g."
                    + " 127.0.0.1:9888, [::1]:9888, or :9888 for every interface)");
        }
    }

    /** A size in bytes: {@code 4194304}, {@code 512K}, {@code 4M}, {@code 4MiB}, {@code 1G}. */
    static final class Size implements ITypeConverter<Integer> {
        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?");

        @Override
        public Integer convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size (e.g. 4M, 512K, 4194304)");
            }
            int shift = "kmg".indexOf(m.group(2).isEmpty() ? 'x' : m.group(2).charAt(0)) * 10 + 10;
            BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(m.group(2).isEmpty() ? 1 : 1L << shift));
            if (bytes.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                throw new TypeConversionException("'" + value + "' is too large");
            }
            return bytes.intValue();
        }
    }

    /** @return the duration, e.g. {@code 200ms}, {@code 2s}, {@code 1m}; see {@link Durations}. */
    static Duration duration(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static int integer(String value, int min, int max, String what) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not " + what);
        }
        if (n < min || n > max) {
            throw new TypeConversionException("'" + value + "' is not " + what);
        }
        return (int) n;
    }
}
