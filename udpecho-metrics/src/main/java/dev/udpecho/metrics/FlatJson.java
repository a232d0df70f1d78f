package dev.udpecho.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the one JSON shape the proxy's HTTP API takes: a flat object whose values are strings,
 * numbers, booleans or null ({@code {"up-loss": "5%", "down-delay": "200ms", "blackhole": "up"}}). Values come
 * back as the text a person would give the option ({@code 0.05}, {@code true}); null leaves an option out.
 *
 * <p>Stateless.
 */
final class FlatJson {
    private final String text;
    private int at;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * @param text the body.
     * @return its fields, in order.
     * @throws IllegalArgumentException saying where it is not such an object.
     */
    static Map<String, String> parse(String text) {
        FlatJson p = new FlatJson(text);
        Map<String, String> fields = new LinkedHashMap<>();
        p.expect('{');
        if (!p.take('}')) {
            do {
                String name = p.string();
                p.expect(':');
                String value = p.value();
                if (fields.containsKey(name)) {
                    throw new IllegalArgumentException("field \"" + name + "\" given twice");
                }
                if (value != null) {
                    fields.put(name, value);
                }
            } while (p.take(','));
            p.expect('}');
        }
        p.space();
        if (p.at != text.length()) {
            throw p.error("nothing after the object");
        }
        return fields;
    }

    /** @param fields names and values, all written as strings. @return the object, on one line. */
    static String write(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (out.length() > 1) {
                out.append(", ");
            }
            dev.udpecho.text.JsonLine.appendString(out, e.getKey());
            out.append(": ");
            dev.udpecho.text.JsonLine.appendString(out, e.getValue());
        }
        return out.append("}\n").toString();
    }

    private String value() {
        space();
        if (at >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(at);
        if (c == '"') {
            return string();
        }
        int start = at;
        while (at < text.length() && "+-.eE0123456789abcdefghijklmnopqrstuvwxyz".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String word = text.substring(start, at);
        if (word.equals("null")) {
            return null;
        }
        if (word.equals("true") || word.equals("false") || word.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) {
            return word;
        }
        at = start;
        throw error("a string, number, boolean or null (objects and arrays are not taken)");
    }

    private String string() {
        space();
        if (!take('"')) {
            throw error("a string");
        }
        StringBuilder s = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return s.toString();
            }
            if (c == '\\') {
                if (at >= text.length()) {
                    break;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> s.append(e);
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("four hex digits");
                        }
                        try {
                            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("four hex digits");
                        }
                        at += 4;
                    }
                    default -> throw error("an escape");
                }
            } else if (c < 0x20) {
                throw error("no control character in a string");
            } else {
                s.append(c);
            }
        }
        throw error("the end of the string");
    }

    private void expect(char c) {
        if (!take(c)) {
            throw error("'" + c + "'");
        }
    }

    private boolean take(char c) {
        space();
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("not a flat JSON object: expected " + expected + " at character "
                + (at + 1));
    }
}
