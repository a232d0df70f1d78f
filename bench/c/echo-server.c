/*
 * echo-server: the speed reference for udpecho, a plain C UDP echo server.
 *
 * One blocking socket, one thread: receive up to BATCH datagrams with recvmmsg, answer them with one
 * sendmmsg. Each reply is the prefix followed by the datagram's bytes, unchanged, to the address and port
 * it came from. That is as fast as a simple server gets; anything faster needs several sockets or threads,
 * which udpecho's single event loop does not use either.
 *
 *   echo-server [--port N] [--bind ADDR] [--prefix TEXT] [--gro]
 *
 * --gro asks the kernel to hand over datagrams of one flow that arrived together as one buffer (UDP_GRO,
 * Linux 5.0) and answers each datagram in it, the prefix and the datagram's bytes sent from where they were
 * received: what receive-side GRO saves a server (bench/gro.sh; there is no GRO on loopback).
 *
 * Prints "Listening on udp://ADDR:PORT" (the port actually bound) on stdout once ready.
 * SIGINT or SIGTERM stops it with a one-line summary on stderr and exit status 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BATCH 64
/* Largest UDP payload over IPv6 (65527) and IPv4 (65507) both fit; a bigger one cannot exist. */
#define MAX_DATAGRAM 65535
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
/* The kernel coalesces at most 64 datagrams into one (UDP_GRO_CNT_MAX). */
#define MAX_REPLIES (BATCH * 64)

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: echo-server [--port N] [--bind ADDR] [--prefix TEXT] [--gro]\n"
                 "  --port N       UDP port, 0 picks a free one (default 8888)\n"
                 "  --bind ADDR    local address (default [::], IPv4 and IPv6)\n"
                 "  --prefix TEXT  put before every reply; '' is a plain echo (default OK...)\n"
                 "  --gro          receive coalesced datagrams (UDP_GRO) and answer each one\n");
}

/* Binds a UDP socket to addr:port; exits with a message on failure. */
static int bind_socket(const char *addr, const char *port)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
    struct addrinfo *res;
    int rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "echo-server: bad address %s port %s: %s\n", addr, port, gai_strerror(rc));
        exit(2);
    }
    int fd = socket(res->ai_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("echo-server: socket");
        exit(1);
    }
    if (res->ai_family == AF_INET6) {
        /* Dual-stack: [::] also takes IPv4 peers, as udpecho's default socket does. */
        int off = 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
        fprintf(stderr, "echo-server: bind %s port %s: %s\n", addr, port, strerror(errno));
        exit(1);
    }
    freeaddrinfo(res);
    return fd;
}

