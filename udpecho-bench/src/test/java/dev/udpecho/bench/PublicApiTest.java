package dev.udpecho.bench;

import dev.udpecho.testing.PublicApi;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's API carries no Netty type. */
class PublicApiTest {

    @Test
    void noPublicTypeMentionsNetty() {
        assertThat(PublicApi.visibleTypes(BenchRun.class)).isGreaterThan(5);
        assertThat(PublicApi.mentions(BenchRun.class, "io.netty.")).isEmpty();
    }
}
