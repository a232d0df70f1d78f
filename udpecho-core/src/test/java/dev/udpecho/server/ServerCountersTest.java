package dev.udpecho.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServerCountersTest {

    @Test
    void eachSizeLandsInTheBucketWhoseBoundIsTheNextPowerOfTwo() {
        ServerCounters counters = new ServerCounters();
        int[] sizes = {0, 0, 1, 2, 3, 4, 5, 64, 65, 1472, 65_507, 65_527, 65_535};
        long bytes = 0;
        for (int size : sizes) {
            counters.onReceived(size);
            bytes += size;
        }
        ServerStats stats = ServerStats.sum(List.of(counters), 0, 0);
        DatagramSizes histogram = stats.sizes();
        long[] expected = new long[DatagramSizes.BUCKETS];
        expected[0] = 2;  // empty
        expected[1] = 1;  // 1
        expected[2] = 1;  // 2
        expected[3] = 2;  // 3, 4
        expected[4] = 1;  // 5
        expected[7] = 1;  // 64
        expected[8] = 1;  // 65
        expected[12] = 1; // 1472
        expected[17] = 3; // 65507, 65527, 65535
        assertThat(histogram).isEqualTo(new DatagramSizes(expected));
        assertThat(histogram.total()).isEqualTo(stats.received()).isEqualTo(sizes.length);
        assertThat(stats.empty()).isEqualTo(2);
        assertThat(stats.bytesReceived()).isEqualTo(bytes);
    }

    @Test
    void boundsAreZeroThenPowersOfTwoUpToAboveTheLargestDatagram() {
        assertThat(DatagramSizes.upperBound(0)).isZero();
        assertThat(DatagramSizes.upperBound(1)).isEqualTo(1);
        assertThat(DatagramSizes.upperBound(7)).isEqualTo(64);
        assertThat(DatagramSizes.upperBound(DatagramSizes.BUCKETS - 1)).isEqualTo(65_536);
    }

    @Test
    void workersAreSummedBucketByBucket() {
        ServerCounters a = new ServerCounters();
        ServerCounters b = new ServerCounters();
        a.onReceived(100);
        b.onReceived(100);
        b.onReceived(0);
        DatagramSizes sizes = ServerStats.sum(List.of(a, b), 0, 0).sizes();
        assertThat(sizes.count(8)).isEqualTo(2);
        assertThat(sizes.count(0)).isEqualTo(1);
        assertThat(sizes.total()).isEqualTo(3);
    }
}
