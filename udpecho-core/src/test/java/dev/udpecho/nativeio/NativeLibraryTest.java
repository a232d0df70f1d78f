package dev.udpecho.nativeio;

import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which library is loaded for which architecture, and that it does load wherever the build makes one. */
class NativeLibraryTest {

    @Test
    void namesTheLibraryForEachArchitectureAsNettyNamesItsOwn() {
        assertThat(NativeLibrary.resource("amd64")).isEqualTo("/META-INF/native/libudpecho-linux-x86_64.so");
        assertThat(NativeLibrary.resource("x86_64")).isEqualTo("/META-INF/native/libudpecho-linux-x86_64.so");
        assertThat(NativeLibrary.resource("aarch64")).isEqualTo("/META-INF/native/libudpecho-linux-aarch_64.so");
        assertThat(NativeLibrary.resource("riscv64")).isNull();
    }

    /**
     * Fails under {@code UDPECHO_REQUIRE_TOOLS} (CI) on Linux x86_64 or aarch64 if the library is missing or does
     * not load, instead of letting every native test skip itself.
     */
    @Test
    void loadsWhereverTheBuildMakesIt() throws IOException {
        Tools.requireNativeTransport();
        assertThat(NativeLibrary.unavailabilityCause()).isNull();
        String arch = System.getProperty("os.arch");
        try (InputStream in = NativeLibrary.class.getResourceAsStream(NativeLibrary.resource(arch))) {
            assertThat(in).as("the library for " + arch).isNotNull();
            byte[] header = in.readNBytes(20);
            assertThat(header).startsWith(0x7f, 'E', 'L', 'F', 2); // ELF, 64-bit
            int machine = (header[18] & 0xff) | (header[19] & 0xff) << 8;
            assertThat(machine).as("ELF machine").isEqualTo(arch.equals("aarch64") ? 183 : 62);
        }
    }
}
