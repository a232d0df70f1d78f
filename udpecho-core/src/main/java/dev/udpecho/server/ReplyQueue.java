package dev.udpecho.server;

import dev.udpecho.net.PeerAddress;

/**
 * What a transport offers the {@link Responder} for the datagram it is handling: a way to queue replies to it,
 * sent with the transport's next batch, and the local address it was sent to. A transport only moves bytes;
 * what is sent, how often and when is the responder's.
 *
 * <p>Used by one worker thread, during one {@link Responder#onDatagram} call.
 */
interface ReplyQueue {
    /**
     * Queues a reply to the datagram's source: the prefix and then its payload (as the responder left it), cut
     * to {@code length} bytes. May be called twice for one datagram (a duplicate).
     *
     * @param length the reply's size, prefix included: 0 to prefix + payload.
     */
    void reply(int length);

    /**
     * @return the local address the datagram was sent to, when the socket reports it and replies must name it
     *     (a wildcard socket); {@code null} when the socket's own address is the reply's source. Valid during
     *     the call only.
     */
    PeerAddress replyFrom();

    /**
     * @return the TTL (IPv6: hop limit) the datagram arrived with, or −1 where the transport does not report it
     *     (Netty's transports).
     */
    int receivedTtl();

    /**
     * @return the TOS byte (IPv6: traffic class) the datagram arrived with, or −1 where the transport does not
     *     report it (Netty's transports).
     */
    int receivedTos();
}
