package dev.udpecho;

import dev.udpecho.server.EchoServer;
import dev.udpecho.testing.PublicApi;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Netty is an implementation detail: an application embedding udpecho is not tied to Netty's API. Public only so
 * that its nested {@link Leaky} is public API for the scan to find.
 */
public class PublicApiTest {

    @Test
    void noPublicTypeOfTheCoreMentionsNetty() {
        assertThat(PublicApi.visibleTypes(EchoServer.class)).as("public types scanned").isGreaterThan(30);
        assertThat(PublicApi.mentions(EchoServer.class, "io.netty.")).isEmpty();
    }

    /** A public type that leaks Netty, for the scan to find. */
    public static final class Leaky {
        /** @return a Netty type, in a list. */
        public List<? extends ByteBuf> buffers() {
            return List.of();
        }
    }

    @Test
    void theScanFindsNettyWhereItShows() {
        assertThat(PublicApi.mentions(PublicApiTest.class, "io.netty."))
                .containsExactly("dev.udpecho.PublicApiTest$Leaky.buffers(): io.netty.buffer.ByteBuf");
    }
}
