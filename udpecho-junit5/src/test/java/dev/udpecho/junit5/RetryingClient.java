package dev.udpecho.junit5;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small UDP client of the kind people test with udpecho: it sends a request, waits, and tries again, and it
 * takes only the reply that matches its request. The example under test in {@link RetryingClientTest}.
 */
final class RetryingClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final int tries;
    private int sent;

    RetryingClient(InetSocketAddress server, int timeoutMillis, int tries) throws IOException {
        this.socket = new DatagramSocket();
        this.socket.setSoTimeout(timeoutMillis);
        this.server = server;
        this.tries = tries;
    }

    /** @return the echo of {@code text}, or {@code null} after every try went unanswered. */
    String call(String text) throws IOException {
        byte[] request = text.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[2048];
        for (int attempt = 0; attempt < tries; attempt++) {
            socket.send(new DatagramPacket(request, request.length, server));
            sent++;
            try {
                while (true) {
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    socket.receive(reply);
                    byte[] bytes = Arrays.copyOf(buffer, reply.getLength());
                    if (Arrays.equals(bytes, request)) {
                        return text;
                    }
                    // a duplicate or a late answer to an earlier request: keep waiting
                }
            } catch (SocketTimeoutException e) {
                // try again
            }
        }
        return null;
    }

    /** @return datagrams sent so far, retries included. */
    int sent() {
        return sent;
    }

    @Override
    public void close() {
        socket.close();
    }
}
