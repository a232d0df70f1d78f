package dev.udpecho.client;

/**
 * A snapshot of what a client sent and received.
 *
 * @param requests   requests made.
 * @param sent       datagrams sent, tries included.
 * @param replies    requests that got their reply.
 * @param noReply    requests given up after their last try.
 * @param duplicates extra copies of replies already taken.
 * @param late       replies to requests already given up.
 * @param unexpected datagrams that answer nothing sent.
 * @param errors     socket errors, such as an ICMP port unreachable report.
 */
public record ClientStats(long requests, long sent, long replies, long noReply, long duplicates, long late,
                          long unexpected, long errors) {

    /** @return datagrams received that were not taken as a reply. */
    public long strays() {
        return duplicates + late + unexpected;
    }
}