static void print_listening(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN];
    getsockname(fd, (struct sockaddr *)&ss, &len);
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        printf("Listening on udp://[%s]:%u\n", host, ntohs(a->sin6_port));
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        printf("Listening on udp://%s:%u\n", host, ntohs(a->sin_port));
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *port = "8888", *addr = "::", *prefix = "OK...";
    int gro = 0;
    static const struct option options[] = {
        { "port", required_argument, NULL, 'p' },
        { "bind", required_argument, NULL, 'b' },
        { "prefix", required_argument, NULL, 'x' },
        { "gro", no_argument, NULL, 'g' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "p:b:h", options, NULL)) != -1) {
        switch (opt) {
        case 'p': port = optarg; break;
        case 'b': addr = optarg; break;
        case 'x': prefix = optarg; break;
        case 'g': gro = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    /* getaddrinfo would quietly take 99999 as 34463. */
    char *end;
    errno = 0;
    long port_number = strtol(port, &end, 10);
    if (errno != 0 || end == port || *end != '\0' || port_number < 0 || port_number > 65535) {
        fprintf(stderr, "echo-server: invalid --port '%s' (allowed: 0 to 65535)\n", port);
        return 2;
    }
    size_t plen = strlen(prefix);
    if (plen > MAX_DATAGRAM) {
        fprintf(stderr, "echo-server: invalid --prefix: longer than a datagram (%d bytes)\n", MAX_DATAGRAM);
        return 2;
    }

    int fd = bind_socket(addr, port);

    /* No SA_RESTART, so a signal interrupts a blocked recvmmsg. A signal that lands between the check of
     * 'stopping' and the call is still seen within the receive timeout, which costs nothing under load. */
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct timeval idle = { .tv_sec = 0, .tv_usec = 200000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    int on = 1;
    if (gro && setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof on) < 0) {
        perror("echo-server: --gro: UDP_GRO");
        return 1;
    }

    /* Each slot holds the prefix, written once, followed by room for a whole datagram. Receiving right after
     * the prefix builds the reply in place: no copy per datagram. */
    size_t slot_size = plen + MAX_DATAGRAM;
    char *buffers = malloc(slot_size * BATCH);
    if (buffers == NULL) {
        perror("echo-server: malloc");
        return 1;
    }
    static struct sockaddr_storage peers[BATCH];
    static struct iovec rx_iov[BATCH], tx_iov[BATCH];
    static struct mmsghdr rx[BATCH], tx[BATCH];
    /* --gro: the segment size of each coalesced buffer, and a reply per datagram in it (prefix, bytes). */
    static char control[BATCH][CMSG_SPACE(sizeof(int))];
    static struct iovec split_iov[MAX_REPLIES][2];
    static struct mmsghdr split[MAX_REPLIES];
    for (int i = 0; i < BATCH; i++) {
        char *slot = buffers + (size_t)i * slot_size;
        memcpy(slot, prefix, plen);
        rx_iov[i] = (struct iovec){ .iov_base = slot + plen, .iov_len = MAX_DATAGRAM };
        tx_iov[i] = (struct iovec){ .iov_base = slot };
        rx[i].msg_hdr = (struct msghdr){ .msg_name = &peers[i], .msg_iov = &rx_iov[i], .msg_iovlen = 1 };
        tx[i].msg_hdr = (struct msghdr){ .msg_name = &peers[i], .msg_iov = &tx_iov[i], .msg_iovlen = 1 };
    }

    print_listening(fd);

    uint64_t received = 0, replied = 0, failed = 0, bytes_in = 0, bytes_out = 0, reads = 0;
    while (!stopping) {
        for (int i = 0; i < BATCH; i++) {
            rx[i].msg_hdr.msg_namelen = sizeof peers[i]; /* the kernel overwrites it with the real length */
            if (gro) {
                rx[i].msg_hdr.msg_control = control[i];
                rx[i].msg_hdr.msg_controllen = sizeof control[i];
            }
        }
        /* MSG_WAITFORONE: block for the first datagram, then take only what is already queued. */
        int n = recvmmsg(fd, rx, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                continue;
            }
            /* An ICMP error from an earlier reply surfaces here (ECONNREFUSED ...): it concerns one peer. */
            failed++;
            continue;
        }
        reads += (uint64_t)n;
        struct mmsghdr *out = tx;
        int replies = n;
        if (gro) {
            replies = 0;
            for (int i = 0; i < n; i++) {
                bytes_in += rx[i].msg_len;
                size_t segment = rx[i].msg_len, left = rx[i].msg_len;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&rx[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&rx[i].msg_hdr, c)) {
                    if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
                        int size;
                        memcpy(&size, CMSG_DATA(c), sizeof size);
                        if (size > 0) {
                            segment = (size_t)size;
                        }
                    }
                }
                char *data = rx_iov[i].iov_base;
                do { /* once for an empty datagram */
                    size_t len = left < segment ? left : segment;
                    split_iov[replies][0] = (struct iovec){ .iov_base = (void *)prefix, .iov_len = plen };
                    split_iov[replies][1] = (struct iovec){ .iov_base = data, .iov_len = len };
                    split[replies].msg_hdr = (struct msghdr){ .msg_name = &peers[i],
                        .msg_namelen = rx[i].msg_hdr.msg_namelen, .msg_iov = split_iov[replies], .msg_iovlen = 2 };
                    replies++;
                    received++;
                    data += len;
                    left -= len;
                } while (left > 0 && replies < MAX_REPLIES);
            }
            out = split;
        } else {
            for (int i = 0; i < n; i++) {
                received++;
                bytes_in += rx[i].msg_len;
                tx_iov[i].iov_len = plen + rx[i].msg_len;
                tx[i].msg_hdr.msg_namelen = rx[i].msg_hdr.msg_namelen;
            }
        }
        /* sendmmsg stops at the first failing datagram (a reply too big for the protocol, a peer's ICMP
         * error): count that one as failed and go on with the rest. */
        for (int i = 0; i < replies;) {
            int sent = sendmmsg(fd, out + i, (unsigned)(replies - i), 0);
            if (sent < 0) {
                if (errno == EINTR) {
                    continue;
                }
                failed++;
                i++;
                continue;
            }
            for (int j = i; j < i + sent; j++) {
                bytes_out += out[j].msg_len;
            }
            replied += (uint64_t)sent;
            i += sent;
        }
    }

    fprintf(stderr, "Summary: received %llu in %llu reads, replied %llu, failed %llu, bytes in %llu, bytes out %llu\n",
            (unsigned long long)received, (unsigned long long)reads, (unsigned long long)replied,
            (unsigned long long)failed, (unsigned long long)bytes_in, (unsigned long long)bytes_out);
    free(buffers);
    close(fd);
    return 0;
}
