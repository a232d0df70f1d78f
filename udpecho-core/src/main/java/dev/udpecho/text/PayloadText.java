package dev.udpecho.text;

/**
 * Turns datagram bytes into one line of text that is safe to print: what is valid UTF-8 shows as text,
 * everything that could break the line, forge another one or drive a terminal shows as an escape.
 *
 * <ul>
 *   <li>{@code \\} for a backslash, so that escapes cannot be forged;</li>
 *   <li>{@code \n}, {@code \r}, {@code \t}, and {@code \xNN} for other ASCII control bytes (ESC is {@code \x1b});</li>
 *   <li>{@code \u0085}-style escapes for valid characters that are controls, format characters (bidi overrides,
 *       zero-width marks) or line and paragraph separators;</li>
 *   <li>{@code \xNN} for each byte that is not part of valid UTF-8 (overlong forms and surrogates included).</li>
 * </ul>
 *
 * <p>Stateless and safe to use from any thread.
 */
public final class PayloadText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PayloadText() {
    }

    /**
     * @param bytes any bytes.
     * @return them as one escaped line.
     */
    public static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 16);
        appendEscaped(out, bytes, 0, bytes.length);
        return out.toString();
    }

    /**
     * Appends a preview of a payload for a log line: surrounding ASCII whitespace stripped (as the tutorial's
     * {@code data.strip()} does), escaped, and cut at a character boundary after {@code maxBytes} bytes with the
     * datagram's size shown, e.g. {@code AAAA... [65502 bytes]}.
     *
     * @param out            where to append.
     * @param bytes          the payload, or its start when {@code complete} is false.
     * @param offset         where it starts in {@code bytes}.
     * @param length         how many of its bytes are in {@code bytes}.
     * @param complete       whether those are all of the payload's bytes up to its end.
     * @param datagramLength the datagram's size, shown when the preview is cut.
     * @param maxBytes       how many bytes of payload to show at most.
     */
    public static void appendPreview(StringBuilder out, byte[] bytes, int offset, int length, boolean complete,
                                     int datagramLength, int maxBytes) {
        if (appendPreviewText(out, bytes, offset, length, complete, maxBytes)) {
            out.append("... [").append(datagramLength).append(" bytes]");
        }
    }

    /**
     * Appends a preview as {@link #appendPreview} does, but without saying whether it was cut or how large the
     * datagram was: for logs that show those in fields of their own.
     *
     * @param out      where to append.
     * @param bytes    the payload, or its start when {@code complete} is false.
     * @param offset   where it starts in {@code bytes}.
     * @param length   how many of its bytes are in {@code bytes}.
     * @param complete whether those are all of the payload's bytes up to its end.
     * @param maxBytes how many bytes of payload to show at most.
     * @return whether the preview was cut: the payload goes on beyond what was appended.
     */
    public static boolean appendPreviewText(StringBuilder out, byte[] bytes, int offset, int length, boolean complete,
                                            int maxBytes) {
        int start = offset;
        int end = offset + length;
        while (start < end && isAsciiWhitespace(bytes[start])) {
            start++;
        }
        if (complete) {
            while (end > start && isAsciiWhitespace(bytes[end - 1])) {
                end--;
            }
        }
        boolean cut = !complete;
        if (end - start > maxBytes) {
            end = characterBoundary(bytes, start, start + maxBytes);
            cut = true;
        }
        appendEscaped(out, bytes, start, end - start);
        return cut;
    }

    /**
     * @param b a byte.
     * @return whether it is ASCII whitespace: space, tab, newline, vertical tab, form feed or carriage return.
     */
    public static boolean isAsciiWhitespace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    /**
     * Appends {@code bytes[offset, offset + length)} escaped.
     *
     * @param out    where to append.
     * @param bytes  the bytes.
     * @param offset the first byte.
     * @param length how many bytes.
     */
    public static void appendEscaped(StringBuilder out, byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                appendAscii(out, b);
                i++;
                continue;
            }
            int size = sequenceLength(bytes, i, end);
            if (size == 0) {
                appendByte(out, b);
                i++;
                continue;
            }
            int codePoint = decode(bytes, i, size);
            if (isUnsafe(codePoint)) {
                appendCodePointEscape(out, codePoint);
            } else {
                out.appendCodePoint(codePoint);
            }
            i += size;
        }
    }

    private static void appendAscii(StringBuilder out, int b) {
        switch (b) {
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                if (b < 0x20 || b == 0x7f) {
                    appendByte(out, b);
                } else {
                    out.append((char) b);
                }
        }
    }

    private static void appendByte(StringBuilder out, int b) {
        out.append("\\x").append(HEX[b >>> 4]).append(HEX[b & 0xf]);
    }

    private static void appendCodePointEscape(StringBuilder out, int codePoint) {
        if (codePoint > 0xffff) {
            out.append("\\U");
            for (int shift = 28; shift >= 0; shift -= 4) {
                out.append(HEX[(codePoint >>> shift) & 0xf]);
            }
            return;
        }
        out.append("\\u");
        for (int shift = 12; shift >= 0; shift -= 4) {
            out.append(HEX[(codePoint >>> shift) & 0xf]);
        }
    }

    /** Characters that are valid text but can move the cursor, reorder what is shown, or hide. */
    private static boolean isUnsafe(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
                return true;
            default:
                return false;
        }
    }

    /**
     * @return the length (2 to 4) of the well-formed UTF-8 sequence at {@code i}, or 0 if the byte there does
     * not start one. Follows the table of well-formed sequences in Unicode §3.9 (no overlongs, no surrogates,
     * nothing above U+10FFFF).
     */
    private static int sequenceLength(byte[] bytes, int i, int end) {
        int b0 = bytes[i] & 0xff;
        int size;
        int lo = 0x80;
        int hi = 0xbf;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            size = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            size = 3;
            if (b0 == 0xe0) {
                lo = 0xa0;
            } else if (b0 == 0xed) {
                hi = 0x9f;
            }
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            size = 4;
            if (b0 == 0xf0) {
                lo = 0x90;
            } else if (b0 == 0xf4) {
                hi = 0x8f;
            }
        } else {
            return 0;
        }
        if (i + size > end) {
            return 0;
        }
        int b1 = bytes[i + 1] & 0xff;
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int k = 2; k < size; k++) {
            int bk = bytes[i + k] & 0xff;
            if (bk < 0x80 || bk > 0xbf) {
                return 0;
            }
        }
        return size;
    }

    private static int decode(byte[] bytes, int i, int size) {
        int codePoint = bytes[i] & (0xff >>> (size + 1));
        for (int k = 1; k < size; k++) {
            codePoint = (codePoint << 6) | (bytes[i + k] & 0x3f);
        }
        return codePoint;
    }

    /** @return the largest index ≤ {@code cut} that does not split a UTF-8 sequence starting after {@code start}. */
    private static int characterBoundary(byte[] bytes, int start, int cut) {
        int i = cut;
        for (int back = 0; back < 3 && i > start && (bytes[i] & 0xc0) == 0x80; back++) {
            i--;
        }
        return (bytes[i] & 0xc0) == 0x80 ? cut : i;
    }
}
