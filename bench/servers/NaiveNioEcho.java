import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * A reference for the benchmarks: the UDP echo server most people would write with the JDK alone. One
 * blocking {@link DatagramChannel} on every interface, receive and send in a loop, buffers allocated once.
 *
 * <p>Run from the source: {@code java bench/servers/NaiveNioEcho.java PORT} (0 picks a free port).
 * Answers each datagram with {@code OK...} followed by its bytes.
 */
public final class NaiveNioEcho {
    private static final byte[] PREFIX = "OK...".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java NaiveNioEcho.java PORT");
            System.exit(2);
        }
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(Integer.parseInt(args[0])));
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            System.out.println("Listening on udp://" + host(local.getAddress()) + ":" + local.getPort());
            ByteBuffer in = ByteBuffer.allocateDirect(65535);
            ByteBuffer out = ByteBuffer.allocateDirect(PREFIX.length + 65535);
            while (true) {
                in.clear();
                SocketAddress sender = channel.receive(in);
                in.flip();
                out.clear();
                out.put(PREFIX).put(in).flip();
                try {
                    channel.send(out, sender);
                } catch (IOException e) {
                    // One peer's error (a reply too big to send): say so and keep serving everyone else.
                    System.err.println("NaiveNioEcho: " + e);
                }
            }
        }
    }

    private static String host(InetAddress address) {
        if (address instanceof Inet6Address) {
            return address.isAnyLocalAddress() ? "[::]" : "[" + address.getHostAddress() + "]";
        }
        return address.getHostAddress();
    }
}
