import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A consumer's own UDP client: a request, a reply that must match it, and retries when none comes. The consumer
 * test also builds it with a single attempt, to see the README example fail.
 */
public class MyClient implements AutoCloseable {
    private static final int ATTEMPTS = @ATTEMPTS@;
    private final DatagramSocket socket;

    public MyClient(InetSocketAddress server) throws IOException {
        socket = new DatagramSocket();
        socket.connect(server);
        socket.setSoTimeout(100);
    }

    public String call(String request) throws IOException {
        byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[2048];
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            socket.send(new DatagramPacket(bytes, bytes.length));
            try {
                while (true) {
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    socket.receive(reply);
                    String text = new String(buffer, 0, reply.getLength(), StandardCharsets.UTF_8);
                    if (text.equals(request)) {
                        return text;
                    }
                    // a reply to an earlier attempt of another call: not this one's
                }
            } catch (SocketTimeoutException lost) {
                // try again
            }
        }
        throw new SocketTimeoutException("no reply to '" + request + "' after " + ATTEMPTS + " attempts");
    }

    @Override
    public void close() {
        socket.close();
    }
}
