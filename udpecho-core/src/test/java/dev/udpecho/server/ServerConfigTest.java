package dev.udpecho.server;

import dev.udpecho.net.Transport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {

    @Test
    void defaultsAreTheTutorials() {
        ServerConfig c = ServerConfig.defaults();
        assertThat(c.port()).isEqualTo(8888);
        assertThat(new String(c.prefix(), StandardCharsets.UTF_8)).isEqualTo("OK...");
        assertThat(c.bindAddresses()).isEmpty();
        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void portOutOfRangeIsRefusedNamingTheRange() {
        assertThatThrownBy(() -> ServerConfig.defaults().withPort(65_536))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 0 to 65535, not 65536");
        assertThatThrownBy(() -> ServerConfig.defaults().withPort(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerConfig.defaults().withPort(0).port()).isZero();
    }

    @Test
    void prefixLongerThanAnyDatagramIsRefused() {
        assertThatThrownBy(() -> ServerConfig.defaults().withPrefix(new byte[65_508]))
                .hasMessage("prefix must be at most 65507 bytes, not 65508");
        assertThat(ServerConfig.defaults().withPrefix(new byte[0]).prefix()).isEmpty();
    }

    @Test
    void workersMustBePositive() {
        assertThatThrownBy(() -> ServerConfig.defaults().withWorkers(0)).hasMessage("workers must be 1 to 256, not 0");
    }

    @Test
    void prefixIsCopiedInAndOut() {
        byte[] prefix = {1, 2, 3};
        ServerConfig c = ServerConfig.defaults().withPrefix(prefix);
        prefix[0] = 9;
        assertThat(c.prefix()).containsExactly(1, 2, 3);
        c.prefix()[1] = 9;
        assertThat(c.prefix()).containsExactly(1, 2, 3);
        assertThat(c).isEqualTo(ServerConfig.defaults().withPrefix(new byte[] {1, 2, 3}));
    }

    @Test
    void transportParsesItsNames() {
        assertThat(Transport.parse("NIO")).isEqualTo(Transport.NIO);
        assertThat(Transport.parse("auto")).isEqualTo(Transport.best());
        assertThatThrownBy(() -> Transport.parse("quic")).hasMessageContaining("unknown transport 'quic'");
        assertThat(ServerConfig.defaults().withTransport(Transport.NIO).transport()).isEqualTo(Transport.NIO);
    }
}
