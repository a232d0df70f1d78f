package dev.udpecho.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadTextTest {

    private static String escape(String s) {
        return PayloadText.escape(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return PayloadText.escape(b);
    }

    private static String preview(byte[] payload, int maxBytes) {
        StringBuilder out = new StringBuilder();
        PayloadText.appendPreview(out, payload, 0, payload.length, true, payload.length, maxBytes);
        return out.toString();
    }

    @Test
    void printableAsciiAndValidUtf8ShowAsText() {
        assertThat(escape("hello, world!")).isEqualTo("hello, world!");
        assertThat(escape("héllo wörld ✓ 日本 😀")).isEqualTo("héllo wörld ✓ 日本 😀");
    }

    @Test
    void lineBreaksTabsAndBackslashAreEscaped() {
        assertThat(escape("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
        assertThat(escape("C:\\x1b")).isEqualTo("C:\\\\x1b");
    }

    @Test
    void controlBytesAndTerminalEscapesAreEscaped() {
        assertThat(escape("\u001b[31mred\u001b[0m")).isEqualTo("\\x1b[31mred\\x1b[0m");
        assertThat(escape(0x00, 0x07, 0x08, 0x7f)).isEqualTo("\\x00\\x07\\x08\\x7f");
    }

    @Test
    void invalidUtf8BytesAreEscapedOneByOne() {
        assertThat(escape(0xff)).isEqualTo("\\xff");
        assertThat(escape('a', 0xc3, 'b')).isEqualTo("a\\xc3b");          // lead byte without continuation
        assertThat(escape(0xe2, 0x82)).isEqualTo("\\xe2\\x82");           // truncated sequence
        assertThat(escape(0xc0, 0x80)).isEqualTo("\\xc0\\x80");           // overlong NUL
        assertThat(escape(0xe0, 0x80, 0xaf)).isEqualTo("\\xe0\\x80\\xaf"); // overlong '/'
        assertThat(escape(0xed, 0xa0, 0x80)).isEqualTo("\\xed\\xa0\\x80"); // UTF-16 surrogate
        assertThat(escape(0xf4, 0x90, 0x80, 0x80)).isEqualTo("\\xf4\\x90\\x80\\x80"); // above U+10FFFF
        assertThat(escape(0x80)).isEqualTo("\\x80");                      // lone continuation
    }

    @Test
    void validButUnsafeCharactersAreEscapedAsCodePoints() {
        assertThat(escape("a\u0085b")).isEqualTo("a\\u0085b");   // NEL, a C1 line break
        assertThat(escape("\u009b31m")).isEqualTo("\\u009b31m"); // C1 CSI drives some terminals
        assertThat(escape("abc\u202edcba")).isEqualTo("abc\\u202edcba"); // right-to-left override
        assertThat(escape("a\u2028b")).isEqualTo("a\\u2028b");   // line separator
        assertThat(escape("x\u200by")).isEqualTo("x\\u200by");   // zero-width space (format)
        assertThat(escape("\udb40\udc01")).isEqualTo("\\U000e0001"); // language tag, a supplementary format char
    }

    @Test
    void noEscapedLineContainsALineBreakOrEscapeByte() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        String line = PayloadText.escape(all);
        assertThat(line).doesNotContain("\n", "\r", "\u001b", "\u0085", "\u2028", "\u2029");
        assertThat(line.chars().filter(c -> c < 0x20 || c == 0x7f).count()).isZero();
    }

    @Test
    void previewStripsSurroundingWhitespaceLikeTheTutorial() {
        assertThat(preview("hello\n".getBytes(StandardCharsets.UTF_8), 256)).isEqualTo("hello");
        assertThat(preview(" \t how are you \r\n".getBytes(StandardCharsets.UTF_8), 256)).isEqualTo("how are you");
        assertThat(preview("a\nb\n".getBytes(StandardCharsets.UTF_8), 256)).isEqualTo("a\\nb");
        assertThat(preview(new byte[0], 256)).isEmpty();
        assertThat(preview(" \n ".getBytes(StandardCharsets.UTF_8), 256)).isEmpty();
    }

    @Test
    void longPayloadsAreCutWithTheirSizeShown() {
        byte[] payload = new byte[65_502];
        Arrays.fill(payload, (byte) 'A');
        String line = preview(payload, 10);
        assertThat(line).isEqualTo("AAAAAAAAAA... [65502 bytes]");
    }

    @Test
    void aCutNeverSplitsACharacter() {
        byte[] payload = "aaaa✓✓✓✓".getBytes(StandardCharsets.UTF_8); // ✓ is 3 bytes
        assertThat(preview(payload, 6)).isEqualTo("aaaa... [16 bytes]");
        assertThat(preview(payload, 7)).isEqualTo("aaaa✓... [16 bytes]");
    }

    @Test
    void anIncompleteCopyIsMarkedCutEvenWhenShort() {
        byte[] start = "hello ".getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        PayloadText.appendPreview(out, start, 0, start.length, false, 5000, 256);
        assertThat(out).hasToString("hello ... [5000 bytes]");
    }
}
