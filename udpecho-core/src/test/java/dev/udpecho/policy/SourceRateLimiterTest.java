package dev.udpecho.policy;

import dev.udpecho.net.PeerAddress;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Rate limits on a clock the test moves, so that every count is exact. */
class SourceRateLimiterTest {
    private long now = 1_000_000_000L;

    private static PeerAddress at(String host) {
        return new PeerAddress().set(new InetSocketAddress(host, 5000));
    }

    private SourceRateLimiter limiter(RateLimits limits) {
        return new SourceRateLimiter(limits, () -> now);
    }

    private static int answered(SourceRateLimiter limiter, PeerAddress source, int datagrams) {
        int n = 0;
        for (int i = 0; i < datagrams; i++) {
            if (limiter.decide(source, ByteBuffer.allocate(0)) == null) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aBurstThenTheRate() {
        SourceRateLimiter limiter = limiter(new RateLimits(100, 20, 32, 64, 0, 1024, false));
        PeerAddress source = at("192.0.2.1");
        assertThat(answered(limiter, source, 1000)).isEqualTo(20);
        now += TimeUnit.MILLISECONDS.toNanos(50);
        assertThat(answered(limiter, source, 1000)).as("50 ms at 100/s").isEqualTo(5);
        now += TimeUnit.MILLISECONDS.toNanos(500);
        assertThat(answered(limiter, source, 1000)).as("never more than the burst").isEqualTo(20);
        now += TimeUnit.SECONDS.toNanos(10);
        assertThat(answered(limiter, source, 1000)).as("idle long enough: a full burst again").isEqualTo(20);
        assertThat(limiter.decide(source, ByteBuffer.allocate(0))).isEqualTo(DropReason.RATE_LIMITED);
    }

    @Test
    void eachSourceHasItsOwnBucketAndBlocksShareOne() {
        SourceRateLimiter perHost = limiter(new RateLimits(10, 5, 32, 64, 0, 1024, false));
        assertThat(answered(perHost, at("192.0.2.1"), 100)).isEqualTo(5);
        assertThat(answered(perHost, at("192.0.2.2"), 100)).isEqualTo(5);
        SourceRateLimiter per24 = limiter(new RateLimits(10, 5, 24, 48, 0, 1024, false));
        assertThat(answered(per24, at("192.0.2.1"), 3) + answered(per24, at("192.0.2.200"), 100)).isEqualTo(5);
        assertThat(answered(per24, at("192.0.3.1"), 100)).isEqualTo(5);
        assertThat(answered(per24, at("2001:db8:0:1::1"), 3) + answered(per24, at("2001:db8:0:2::1"), 100))
                .as("same /48").isEqualTo(5);
    }

    @Test
    void ipv6ByDefaultPer64() {
        SourceRateLimiter limiter = limiter(new RateLimits(10, 5, 32, 64, 0, 1024, false));
        assertThat(answered(limiter, at("2001:db8::1"), 3) + answered(limiter, at("2001:db8::ffff"), 100)).isEqualTo(5);
        assertThat(answered(limiter, at("2001:db8:0:1::1"), 100)).isEqualTo(5);
    }

    @Test
    void ipv4MappedSourcesShareTheIpv4Bucket() {
        SourceRateLimiter limiter = limiter(new RateLimits(10, 5, 32, 64, 0, 1024, false));
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        PeerAddress viaV6 = new PeerAddress().set(mapped, 0, 16, 5000, 0);
        assertThat(answered(limiter, viaV6, 3) + answered(limiter, at("192.0.2.7"), 100)).isEqualTo(5);
    }

    @Test
    void loopbackIsLimitedOnlyWhenAskedExplicitly() {
        assertThat(answered(limiter(new RateLimits(10, 5, 32, 64, 0, 1024, false)), at("127.0.0.1"), 100)).isEqualTo(100);
        assertThat(answered(limiter(new RateLimits(10, 5, 32, 64, 0, 1024, false)), at("::1"), 100)).isEqualTo(100);
        assertThat(answered(limiter(new RateLimits(10, 5, 32, 64, 0, 1024, true)), at("127.0.0.1"), 100)).isEqualTo(5);
    }

    @Test
    void theOverallLimitCountsEverySource() {
        SourceRateLimiter limiter = limiter(new RateLimits(0, 10, 32, 64, 100, 1024, false));
        int total = 0;
        for (int i = 0; i < 50; i++) {
            total += answered(limiter, at("192.0.2." + i), 5);
        }
        assertThat(total).isEqualTo(10);
        assertThat(limiter.decide(at("127.0.0.1"), ByteBuffer.allocate(0))).isEqualTo(DropReason.MAX_RATE);
        now += TimeUnit.MILLISECONDS.toNanos(100);
        assertThat(answered(limiter, at("198.51.100.1"), 100)).isEqualTo(10);
    }

    @Test
    void theTableStaysBoundedAndForgetsIdleSourcesFirst() {
        SourceRateLimiter limiter = limiter(new RateLimits(10, 2, 32, 64, 0, 64, false));
        assertThat(limiter.capacity()).isEqualTo(64);
        PeerAddress regular = at("198.51.100.1");
        assertThat(answered(limiter, regular, 100)).isEqualTo(2);
        // A hundred thousand sources pass through a 64-entry table without growing it.
        for (int i = 0; i < 100_000; i++) {
            PeerAddress one = new PeerAddress().set(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}, 0, 4, 5000, 0);
            assertThat(limiter.decide(one, ByteBuffer.allocate(0))).isNull();
        }
        assertThat(limiter.capacity()).isEqualTo(64);
        // The regular source may have been forgotten; if so it starts again with a full bucket, never more.
        assertThat(answered(limiter, regular, 100)).isBetween(0, 2);
    }
}
