package dev.udpecho.server;

import dev.udpecho.impairment.Impairment;
import dev.udpecho.policy.DropReason;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a server's counters, summed over its workers.
 *
 * @param received      datagrams received.
 * @param bytesReceived their payload bytes.
 * @param empty         datagrams with no payload (answered with the bare prefix).
 * @param replied       replies handed to the socket.
 * @param bytesSent     their payload bytes.
 * @param errors        socket errors (refused sends, receive errors); the server went on serving.
 * @param kernelDrops   datagrams the kernel dropped before the server could read them (receive buffer full),
 *                      where the transport reports it.
 * @param dropped       datagrams not answered, by reason; every reason is present.
 * @param impaired      replies impaired on purpose ({@code --loss}, {@code --delay}, ...), by kind; every kind
 *                      is present.
 * @param logDropped    per-datagram log lines not shown because the log could not keep up.
 * @param sizes         the datagrams received, by payload size.
 */
public record ServerStats(long received, long bytesReceived, long empty, long replied, long bytesSent,
                          long errors, long kernelDrops, Map<DropReason, Long> dropped,
                          Map<Impairment, Long> impaired, long logDropped, DatagramSizes sizes) {

    /** Copies the maps into unmodifiable ones with every key. */
    public ServerStats {
        Objects.requireNonNull(sizes, "sizes");
        EnumMap<DropReason, Long> copy = new EnumMap<>(DropReason.class);
        for (DropReason reason : DropReason.values()) {
            copy.put(reason, dropped.getOrDefault(reason, 0L));
        }
        dropped = Collections.unmodifiableMap(copy);
        EnumMap<Impairment, Long> impairedCopy = new EnumMap<>(Impairment.class);
        for (Impairment what : Impairment.values()) {
            impairedCopy.put(what, impaired.getOrDefault(what, 0L));
        }
        impaired = Collections.unmodifiableMap(impairedCopy);
    }

    /**
     * @param what a kind of impairment.
     * @return how many replies it was done to.
     */
    public long impaired(Impairment what) {
        return impaired.get(what);
    }

    /** @return datagrams not answered, for any reason. */
    public long droppedTotal() {
        long total = 0;
        for (long n : dropped.values()) {
            total += n;
        }
        return total;
    }

    /**
     * @param reason a drop reason.
     * @return how many datagrams were dropped for it.
     */
    public long dropped(DropReason reason) {
        return dropped.get(reason);
    }

    static ServerStats sum(List<ServerCounters> workers, long kernelDrops, long logDropped) {
        long[] totals = new long[ServerCounters.ERRORS + 1];
        EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, 0L);
        }
        EnumMap<Impairment, Long> impaired = new EnumMap<>(Impairment.class);
        for (Impairment what : Impairment.values()) {
            impaired.put(what, 0L);
        }
        long[] sizes = new long[DatagramSizes.BUCKETS];
        for (ServerCounters c : workers) {
            for (Impairment what : Impairment.values()) {
                impaired.merge(what, c.impaired(what), Long::sum);
            }
            for (int i = 0; i < totals.length; i++) {
                totals[i] += c.get(i);
            }
            for (int b = 0; b < sizes.length; b++) {
                sizes[b] += c.sized(b);
            }
            for (DropReason reason : DropReason.values()) {
                dropped.merge(reason, c.dropped(reason), Long::sum);
            }
        }
        return new ServerStats(totals[ServerCounters.RECEIVED], totals[ServerCounters.BYTES_RECEIVED],
                totals[ServerCounters.EMPTY], totals[ServerCounters.REPLIED], totals[ServerCounters.BYTES_SENT],
                totals[ServerCounters.ERRORS], kernelDrops, dropped, impaired, logDropped,
                new DatagramSizes(sizes));
    }
}
