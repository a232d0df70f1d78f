/*
 * echo-client: the fixed load client for comparing echo servers.
 *
 * Keeps --window datagrams in flight: each matched reply frees its slot and the slot's next datagram goes
 * out, all replies of one recvmmsg answered with one sendmmsg. A datagram with no reply after --timeout is
 * counted lost and its slot sent again, so a lossy server cannot stall the window. After --warmup seconds,
 * counts are taken over --duration seconds and printed as one line of key=value pairs on stdout:
 *
 *   rate_rps=123456 sent=... received=... lost=... stale=... bad=... errors=... bytes_per_s=... ...
 *
 * --mode pingpong is a window of 1 that also reports the round-trip time percentiles in microseconds.
 *
 * --poll asks for replies without sleeping, every POLL_PAUSE_NS (back to back with a window of 1), as udpecho
 * bench does while a window is out: the server then never has to wake the client. By default the client sleeps
 * in recvmmsg until a reply comes.
 *
 * Each datagram starts with a 64-bit sequence number; slot s sends s, s+W, s+2W, ... so a reply's slot is
 * its sequence modulo the window, and a late reply to a datagram already given up (or a duplicate) is
 * recognised as stale instead of matching the slot's current datagram. A reply counts only if it is the
 * prefix followed by exactly the bytes sent; anything else is counted as bad, and its datagram, still
 * unanswered, is lost when its time is up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_WINDOW 4096
#define SEQ_BYTES 8
/* Round trips per second that pingpong can record; loopback round trips take several microseconds. */
#define MAX_ROUND_TRIPS_PER_S 500000
/* The longest a receive waits before the loop looks at timeouts and the clock again. */
#define TICK_US 10000
/* --poll: between two asks for replies, as udpecho bench's ClosedLoop.POLL_PAUSE_NANOS. */
#define POLL_PAUSE_NS 2000

struct options {
    const char *host, *port, *prefix;
    long size, window;
    double duration, warmup, timeout;
    int pingpong, poll;
};

struct slot {
    uint64_t seq;
    int64_t sent_at; /* ns; 0 when the slot is free to send */
    unsigned char *payload;
};

struct counts {
    uint64_t sent, received, lost, stale, bad, errors;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000
           + ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: echo-client --port N [--host ADDR] [--size N] [--window N] [--duration S] [--warmup S]\n"
            "                   [--timeout S] [--prefix TEXT] [--mode throughput|pingpong] [--poll]\n"
            "  --host ADDR   server address (default 127.0.0.1)\n"
            "  --size N      payload bytes per datagram, %d or more (default 64)\n"
            "  --window N    datagrams in flight, 1-%d (default 64; pingpong: 1)\n"
            "  --duration S  seconds measured (default 5), after --warmup S (default 1)\n"
            "  --timeout S   a datagram with no reply after S seconds is lost (default 1)\n"
            "  --prefix TEXT the server's reply prefix (default OK...)\n"
            "  --poll        ask for replies every 2 us instead of sleeping until one comes\n",
            SEQ_BYTES, MAX_WINDOW);
}

static double parse_number(const char *name, const char *text, double min, double max)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(v >= min && v <= max)) {
        fprintf(stderr, "echo-client: invalid --%s '%s' (allowed: %g to %g)\n", name, text, min, max);
        exit(2);
    }
    return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    static const struct option long_options[] = {
        { "host", required_argument, NULL, 'H' },     { "port", required_argument, NULL, 'p' },
        { "size", required_argument, NULL, 's' },     { "window", required_argument, NULL, 'w' },
        { "duration", required_argument, NULL, 'd' }, { "warmup", required_argument, NULL, 'u' },
        { "timeout", required_argument, NULL, 't' },  { "prefix", required_argument, NULL, 'x' },
        { "mode", required_argument, NULL, 'm' },     { "poll", no_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    *o = (struct options){ .host = "127.0.0.1", .prefix = "OK...", .size = 64, .window = -1,
                           .duration = 5, .warmup = 1, .timeout = 1 };
    int opt;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (opt) {
        case 'H': o->host = optarg; break;
        case 'p': o->port = optarg; parse_number("port", optarg, 1, 65535); break;
        case 's': o->size = (long)parse_number("size", optarg, SEQ_BYTES, 65527); break;
        case 'w': o->window = (long)parse_number("window", optarg, 1, MAX_WINDOW); break;
        case 'd': o->duration = parse_number("duration", optarg, 0.1, 3600); break;
        case 'u': o->warmup = parse_number("warmup", optarg, 0, 3600); break;
        case 't': o->timeout = parse_number("timeout", optarg, 0.001, 60); break;
        case 'x': o->prefix = optarg; break;
        case 'm':
            if (strcmp(optarg, "pingpong") != 0 && strcmp(optarg, "throughput") != 0) {
                fprintf(stderr, "echo-client: invalid --mode '%s' (allowed: throughput, pingpong)\n", optarg);
                exit(2);
            }
            o->pingpong = strcmp(optarg, "pingpong") == 0;
            break;
        case 'P': o->poll = 1; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind != argc || o->port == NULL) {
        usage(stderr);
        exit(2);
    }
    if (o->pingpong && o->window > 1) {
        fprintf(stderr, "echo-client: --mode pingpong keeps one datagram in flight; leave out --window\n");
        exit(2);
    }
    if (o->window < 0) {
        o->window = o->pingpong ? 1 : 64;
    }
}

/* A UDP socket connected to the server: replies from anyone else are dropped by the kernel. */
static int connect_socket(const struct options *o, long *max_payload)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res;
    int rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "echo-client: %s: %s\n", o->host, gai_strerror(rc));
        exit(1);
    }
    int fd = socket(res->ai_family, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        fprintf(stderr, "echo-client: connect %s port %s: %s\n", o->host, o->port, strerror(errno));
        exit(1);
    }
    *max_payload = res->ai_family == AF_INET6 ? 65527 : 65507;
    freeaddrinfo(res);
    /* Wake up regularly even with no reply, to notice timeouts and the end of the run. */
    struct timeval tick = { .tv_sec = 0, .tv_usec = TICK_US };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    return fd;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double percentile_us(const uint32_t *sorted, size_t n, double p)
{
    if (n == 0) {
        return 0;
    }
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i] / 1000.0;
}

