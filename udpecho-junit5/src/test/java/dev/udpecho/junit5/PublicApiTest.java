package dev.udpecho.junit5;

import dev.udpecho.testing.PublicApi;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The extension's API carries no Netty type: a test project need not know Netty is there. */
class PublicApiTest {

    @Test
    void noPublicTypeMentionsNetty() {
        assertThat(PublicApi.visibleTypes(UdpEchoExtension.class)).isPositive();
        assertThat(PublicApi.mentions(UdpEchoExtension.class, "io.netty.")).isEmpty();
        assertThat(PublicApi.visibleTypes(UdpProxyExtension.class)).isPositive();
        assertThat(PublicApi.mentions(UdpProxyExtension.class, "io.netty.")).isEmpty();
    }
}
