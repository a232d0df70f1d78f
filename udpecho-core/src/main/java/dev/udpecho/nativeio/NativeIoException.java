package dev.udpecho.nativeio;

import java.io.IOException;

/**
 * A system call of the native transport failed; the message is the system's ({@code Address already in use}).
 */
public final class NativeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** @param errno the system's error number (positive). */
    public NativeIoException(int errno) {
        super(NativeSocket.errorMessage(errno));
        this.errno = errno;
    }

    /** @return the error number (positive). */
    public int errno() {
        return errno;
    }
}
