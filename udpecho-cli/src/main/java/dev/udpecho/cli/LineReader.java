package dev.udpecho.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads lines as raw bytes, so that what is typed or piped is sent exactly, whatever its encoding.
 * A line ends at {@code \n}, which is not part of it, as with the tutorial's {@code raw_input}.
 */
final class LineReader {
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LineReader(InputStream in) {
        this.in = new BufferedInputStream(in);
    }

    /** @return the next line without its newline, or {@code null} at the end of input. */
    byte[] next() throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return line.toByteArray();
            }
            line.write(b);
        }
        return line.size() > 0 ? line.toByteArray() : null;
    }
}
