package dev.udpecho.server;

import dev.udpecho.nativeio.NativeThreads;
import dev.udpecho.net.PeerAddress;
import dev.udpecho.text.PayloadText;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link ServerLog} that never makes the receive path wait: event loops copy a bounded preview of each
 * payload into a preallocated ring of slots, and one writer thread formats the lines (as text or JSON, see
 * {@link LogFormat}) and writes them as UTF-8.
 * When the ring is full the line is dropped and counted, and the writer says so
 * ({@code ... 12345 messages not shown}).
 *
 * <p>{@link #message} is lock-free and allocates nothing; it may be called from several event loops at once
 * (the ring is a bounded multi-producer queue after D. Vyukov). {@link #notice} may be called from any thread.
 */
public final class AsyncServerLog implements ServerLog {
    /** How much of a payload a log line shows before it is cut. */
    public static final int DEFAULT_PREVIEW_BYTES = 256;
    /** How many lines may wait for the writer. */
    public static final int DEFAULT_CAPACITY = 4096;

    private static final VarHandle SEQUENCE;
    private static final long REPORT_DROPS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    static {
        try {
            SEQUENCE = MethodHandles.lookup().findVarHandle(Slot.class, "sequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class Slot {
        @SuppressWarnings("unused") // accessed through SEQUENCE
        private long sequence;
        private final PeerAddress source = new PeerAddress();
        private boolean isNotice;
        private long millis;
        private final byte[] bytes;
        private int length;
        private boolean complete;
        private int datagramLength;
        private String notice;

        Slot(long sequence, int capacity) {
            this.sequence = sequence;
            this.bytes = new byte[capacity];
        }
    }

    private final Slot[] ring;
    private final int mask;
    private final int previewBytes;
    private final LogFormat format;
    private final boolean timestamps;
    private final boolean messages;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong droppedLines = new AtomicLong();
    private final Writer out;
    private final Thread writer;
    private final StringBuilder line = new StringBuilder(1024);
    private char[] chars = new char[1024];
    private volatile boolean sleeping;
    private volatile boolean closed;
    private long head;
    private long reportedDrops;
    private long lastDropReport;

    /**
     * @param out          where lines go, as UTF-8; flushed whenever the writer has caught up. Not closed.
     * @param messages     whether to show a line per datagram; notices are shown either way.
     * @param capacity     how many lines may wait, rounded up to a power of two.
     * @param previewBytes how much of each payload to show.
     */
    public AsyncServerLog(OutputStream out, boolean messages, int capacity, int previewBytes) {
        this(out, LogFormat.TEXT, messages, capacity, previewBytes);
    }

    /**
     * @param out          where lines go, as UTF-8; flushed whenever the writer has caught up. Not closed.
     * @param format       how lines look.
     * @param messages     whether to show a line per datagram; notices are shown either way.
     * @param capacity     how many lines may wait, rounded up to a power of two.
     * @param previewBytes how much of each payload to show.
     */
    public AsyncServerLog(OutputStream out, LogFormat format, boolean messages, int capacity, int previewBytes) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.ring = new Slot[size];
        for (int i = 0; i < size; i++) {
            // A few bytes beyond the preview show whether the payload goes on, and where a character ends.
            ring[i] = new Slot(i, previewBytes + 4);
        }
        this.mask = size - 1;
        this.previewBytes = previewBytes;
        this.format = format;
        this.timestamps = format.hasTimestamps();
        this.messages = messages;
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        this.writer = new Thread(this::run, "udpecho-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void message(PeerAddress source, ByteBuffer payload) {
        if (!messages) {
            return;
        }
        Slot slot = claim();
        if (slot == null) {
            return;
        }
        int from = payload.position();
        int end = payload.limit();
        int start = from;
        while (start < end && PayloadText.isAsciiWhitespace(payload.get(start))) {
            start++;
        }
        int n = Math.min(end - start, slot.bytes.length);
        payload.get(start, slot.bytes, 0, n);
        source.copyTo(slot.source);
        slot.isNotice = false;
        slot.millis = timestamps ? System.currentTimeMillis() : 0;
        slot.length = n;
        slot.complete = start + n == end;
        slot.datagramLength = end - from;
        publish(slot);
    }

    @Override
    public void notice(String text) {
        Slot slot = claim();
        if (slot == null) {
            return;
        }
        slot.isNotice = true;
        slot.millis = System.currentTimeMillis();
        slot.notice = text;
        publish(slot);
    }

    @Override
    public long dropped() {
        return droppedLines.get();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return a slot this thread now owns, or {@code null} (counted) when the ring is full. */
    private Slot claim() {
        long pos = tail.get();
        while (true) {
            Slot slot = ring[(int) (pos & mask)];
            long diff = (long) SEQUENCE.getAcquire(slot) - pos;
            if (diff == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    return slot;
                }
                pos = tail.get();
            } else if (diff < 0) {
                droppedLines.incrementAndGet();
                return null;
            } else {
                pos = tail.get();
            }
        }
    }

    private void publish(Slot slot) {
        long pos = (long) SEQUENCE.get(slot);
        // A volatile store, so that reading 'sleeping' below cannot be ordered before it (no lost wake-up).
        SEQUENCE.setVolatile(slot, pos + 1);
        if (sleeping) {
            LockSupport.unpark(writer);
        }
    }

    private void run() {
        // Lines are best effort: on a busy CPU the receive path must always come first.
        NativeThreads.lowestPriority();
        try {
            while (true) {
                boolean wrote = drain();
                reportDrops(false);
                if (wrote) {
                    continue;
                }
                out.flush();
                if (closed) {
                    drain();
                    reportDrops(true);
                    out.flush();
                    return;
                }
                sleeping = true;
                if (!hasNext() && !closed) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                }
                sleeping = false;
            }
        } catch (IOException e) {
            // Nowhere left to write to (stdout closed): go on counting, stop writing.
            closed = true;
        }
    }

    private boolean hasNext() {
        Slot slot = ring[(int) (head & mask)];
        return (long) SEQUENCE.getAcquire(slot) == head + 1;
    }

    /** @return whether anything was written. */
    private boolean drain() throws IOException {
        boolean wrote = false;
        for (int batch = 0; batch < 1024 && hasNext(); batch++) {
            Slot slot = ring[(int) (head & mask)];
            line.setLength(0);
            if (slot.isNotice) {
                format.appendNotice(line, slot.millis, slot.notice);
            } else {
                format.appendMessage(line, slot.millis, slot.source, slot.bytes, slot.length, slot.complete,
                        slot.datagramLength, previewBytes);
            }
            slot.notice = null;
            SEQUENCE.setRelease(slot, head + mask + 1);
            head++;
            line.append('\n');
            write(line);
            wrote = true;
        }
        return wrote;
    }

    /** Writes without the String that {@code Writer.append} would make of each line. */
    private void write(StringBuilder text) throws IOException {
        int n = text.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, 2 * chars.length)];
        }
        text.getChars(0, n, chars, 0);
        out.write(chars, 0, n);
    }

    private void reportDrops(boolean now) throws IOException {
        long drops = droppedLines.get();
        long time = System.nanoTime();
        if (drops == reportedDrops || (!now && time - lastDropReport < REPORT_DROPS_EVERY_NANOS)) {
            return;
        }
        line.setLength(0);
        format.appendLinesDropped(line, System.currentTimeMillis(), drops - reportedDrops);
        write(line.append('\n'));
        reportedDrops = drops;
        lastDropReport = time;
    }
}