/* --poll: asks without sleeping until replies come, an error, or a tick (as SO_RCVTIMEO) has passed. */
static int poll_replies(int fd, struct mmsghdr *rx, int64_t pause_ns)
{
    const int64_t from = now_ns();
    for (;;) {
        int n = recvmmsg(fd, rx, BATCH, MSG_DONTWAIT, NULL);
        int64_t now = now_ns();
        if (n > 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) || now - from >= (int64_t)TICK_US * 1000) {
            return n;
        }
        for (const int64_t until = now + pause_ns; now_ns() < until;) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause(); /* what Thread.onSpinWait does there */
#elif defined(__aarch64__)
            __asm__ __volatile__("yield");
#endif
        }
    }
}

int main(int argc, char **argv)
{
    struct options o;
    parse_options(argc, argv, &o);
    long max_payload;
    int fd = connect_socket(&o, &max_payload);
    size_t plen = strlen(o.prefix);
    if ((long)plen + o.size > max_payload) {
        fprintf(stderr, "echo-client: --size %ld plus the %zu-byte prefix exceeds the largest UDP payload (%ld)\n",
                o.size, plen, max_payload);
        return 2;
    }
    size_t size = (size_t)o.size, window = (size_t)o.window, reply_len = plen + size;

    /* Every slot keeps the bytes it last sent, to check the reply against; the filler varies per byte so
     * that a server that reorders or drops bytes is caught. */
    struct slot *slots = calloc(window, sizeof *slots);
    unsigned char *payloads = malloc(window * size);
    /* One byte more than a good reply, so a longer reply shows as longer instead of truncated to fit. */
    unsigned char *rx_bufs = malloc(BATCH * (reply_len + 1));
    size_t max_samples = o.pingpong ? (size_t)(o.duration * MAX_ROUND_TRIPS_PER_S) + 1 : 0;
    uint32_t *rtt = o.pingpong ? malloc(max_samples * sizeof *rtt) : NULL;
    size_t *pending = malloc(window * sizeof *pending); /* free slots waiting to be sent */
    if (slots == NULL || payloads == NULL || rx_bufs == NULL || pending == NULL || (o.pingpong && rtt == NULL)) {
        perror("echo-client: malloc");
        return 1;
    }
    if (rtt != NULL) {
        memset(rtt, 0, max_samples * sizeof *rtt); /* fault the pages in now, not while measuring */
    }
    for (size_t s = 0; s < window; s++) {
        slots[s].seq = s;
        slots[s].payload = payloads + s * size;
        for (size_t i = SEQ_BYTES; i < size; i++) {
            slots[s].payload[i] = (unsigned char)(i * 31 + 7);
        }
    }
    static struct iovec rx_iov[BATCH], tx_iov[BATCH];
    static struct mmsghdr rx[BATCH], tx[BATCH];
    for (int i = 0; i < BATCH; i++) {
        rx_iov[i] = (struct iovec){ .iov_base = rx_bufs + (size_t)i * (reply_len + 1), .iov_len = reply_len + 1 };
        rx[i].msg_hdr = (struct msghdr){ .msg_iov = &rx_iov[i], .msg_iovlen = 1 };
        tx[i].msg_hdr = (struct msghdr){ .msg_iov = &tx_iov[i], .msg_iovlen = 1 };
    }

    size_t npending = 0; /* every slot starts free */
    for (size_t s = 0; s < window; s++) {
        pending[npending++] = s;
    }

    const int64_t timeout_ns = (int64_t)(o.timeout * 1e9);
    const int64_t start = now_ns();
    const int64_t measure_from = start + (int64_t)(o.warmup * 1e9);
    const int64_t measure_until = measure_from + (int64_t)(o.duration * 1e9);
    int64_t now = start, last_scan = start, measured_from = 0, cpu_from = 0;
    int measuring = 0;
    struct counts c = { 0 };
    size_t nsamples = 0, samples_dropped = 0;

    while (now < measure_until) {
        /* Send every free slot's next datagram, in batches. */
        while (npending > 0) {
            size_t n = npending < BATCH ? npending : BATCH;
            for (size_t i = 0; i < n; i++) {
                struct slot *sl = &slots[pending[npending - n + i]];
                memcpy(sl->payload, &sl->seq, SEQ_BYTES);
                tx_iov[i] = (struct iovec){ .iov_base = sl->payload, .iov_len = size };
            }
            /* The round trip starts before the send: on loopback, sendmmsg itself delivers to the server. */
            int64_t sent_at = now_ns();
            int sent = sendmmsg(fd, tx, (unsigned)n, 0);
            if (sent < 0) {
                if (errno == EINTR) {
                    continue;
                }
                /* ECONNREFUSED when nothing listens: these slots time out and go out again. */
                c.errors++;
                sent = (int)n;
            }
            for (int i = 0; i < sent; i++) {
                slots[pending[npending - n + (size_t)i]].sent_at = sent_at;
            }
            /* Slots not sent (a partial sendmmsg) are the last ones of the batch: move them to the end. */
            memmove(&pending[npending - n], &pending[npending - n + (size_t)sent], (n - (size_t)sent) * sizeof *pending);
            npending -= (size_t)sent;
            c.sent += (uint64_t)sent;
        }

        int n = o.poll ? poll_replies(fd, rx, window > 1 ? POLL_PAUSE_NS : 0) : recvmmsg(fd, rx, BATCH, MSG_WAITFORONE, NULL);
        now = now_ns();
        if (!measuring && now >= measure_from) {
            measuring = 1;
            measured_from = now;
            c = (struct counts){ 0 };
            nsamples = samples_dropped = 0;
            cpu_from = cpu_ns();
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            c.errors++;
        }
        for (int i = 0; i < n; i++) {
            const unsigned char *r = rx_iov[i].iov_base;
            uint64_t seq;
            if (rx[i].msg_len != reply_len || memcmp(r, o.prefix, plen) != 0) {
                c.bad++;
                continue;
            }
            memcpy(&seq, r + plen, SEQ_BYTES);
            struct slot *sl = &slots[seq % window];
            if (sl->seq != seq || sl->sent_at == 0) {
                c.stale++;
                continue;
            }
            if (memcmp(r + plen, sl->payload, size) != 0) {
                c.bad++;
                continue;
            }
            if (rtt != NULL) {
                if (nsamples < max_samples) {
                    int64_t d = now - sl->sent_at;
                    rtt[nsamples++] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
                } else {
                    samples_dropped++;
                }
            }
            c.received++;
            sl->seq += window;
            sl->sent_at = 0;
            pending[npending++] = (size_t)(sl - slots);
        }

        /* Give up on datagrams whose reply is overdue; scanning the window every 10 ms is plenty. */
        if (now - last_scan >= 10000000) {
            last_scan = now;
            for (size_t s = 0; s < window; s++) {
                if (slots[s].sent_at != 0 && now - slots[s].sent_at > timeout_ns) {
                    c.lost++;
                    slots[s].seq += window;
                    slots[s].sent_at = 0;
                    pending[npending++] = s;
                }
            }
        }
    }

    double elapsed = (double)(now - measured_from) / 1e9;
    double cpu_pct = 100.0 * (double)(cpu_ns() - cpu_from) / (double)(now - measured_from);
    printf("rate_rps=%.0f sent=%llu received=%llu lost=%llu stale=%llu bad=%llu errors=%llu "
           "bytes_per_s=%.0f client_cpu_pct=%.0f size=%zu window=%zu duration_s=%.3f",
           (double)c.received / elapsed, (unsigned long long)c.sent, (unsigned long long)c.received,
           (unsigned long long)c.lost, (unsigned long long)c.stale, (unsigned long long)c.bad,
           (unsigned long long)c.errors, (double)c.received * (double)size / elapsed, cpu_pct, size, window,
           elapsed);
    if (rtt != NULL) {
        qsort(rtt, nsamples, sizeof *rtt, compare_u32);
        printf(" rtt_min_us=%.1f rtt_p50_us=%.1f rtt_p99_us=%.1f rtt_p999_us=%.1f rtt_max_us=%.1f",
               percentile_us(rtt, nsamples, 0), percentile_us(rtt, nsamples, 0.50),
               percentile_us(rtt, nsamples, 0.99), percentile_us(rtt, nsamples, 0.999),
               percentile_us(rtt, nsamples, 1));
        if (samples_dropped > 0) {
            printf(" rtt_samples_dropped=%zu", samples_dropped);
        }
    }
    printf("\n");
    free(rtt);
    free(pending);
    free(rx_bufs);
    free(payloads);
    free(slots);
    close(fd);
    return c.received > 0 ? 0 : 1;
}
