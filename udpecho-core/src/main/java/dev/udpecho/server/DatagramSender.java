package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;

import java.io.IOException;

/**
 * Sends one datagram outside a worker's batches: how {@link DelayedReplies} sends the replies that waited. Each
 * engine gives one per socket.
 *
 * <p>Called by one thread (the delayed replies' sender), concurrently with the socket's worker.
 */
@FunctionalInterface
interface DatagramSender {
    /**
     * Sends it and returns once the kernel took it.
     *
     * @param datagram the bytes to send, all of them; may be empty.
     * @param to       where to.
     * @param from     the local address to send it from, or {@code null} for the socket's own.
     * @throws IOException if the kernel refused it.
     */
    void send(byte[] datagram, PeerAddress to, PeerAddress from) throws IOException;
}
