/*
 * Sends datagrams to a UDP server as fast as it can, or at --rate per second, from --sockets sockets (so from as
 * many source ports, which SO_REUSEPORT spreads over the server's workers), 64 per sendmmsg, in turn. Reads
 * nothing: the replies, if any, overflow its receive buffers. After --warmup + --duration seconds it prints
 * one line on stdout:
 *
 *   sent=N rate_pps=R client_cpu_pct=C
 *
 * For measuring what a flood costs the server (bench/flood.sh), on loopback only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SOCKETS 1024

static int64_t clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static double number(const char *name, const char *text, double min, double max)
{
    char *end;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "flood: invalid --%s '%s' (allowed: %g to %g)\n", name, text, min, max);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "host", required_argument, NULL, 'H' },    { "port", required_argument, NULL, 'p' },
        { "size", required_argument, NULL, 's' },    { "sockets", required_argument, NULL, 'k' },
        { "rate", required_argument, NULL, 'r' },    { "duration", required_argument, NULL, 'd' },
        { "warmup", required_argument, NULL, 'u' },  { 0 },
    };
    const char *host = "127.0.0.1", *port = NULL;
    long size = 64, sockets = 1;
    double rate = 0, duration = 5, warmup = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'H': host = optarg; break;
        case 'p': port = optarg; number("port", optarg, 1, 65535); break;
        case 's': size = (long)number("size", optarg, 0, 65507); break;
        case 'k': sockets = (long)number("sockets", optarg, 1, MAX_SOCKETS); break;
        case 'r': rate = number("rate", optarg, 0, 1e9); break;
        case 'd': duration = number("duration", optarg, 0.1, 3600); break;
        case 'u': warmup = number("warmup", optarg, 0, 3600); break;
        default:
            fprintf(stderr, "usage: flood --port N [--host ADDR] [--size N] [--sockets N] [--rate PPS]"
                            " [--duration S] [--warmup S]\n");
            return 2;
        }
    }
    if (port == NULL) {
        fprintf(stderr, "flood: --port is required\n");
        return 2;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "flood: %s: %s\n", host, gai_strerror(rc));
        return 1;
    }
    static int fds[MAX_SOCKETS];
    for (long i = 0; i < sockets; i++) {
        fds[i] = socket(res->ai_family, SOCK_DGRAM, 0);
        if (fds[i] < 0 || connect(fds[i], res->ai_addr, res->ai_addrlen) < 0) {
            fprintf(stderr, "flood: connect %s port %s: %s\n", host, port, strerror(errno));
            return 1;
        }
        int small = 4096; /* replies are not read: keep what they hold small */
        setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    freeaddrinfo(res);
    char *payload = calloc(1, (size_t)size + 1);
    static struct iovec iov[BATCH];
    static struct mmsghdr msgs[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){ .iov_base = payload, .iov_len = (size_t)size };
        msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
    }
    int64_t start = clock_ns(CLOCK_MONOTONIC);
    int64_t from = start + (int64_t)(warmup * 1e9), until = from + (int64_t)(duration * 1e9);
    int64_t now = start, cpu_from = 0, measured_from = 0;
    uint64_t sent = 0, total = 0;
    int measuring = 0;
    for (long k = 0; now < until; k = (k + 1) % sockets) {
        if (rate > 0) {
            /* Open loop: datagram n is due at start + n / rate. */
            int64_t due = start + (int64_t)((double)total * 1e9 / rate);
            while ((now = clock_ns(CLOCK_MONOTONIC)) < due) {
                int64_t wait = due - now;
                if (wait > 50000) {
                    struct timespec t = { 0, wait - 20000 };
                    nanosleep(&t, NULL);
                }
            }
        }
        int n = sendmmsg(fds[k], msgs, BATCH, 0);
        now = clock_ns(CLOCK_MONOTONIC);
        if (n > 0) {
            total += (uint64_t)n;
            if (measuring) {
                sent += (uint64_t)n;
            }
        }
        if (!measuring && now >= from) {
            measuring = 1;
            measured_from = now;
            cpu_from = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        }
    }
    double seconds = (double)(now - measured_from) / 1e9;
    printf("sent=%llu rate_pps=%.0f client_cpu_pct=%.0f\n", (unsigned long long)sent, (double)sent / seconds,
           100.0 * (double)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_from) / (double)(now - measured_from));
    return 0;
}
