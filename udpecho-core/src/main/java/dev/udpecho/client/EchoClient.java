package dev.udpecho.client;

import dev.udpecho.net.Addresses;
import dev.udpecho.net.DatagramLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends requests to an echo server and matches each reply to its request, with a timeout and retries.
 *
 * <p>A reply is taken only if it is the server's prefix followed by exactly the request's bytes. The prefix is
 * given in {@link ClientConfig#expectedPrefix()} or learnt from the first reply. A second copy of a reply, or
 * the reply to a request already given up, is never taken as the reply to another request: it is counted
 * ({@link #stats()}) and reported to the {@link Listener}. Where such a datagram could not be told apart from the
 * reply to a new request (the same bytes sent again while the earlier ones may still be answered), the new
 * request goes out from a fresh socket, so its source port tells the replies apart.
 *
 * <p>Thread-safe: {@link #request} may be called from any thread. All I/O and all state live on one event loop;
 * the returned futures complete on it, so dependent stages must not block.
 *
 * <pre>{@code
 * try (EchoClient client = EchoClient.open(ClientConfig.of(new InetSocketAddress("localhost", 8888)))) {
 *     byte[] reply = client.request("hello".getBytes(UTF_8)).join(); // "OK...hello"
 * }
 * }</pre>
 */
public final class EchoClient implements AutoCloseable {
    /**
     * Hears what the client does besides answering requests. Called on the client's event loop; must not block.
     */
    public interface Listener {
        /** @param request what is sent again. @param attempt which try this is, from 2. */
        default void onRetry(byte[] request, int attempt) {
        }

        /** @param kind why it was not taken. @param datagram what arrived. */
        default void onStray(StrayReply kind, byte[] datagram) {
        }

        /** @param cause a socket error, such as a port unreachable report. */
        default void onError(Throwable cause) {
        }
    }

    private enum State { PENDING, ANSWERED, ABANDONED }

    /** Keeps at most this many earlier sockets open to hear late and duplicate replies. */
    private static final int MAX_DRAINING = 32;
    /** The shortest time a request is remembered after it ends. */
    private static final long MIN_LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final ClientConfig config;
    private final Listener listener;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long lingerNanos;
    private final ArrayDeque<Line> draining = new ArrayDeque<>();
    private byte[] prefix;
    private Line current;
    private volatile boolean closed;

    private volatile long requests;
    private final ClientChannels channels;
    private volatile long sent;
    private volatile long replies;
    private volatile long noReply;
    private volatile long duplicates;
    private volatile long late;
    private volatile long unexpected;
    private volatile long errors;

    private EchoClient(ClientConfig config, Listener listener) {
        this.config = config;
        this.listener = listener;
        this.prefix = config.expectedPrefix();
        this.channels = new ClientChannels(config.transport());
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("udpecho-client", true),
                channels.ioHandlerFactory());
        this.loop = group.next();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> channels.newChannel(config.server().getAddress()))
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(DatagramLimits.RECEIVE_BUFFER_SIZE));
        this.lingerNanos = Math.max(MIN_LINGER_NANOS, 2 * config.timeout().toNanos() * config.tries());
    }

    /**
     * @param config where to send and how long to wait.
     * @return a client; its first socket opens with the first request.
     */
    public static EchoClient open(ClientConfig config) {
        return open(config, new Listener() {
        });
    }

    /**
     * @param config   where to send and how long to wait.
     * @param listener hears retries, stray datagrams and errors.
     * @return a client; its first socket opens with the first request.
     */
    public static EchoClient open(ClientConfig config, Listener listener) {
        return new EchoClient(Objects.requireNonNull(config, "config"), Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Sends {@code payload} as one datagram, again after each timeout up to {@link ClientConfig#tries()} times.
     *
     * @param payload the datagram's bytes; copied.
     * @return completes with the whole reply (prefix and payload), or with a {@link NoReplyException} after the
     * last try's timeout.
     */
    public CompletableFuture<byte[]> request(byte[] payload) {
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (closed) {
            future.completeExceptionally(new IOException("client is closed"));
            return future;
        }
        Exchange exchange = new Exchange(payload.clone(), future);
        loop.execute(() -> start(exchange));
        return future;
    }

    /** @return the counts so far. */
    public ClientStats stats() {
        return new ClientStats(requests, sent, replies, noReply, duplicates, late, unexpected, errors);
    }

    /** Fails what is pending and closes every socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.execute(() -> {
            List<Line> lines = new ArrayList<>(draining);
            if (current != null) {
                lines.add(current);
            }
            for (Line line : lines) {
                for (Exchange e : line.exchanges) {
                    if (e.state == State.PENDING) {
                        e.cancelTimer();
                        e.future.completeExceptionally(new IOException("client is closed"));
                    }
                }
                line.channel.close();
            }
        });
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }

    private void start(Exchange exchange) {
        if (closed) {
            exchange.future.completeExceptionally(new IOException("client is closed"));
            return;
        }
        long now = System.nanoTime();
        forgetExpired(now);
        if (current == null || current.couldConfuse(exchange.request)) {
            if (current != null) {
                draining.addLast(current);
                closeSurplusLines();
            }
            current = new Line();
        }
        current.add(exchange);
        requests++;
        send(exchange);
    }

    private void send(Exchange e) {
        e.tries++;
        sent++;
        if (e.tries > 1) {
            listener.onRetry(e.request.clone(), e.tries);
        }
        e.line.ready.addListener(ready -> {
            if (!ready.isSuccess()) {
                onError(ready.cause());
            } else if (e.state == State.PENDING) {
                write(e.line.channel, e.request);
            }
        });
        e.timer = loop.schedule(() -> onTimeout(e), config.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void write(Channel channel, byte[] request) {
        if (request.length == 0) {
            try {
                channels.sendEmpty(channel, config.server());
            } catch (IOException ex) {
                onError(ex);
            }
            return;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(request), config.server())).addListener(written -> {
            if (!written.isSuccess()) {
                onError(written.cause());
            }
        });
    }

    private void onTimeout(Exchange e) {
        if (e.state != State.PENDING) {
            return;
        }
        if (e.tries < config.tries()) {
            send(e);
            return;
        }
        e.end(State.ABANDONED, System.nanoTime() + lingerNanos);
        noReply++;
        e.future.completeExceptionally(new NoReplyException(config.serverName(), e.tries));
    }

    private void onDatagram(Line line, byte[] datagram) {
        Exchange e = line.answeredBy(datagram);
        if (e == null) {
            unexpected++;
            listener.onStray(StrayReply.UNEXPECTED, datagram);
            return;
        }
        switch (e.state) {
            case PENDING:
                if (prefix == null) {
                    prefix = Arrays.copyOf(datagram, datagram.length - e.request.length);
                }
                e.end(State.ANSWERED, System.nanoTime() + lingerNanos);
                replies++;
                e.future.complete(datagram);
                break;
            case ANSWERED:
                duplicates++;
                listener.onStray(StrayReply.DUPLICATE, datagram);
                break;
            default:
                late++;
                listener.onStray(StrayReply.LATE, datagram);
        }
    }

    private void onError(Throwable cause) {
        errors++;
        listener.onError(cause);
    }

    private void forgetExpired(long now) {
        if (current != null) {
            current.forgetExpired(now);
        }
        for (Iterator<Line> it = draining.iterator(); it.hasNext(); ) {
            Line line = it.next();
            line.forgetExpired(now);
            if (line.exchanges.isEmpty()) {
                line.channel.close();
                it.remove();
            }
        }
    }

    private void closeSurplusLines() {
        for (Iterator<Line> it = draining.iterator(); draining.size() > MAX_DRAINING && it.hasNext(); ) {
            Line line = it.next();
            if (!line.hasPending()) {
                line.channel.close();
                it.remove();
            }
        }
    }

    private static final class Exchange {
        final byte[] request;
        final CompletableFuture<byte[]> future;
        State state = State.PENDING;
        int tries;
        long expiresAt;
        Line line;
        ScheduledFuture<?> timer;

        Exchange(byte[] request, CompletableFuture<byte[]> future) {
            this.request = request;
            this.future = future;
        }

        void end(State state, long expiresAt) {
            this.state = state;
            this.expiresAt = expiresAt;
            cancelTimer();
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /** One socket and the requests sent from it that may still be answered. */
    private final class Line extends ChannelInboundHandlerAdapter {
        final List<Exchange> exchanges = new ArrayList<>();
        final Map<ByteBuffer, Exchange> byRequest = new HashMap<>();
        final Channel channel;
        final ChannelFuture ready;

        Line() {
            // Not connected: the JDK cannot send an empty datagram on a connected channel. Replies are
            // filtered by their source instead.
            this.ready = bootstrap.clone().handler(this).bind(anyLocal(config.server().getAddress()), 0);
            this.channel = ready.channel();
        }

        void add(Exchange e) {
            e.line = this;
            exchanges.add(e);
            byRequest.put(ByteBuffer.wrap(e.request), e);
        }

        /**
         * Whether a reply to something sent from here could be taken for the reply to {@code request}: the same
         * bytes are still remembered, or the prefix is not known yet, so that no reply can be told apart.
         */
        boolean couldConfuse(byte[] request) {
            if (prefix == null) {
                return !exchanges.isEmpty();
            }
            return byRequest.containsKey(ByteBuffer.wrap(request));
        }

        /** @return the request this datagram answers, or {@code null}. */
        Exchange answeredBy(byte[] datagram) {
            if (prefix == null) {
                // Only one request is ever remembered on a socket before the prefix is known.
                for (Exchange e : exchanges) {
                    if (endsWith(datagram, e.request)) {
                        return e;
                    }
                }
                return null;
            }
            if (datagram.length < prefix.length || !Arrays.equals(datagram, 0, prefix.length, prefix, 0, prefix.length)) {
                return null;
            }
            return byRequest.get(ByteBuffer.wrap(datagram, prefix.length, datagram.length - prefix.length));
        }

        boolean hasPending() {
            for (Exchange e : exchanges) {
                if (e.state == State.PENDING) {
                    return true;
                }
            }
            return false;
        }

        void forgetExpired(long now) {
            for (Iterator<Exchange> it = exchanges.iterator(); it.hasNext(); ) {
                Exchange e = it.next();
                if (e.state != State.PENDING && now - e.expiresAt > 0) {
                    it.remove();
                    byRequest.remove(ByteBuffer.wrap(e.request));
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof DatagramPacket) {
                    DatagramPacket packet = (DatagramPacket) msg;
                    byte[] datagram = ByteBufUtil.getBytes(packet.content());
                    if (fromServer(packet.sender())) {
                        onDatagram(this, datagram);
                    } else {
                        unexpected++;
                        listener.onStray(StrayReply.UNEXPECTED, datagram);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            onError(cause);
        }
    }

    private boolean fromServer(InetSocketAddress sender) {
        return sender != null && sender.getPort() == config.server().getPort()
                && Addresses.unmap(sender.getAddress()).equals(Addresses.unmap(config.server().getAddress()));
    }

    private static InetAddress anyLocal(InetAddress peer) {
        try {
            return InetAddress.getByAddress(new byte[peer instanceof Inet4Address ? 4 : 16]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean endsWith(byte[] data, byte[] suffix) {
        int from = data.length - suffix.length;
        return from >= 0 && Arrays.equals(data, from, data.length, suffix, 0, suffix.length);
    }
}
