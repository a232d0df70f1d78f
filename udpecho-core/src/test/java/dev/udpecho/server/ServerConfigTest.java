package dev.udpecho.server;

import dev.udpecho.impairment.Impairments;
import dev.udpecho.net.Transport;
import dev.udpecho.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {

    @Test
    void theProtocolsHaveTheirOwnDefaults() {
        ServerConfig stamp = ServerConfig.builder().protocol(Protocol.STAMP).build();
        assertThat(stamp.port()).isEqualTo(862);
        assertThat(stamp.prefix()).isEmpty();
        assertThat(ServerConfig.builder().protocol(Protocol.STAMP).port(0).build().port()).isZero();
        ServerConfig sockperf = ServerConfig.builder().protocol(Protocol.SOCKPERF).build();
        assertThat(sockperf.port()).isEqualTo(8888);
        assertThat(sockperf.prefix()).isEmpty();
        assertThat(ServerConfig.builder().protocol(Protocol.SOCKPERF).prefix("").build().prefix()).isEmpty();
        assertThat(ServerConfig.defaults().prefix()).isEqualTo("OK...".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ServerConfig.builder().protocol(Protocol.STAMP).prefix("OK...").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--prefix is for the echo");
        assertThatThrownBy(() -> ServerConfig.builder().stampMaxSessions(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(stamp.toBuilder().build()).isEqualTo(stamp);
    }

    @Test
    void defaultsAreTheTutorials() {
        ServerConfig c = ServerConfig.defaults();
        assertThat(c.port()).isEqualTo(8888);
        assertThat(new String(c.prefix(), StandardCharsets.UTF_8)).isEqualTo("OK...");
        assertThat(c.bindAddresses()).isEmpty();
        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void anImpairedServerHasOneWorkerUnlessToldOtherwise() {
        Impairments lossy = Impairments.parse("loss=5%");
        assertThat(ServerConfig.builder().impairments(lossy).build().workers()).isEqualTo(1);
        assertThat(ServerConfig.builder().impairments(lossy).workers(3).build().workers()).isEqualTo(3);
    }

    @Test
    void portOutOfRangeIsRefusedNamingTheRange() {
        assertThatThrownBy(() -> ServerConfig.builder().port(65_536).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 0 to 65535, not 65536");
        assertThatThrownBy(() -> ServerConfig.builder().port(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerConfig.builder().port(0).build().port()).isZero();
    }

    @Test
    void prefixLongerThanAnyDatagramIsRefused() {
        assertThatThrownBy(() -> ServerConfig.builder().prefix(new byte[65_508]).build())
                .hasMessage("prefix must be at most 65507 bytes, not 65508");
        assertThat(ServerConfig.builder().prefix(new byte[0]).build().prefix()).isEmpty();
    }

    @Test
    void workersMustBePositive() {
        assertThatThrownBy(() -> ServerConfig.builder().workers(0).build()).hasMessage("workers must be 1 to 256, not 0");
    }

    @Test
    void prefixIsCopiedInAndOut() {
        byte[] prefix = {1, 2, 3};
        ServerConfig c = ServerConfig.builder().prefix(prefix).build();
        prefix[0] = 9;
        assertThat(c.prefix()).containsExactly(1, 2, 3);
        c.prefix()[1] = 9;
        assertThat(c.prefix()).containsExactly(1, 2, 3);
        assertThat(c).isEqualTo(ServerConfig.builder().prefix(new byte[] {1, 2, 3}).build());
    }

    @Test
    void transportParsesItsNames() {
        assertThat(Transport.parse("NIO")).isEqualTo(Transport.NIO);
        assertThat(Transport.parse("auto")).isEqualTo(Transport.best());
        assertThatThrownBy(() -> Transport.parse("quic")).hasMessageContaining("unknown transport 'quic'");
        assertThat(ServerConfig.builder().transport(Transport.NIO).build().transport()).isEqualTo(Transport.NIO);
    }
}
