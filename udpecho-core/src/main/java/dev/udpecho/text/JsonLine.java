package dev.udpecho.text;

/**
 * Writes one JSON object on one line into a {@link StringBuilder}, for JSON log lines: string, number and
 * boolean fields, and objects nested in it. Strings are escaped as RFC 8259 asks (quote, backslash, control
 * characters), and U+2028 and U+2029 too, so that no value can end the line or the object.
 *
 * <pre>{@code
 * new JsonLine(line).string("event", "listening").number("port", 8888).end();  // {"event":"listening","port":8888}
 * }</pre>
 *
 * <p>Not thread-safe; cheap enough to create one per line.
 */
public final class JsonLine {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;
    private int depth = 1;

    /** @param out where to append; the object starts at once. */
    public JsonLine(StringBuilder out) {
        this.out = out;
        out.append('{');
    }

    /** @param name field name. @param value its value, escaped. @return this. */
    public JsonLine string(String name, CharSequence value) {
        key(name);
        appendString(out, value);
        return this;
    }

    /** @param name field name. @param value its value. @return this. */
    public JsonLine number(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    /** @param name field name. @param value its value. @return this. */
    public JsonLine bool(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    /** @param name field name of an object whose fields follow, up to the matching {@link #end()}. @return this. */
    public JsonLine object(String name) {
        key(name);
        out.append('{');
        depth++;
        return this;
    }

    /** Closes the innermost open object: a nested one, or the line's own. @return this. */
    public JsonLine end() {
        if (depth == 0) {
            throw new IllegalStateException("every object is closed");
        }
        out.append('}');
        depth--;
        return this;
    }

    /** @return what the builder holds: the line, once {@link #end()} closed it. */
    @Override
    public String toString() {
        return out.toString();
    }

    private void key(String name) {
        if (depth == 0) {
            throw new IllegalStateException("every object is closed");
        }
        if (out.charAt(out.length() - 1) != '{') {
            out.append(',');
        }
        appendString(out, name);
        out.append(':');
    }

    /**
     * @param out   where to append.
     * @param value any text; appended as a JSON string, quotes included.
     */
    public static void appendString(StringBuilder out, CharSequence value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
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
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >>> 12]).append(HEX[(c >>> 8) & 0xf])
                                .append(HEX[(c >>> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
