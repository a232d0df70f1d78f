package dev.udpecho.bench;

/**
 * The measured part of a run, in {@link System#nanoTime()}.
 *
 * @param from  when measuring started (the warmup ended).
 * @param until when sending stopped.
 */
record Span(long from, long until) {
    /** @return its length in seconds. */
    double seconds() {
        return (until - from) / 1e9;
    }
}
