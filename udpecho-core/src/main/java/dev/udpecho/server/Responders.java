package dev.udpecho.server;

import dev.udpecho.impairment.Impairer;
import dev.udpecho.impairment.Impairments;
import dev.udpecho.policy.Destinations;
import dev.udpecho.policy.DropNotices;
import dev.udpecho.policy.ReplyPolicy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes each socket's {@link Responder}, for every engine, with what they share: the configuration, the policy,
 * the log and the destination checks; and keeps the {@link DelayedReplies} it makes for them, with their
 * counters, until {@link #close()}.
 *
 * <p>{@link #make} is called by the thread that sets the engine up; the rest from any thread.
 */
final class Responders implements AutoCloseable {
    private final ServerConfig config;
    private final ReplyPolicy policy;
    private final ServerLog log;
    private final DropNotices dropNotices;
    private final Destinations destinations;
    private final List<DelayedReplies> delayed = new CopyOnWriteArrayList<>();
    private final List<ServerCounters> senderCounters = new CopyOnWriteArrayList<>();

    Responders(ServerConfig config, ReplyPolicy policy, ServerLog log, DropNotices dropNotices,
               Destinations destinations) {
        this.config = config;
        this.policy = policy;
        this.log = log;
        this.dropNotices = dropNotices;
        this.destinations = destinations;
    }

    /**
     * @param socket       the socket's number in its engine: the impairments' random stream.
     * @param counters     the socket's counters.
     * @param sender       how the socket sends replies that waited.
     * @param wildcard     whether the socket is bound to a wildcard address, and so may receive datagrams sent
     *                     to many hosts, which it must report the destination of.
     * @param firstOfGroup whether it is the first socket on its address: it counts what all of them receive.
     * @return the socket's responder.
     */
    Responder make(int socket, ServerCounters counters, DatagramSender sender, boolean wildcard, boolean firstOfGroup) {
        Impairments impairments = config.impairments();
        Impairer impairer = impairments.isOn() ? new Impairer(impairments, socket) : null;
        DelayedReplies waiting = null;
        if (impairments.delays()) {
            ServerCounters own = new ServerCounters();
            waiting = new DelayedReplies(sender, own, log, impairments.maxDelayed(), "udpecho-delay-" + socket);
            delayed.add(waiting);
            senderCounters.add(own);
        }
        return new Responder(config.prefix(), policy, counters, log, dropNotices, impairer, waiting,
                wildcard ? destinations : null, firstOfGroup, answerer(config));
    }

    /** @return what writes a protocol's replies, one per socket, or {@code null} for the echo. */
    static Answerer answerer(ServerConfig config) {
        switch (config.protocol()) {
            case STAMP:
                return new StampReflector(config.stampStateful(), config.stampMaxSessions(),
                        config.stampSessionTimeout().toMillis(), config.clockSynchronised(),
                        config.clockError().toNanos());
            case SOCKPERF:
                return new SockperfAnswerer();
            default:
                return null;
        }
    }

    /** @return the counters of the threads that send replies that waited. */
    List<ServerCounters> senderCounters() {
        return senderCounters;
    }

    /** Stops sending replies that wait; those still waiting are counted as overflowed. */
    @Override
    public void close() {
        for (DelayedReplies d : delayed) {
            d.close();
        }
    }
}
