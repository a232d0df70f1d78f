package dev.udpecho.testing;

import dev.udpecho.net.Transport;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Plain JDK datagram sockets on loopback, independent of the code under test, and the transports × address
 * families every network test runs over.
 */
public final class Loopback {
    public static final List<String> ADDRESSES = List.of("127.0.0.1", "::1");

    private Loopback() {
    }

    /** @return every available transport with each loopback address. */
    public static Stream<Arguments> transportsAndAddresses() {
        return Arrays.stream(Transport.values()).filter(Transport::isAvailable)
                .flatMap(t -> ADDRESSES.stream().map(a -> Arguments.of(t, a)));
    }

    /** @return every available transport. */
    public static Stream<Transport> transports() {
        return Arrays.stream(Transport.values()).filter(Transport::isAvailable);
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** @return a socket bound to port 0 of {@code loopback}, with a receive timeout. */
    public static DatagramSocket socket(String loopback, int timeoutMillis) {
        try {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(address(loopback), 0));
            s.setSoTimeout(timeoutMillis);
            s.setReceiveBufferSize(1 << 20);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void send(DatagramSocket s, byte[] payload, InetSocketAddress to) {
        try {
            s.send(new DatagramPacket(payload, payload.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the next datagram's payload, or {@code null} after the socket's timeout. */
    public static byte[] receive(DatagramSocket s) {
        return receiveFrom(s, null);
    }

    /** @return the next datagram's payload, or {@code null} after the socket's timeout; its sender in {@code from[0]}. */
    public static byte[] receiveFrom(DatagramSocket s, InetSocketAddress[] from) {
        byte[] buffer = new byte[65_536];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (from != null) {
            from[0] = (InetSocketAddress) p.getSocketAddress();
        }
        return Arrays.copyOf(buffer, p.getLength());
    }

    /** @return prefix followed by payload. */
    public static byte[] concat(byte[] prefix, byte[] payload) {
        byte[] r = Arrays.copyOf(prefix, prefix.length + payload.length);
        System.arraycopy(payload, 0, r, prefix.length, payload.length);
        return r;
    }
}
