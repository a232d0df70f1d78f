/*
 * udpecho's native datagram I/O for Linux: batched receive and send (recvmmsg/sendmmsg) over a ring of
 * slots that Java shares as direct buffers. A batch of datagrams costs two system calls and no allocation;
 * the kernel writes each datagram behind the reply prefix already in its slot, so a reply is sent from where
 * the request arrived, without a copy.
 *
 * The Java side is dev.udpecho.nativeio.DatagramRing / NativeSocket. The record layouts below are shared
 * with DatagramRing.java and must change together.
 *
 * Every function returns -errno on failure, never throws; Java turns errors into exceptions or counters. Java
 * checks every argument first, with a message that names it; the checks here are the last line (a bad slot or
 * length would otherwise read or write outside the ring), and report -EINVAL, -EBADF or -EAFNOSUPPORT. Where a
 * JNI call left a Java exception pending, the function returns at once and Java throws that exception.
 */
#define _GNU_SOURCE
#include <jni.h>
#include "dev_udpecho_nativeio_DatagramRing.h"
#include "dev_udpecho_nativeio_NativeSocket.h"
#include "dev_udpecho_nativeio_NativeThreads.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* One record per received datagram, written here after recvmmsg, read by Java. */
#define D_LENGTH 0       /* int: payload bytes */
#define D_FLAGS 4        /* int: F_* below */
#define D_PORT 8         /* int: source port */
#define D_SCOPE 12       /* int: source IPv6 scope id */
#define D_FAMILY 16      /* int: 4 or 6; IPv4-mapped IPv6 sources are given as 4 */
#define D_LOCAL_FAMILY 20 /* int: 4 or 6: family of the destination address, if F_LOCAL */
#define D_IFINDEX 24     /* int: interface the datagram arrived on, if F_LOCAL */
#define D_TTL 28         /* byte: the datagram's IPv4 TTL or IPv6 hop limit, if F_TTL */
#define D_TOS 29         /* byte: the datagram's IPv4 TOS or IPv6 traffic class (DSCP and ECN), if F_TOS */
#define D_SOURCE 32      /* 16 bytes: source address (4 used for IPv4) */
#define D_LOCAL 48       /* 16 bytes: destination address the datagram was sent to (4 used for IPv4) */
#define D_RECEIVED 64    /* long: when the kernel received the datagram, in CLOCK_MONOTONIC ns, if F_RECEIVED */
#define D_SEGMENT 72     /* int: size of each of the datagrams the kernel merged into this one, if F_MERGED */
#define D_SIZE 80

#define F_TRUNCATED 1
#define F_LOCAL 2
#define F_TTL 4
#define F_TOS 8
#define F_RECEIVED 16
#define F_MERGED 32

/*
 * One record per reply, written by Java before send: int slot, int length, int offset. Offset 0: the first
 * `length` bytes of the slot. Otherwise a datagram merged into the slot by receive-side GRO: the prefix, then
 * the slot's payload from `offset`, `length` bytes in all.
 */
#define S_SIZE 12

/* Room for the control messages of a reply (source, segment size). */
#define CONTROL_SIZE 128
/* Room for those of a received datagram: packet info, TTL, TOS, the receive time and a GRO segment size. */
#define IN_CONTROL_SIZE 192

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
/* SO_MEMINFO's layout (linux/sock_diag.h, which musl's headers lack); the same on x86_64 and aarch64. */
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#define SK_MEMINFO_DROPS 8
#define SK_MEMINFO_VARS 9
/* Most segments per UDP_SEGMENT send: the kernel's UDP_MAX_SEGMENTS before Linux 6.2 (128 since). */
#define MAX_SEGMENTS 64
/* Most bytes per UDP_SEGMENT send: what one IPv4 datagram carries. */
#define MAX_SEGMENTED_BYTES 65507

/* Most datagrams per recvmmsg/sendmmsg call (the kernel's UIO_MAXIOV); must match DatagramRing.MAX_CAPACITY. */
#define MAX_CAPACITY 1024
/* Largest slot: a prefix and a datagram of up to 64 KiB each; must match DatagramRing. */
#define MAX_SLOT_SIZE (2 * 65536 + 64)

union peer {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
};

struct ring {
    int capacity;
    int ipv6;                  /* the socket's family */
    int reply_from_destination; /* send each reply from the address its request was sent to */
    size_t slot_size;
    size_t prefix_length;
    char *data;
    char *descriptors;
    char *send_list;
    struct mmsghdr *in;
    struct iovec *in_iov;
    union peer *peer;
    char *in_control;
    struct mmsghdr *out;
    /* Two per reply: the slot from its start, and for a merged datagram its own bytes after the prefix. */
    struct iovec *out_iov;
    char *out_control;
    /* Runs of replies to one peer, one segmented send each (UDP_SEGMENT), and where each run starts in out;
       a run's iovecs are its replies' pieces, the empty ones left out. */
    struct mmsghdr *runs;
    struct iovec *run_iov;
    int *run_first;
    int *run_count;
    char *run_control;
    /* Replies of this length or longer are not segmented: a send of that size was refused (a path MTU). */
    int segment_limit;
};

static void put_int(char *record, int offset, int value) {
    memcpy(record + offset, &value, sizeof value);
}

static int get_int(const char *record, int offset) {
    int value;
    memcpy(&value, record + offset, sizeof value);
    return value;
}

static jint fail(void) {
    return -errno;
}

/* ---- sockets ---- */

JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_open0(JNIEnv *env, jclass cls, jboolean ipv6) {
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return fd < 0 ? fail() : fd;
}

/*
 * Copies `length` (4 or 16) address bytes from a Java array. Returns 0, or -EINVAL if the array is missing or
 * shorter, or if reading it left a Java exception pending (which Java then throws).
 */
static int get_address_bytes(JNIEnv *env, jbyteArray address, int length, void *out) {
    if (address == NULL || (*env)->GetArrayLength(env, address) < length) {
        return -EINVAL;
    }
    (*env)->GetByteArrayRegion(env, address, 0, length, (jbyte *) out);
    return (*env)->ExceptionCheck(env) ? -EINVAL : 0;
}

/*
 * Fills `out` with a socket address for a socket of the given family; `*length` gets its size. Returns 0 or
 * -errno: an address that is not 4 or 16 bytes, an IPv6 one for an IPv4 socket, or a port out of range.
 */
static int to_sockaddr(JNIEnv *env, jbyteArray address, jint scope, jint port, jboolean ipv6, union peer *out,
        socklen_t *length) {
    memset(out, 0, sizeof *out);
    if (address == NULL || port < 0 || port > 65535) {
        return -EINVAL;
    }
    jsize bytes = (*env)->GetArrayLength(env, address);
    if (bytes != 4 && bytes != 16) {
        return -EINVAL;
    }
    if (ipv6) {
        out->v6.sin6_family = AF_INET6;
        out->v6.sin6_port = htons((uint16_t) port);
        out->v6.sin6_scope_id = (uint32_t) scope;
        *length = sizeof out->v6;
        if (bytes == 4) { /* an IPv4 address on a dual-stack socket: IPv4-mapped */
            out->v6.sin6_addr.s6_addr[10] = 0xff;
            out->v6.sin6_addr.s6_addr[11] = 0xff;
            return get_address_bytes(env, address, 4, &out->v6.sin6_addr.s6_addr[12]);
        }
        return get_address_bytes(env, address, 16, out->v6.sin6_addr.s6_addr);
    }
    if (bytes != 4) {
        return -EAFNOSUPPORT;
    }
    out->v4.sin_family = AF_INET;
    out->v4.sin_port = htons((uint16_t) port);
    *length = sizeof out->v4;
    return get_address_bytes(env, address, 4, &out->v4.sin_addr.s_addr);
}

JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_bind0(JNIEnv *env, jclass cls, jint fd,
        jboolean ipv6, jbyteArray address, jint scope, jint port) {
    union peer local;
    socklen_t length = 0;
    int status = fd < 0 ? -EBADF : to_sockaddr(env, address, scope, port, ipv6, &local, &length);
    if (status < 0) {
        return status;
    }
    return bind(fd, (struct sockaddr *) &local, length) < 0 ? fail() : 0;
}

JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_connect0(JNIEnv *env, jclass cls, jint fd,
        jboolean ipv6, jbyteArray address, jint scope, jint port) {
    union peer remote;
    socklen_t length = 0;
    int status = fd < 0 ? -EBADF : to_sockaddr(env, address, scope, port, ipv6, &remote, &length);
    if (status < 0) {
        return status;
    }
    return connect(fd, (struct sockaddr *) &remote, length) < 0 ? fail() : 0;
}

/*
 * Writes the control message that sends a datagram from the local address `local` (4 or 16 bytes, as
 * `family` says) into `control`; returns its length. IPv4 sources use IP_PKTINFO even on a dual-stack IPv6
 * socket (the kernel takes it there for IPv4-mapped destinations): its 32 bytes fit the buffer the kernel
 * keeps on its stack, where IPV6_PKTINFO's 40 would cost an allocation per datagram sent. `ifindex` only
 * counts for a link-local IPv6 source, which means something only on its own link.
 */
static socklen_t put_source(char *control, int family, const void *local, int ifindex) {
    memset(control, 0, CMSG_SPACE(sizeof(struct in6_pktinfo)));
    struct cmsghdr *c = (struct cmsghdr *) control;
    if (family == 4) {
        struct in_pktinfo info;
        memset(&info, 0, sizeof info);
        memcpy(&info.ipi_spec_dst, local, 4);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof info);
        memcpy(CMSG_DATA(c), &info, sizeof info);
        return CMSG_SPACE(sizeof info);
    }
    struct in6_pktinfo info;
    memset(&info, 0, sizeof info);
    memcpy(&info.ipi6_addr, local, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) {
        info.ipi6_ifindex = (unsigned int) ifindex;
    }
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    memcpy(CMSG_DATA(c), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

/*
 * Sends one datagram from a direct buffer to an address, from a given local address if `local_length` is not 0
 * (packet info, as replies from the ring do). For replies that leave the ring: delayed or held back.
 */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_sendTo0(JNIEnv *env, jclass cls, jint fd,
        jboolean ipv6, jobject data, jint length, jbyteArray address, jint port, jint scope,
        jbyteArray local, jint local_length) {
    if (fd < 0) {
        return -EBADF;
    }
    void *base = data == NULL ? NULL : (*env)->GetDirectBufferAddress(env, data);
    if (base == NULL || length < 0 || (jlong) length > (*env)->GetDirectBufferCapacity(env, data)) {
        return -EINVAL;
    }
    union peer to;
    socklen_t to_length = 0;
    int status = to_sockaddr(env, address, scope, port, ipv6, &to, &to_length);
    if (status < 0) {
        return status;
    }
    struct iovec iov = { .iov_base = base, .iov_len = (size_t) length };
    struct msghdr h = { .msg_name = &to, .msg_namelen = to_length, .msg_iov = &iov, .msg_iovlen = 1 };
    char control[CONTROL_SIZE];
    if (local_length != 0) {
        char address_bytes[16];
        if (local_length != 4 && local_length != 16) {
            return -EINVAL;
        }
        if (local_length == 16 && !ipv6) {
            return -EAFNOSUPPORT;
        }
        status = get_address_bytes(env, local, local_length, address_bytes);
        if (status < 0) {
            return status;
        }
        h.msg_control = control;
        h.msg_controllen = put_source(control, local_length == 4 ? 4 : 6, address_bytes, 0);
    }
    ssize_t n;
    do {
        n = sendmsg(fd, &h, 0);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? fail() : (jint) n;
}

JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_localPort0(JNIEnv *env, jclass cls, jint fd) {
    if (fd < 0) {
        return -EBADF;
    }
    union peer local;
    socklen_t length = sizeof local;
    if (getsockname(fd, (struct sockaddr *) &local, &length) < 0) {
        return fail();
    }
    return ntohs(local.v4.sin_family == AF_INET ? local.v4.sin_port : local.v6.sin6_port);
}

/* Socket options by meaning; must match NativeSocket.java. */
#define O_REUSE_PORT 1
#define O_V6_ONLY 2
#define O_PACKET_INFO 3
#define O_RECEIVE_BUFFER 5
#define O_SEND_BUFFER 6
#define O_RECEIVE_TIMEOUT_MS 7
#define O_SEND_TIMEOUT_MS 8
#define O_SEGMENTATION 9
#define O_HOP_INFO 10
#define O_RECEIVE_TIMES 11
#define O_GRO 12

static jint set_int(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value) < 0 ? fail() : 0;
}

static jint get_int_option(int fd, int level, int name) {
    int value;
    socklen_t length = sizeof value;
    return getsockopt(fd, level, name, &value, &length) < 0 ? fail() : value;
}

static jint set_timeout(int fd, int name, int millis) {
    if (millis < 0) {
        return -EINVAL;
    }
    struct timeval tv = { .tv_sec = millis / 1000, .tv_usec = (millis % 1000) * 1000 };
    return setsockopt(fd, SOL_SOCKET, name, &tv, sizeof tv) < 0 ? fail() : 0;
}

/* Sets an option; for buffers, returns the size the kernel granted (it doubles the request, and caps it). */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_configure0(JNIEnv *env, jclass cls, jint fd,
        jboolean ipv6, jint option, jint value) {
    jint r;
    if (fd < 0) {
        return -EBADF;
    }
    switch (option) {
    case O_REUSE_PORT:
        return set_int(fd, SOL_SOCKET, SO_REUSEPORT, value);
    case O_V6_ONLY:
        return set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, value);
    case O_PACKET_INFO:
        if (ipv6) {
            /* IPv6 packet info also reports IPv4 datagrams that reach a dual-stack socket, as mapped addresses */
            return set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, value);
        }
        return set_int(fd, IPPROTO_IP, IP_PKTINFO, value);
    case O_RECEIVE_BUFFER:
        if (value < 0) {
            return -EINVAL;
        }
        r = set_int(fd, SOL_SOCKET, SO_RCVBUF, value);
        return r < 0 ? r : get_int_option(fd, SOL_SOCKET, SO_RCVBUF);
    case O_SEND_BUFFER:
        if (value < 0) {
            return -EINVAL;
        }
        r = set_int(fd, SOL_SOCKET, SO_SNDBUF, value);
        return r < 0 ? r : get_int_option(fd, SOL_SOCKET, SO_SNDBUF);
    case O_RECEIVE_TIMEOUT_MS:
        return set_timeout(fd, SO_RCVTIMEO, value);
    case O_SEND_TIMEOUT_MS:
        return set_timeout(fd, SO_SNDTIMEO, value);
    case O_HOP_INFO:
        /* TTL and TOS of IPv4 datagrams, also those that reach a dual-stack socket; hop limit and class of IPv6 */
        r = set_int(fd, IPPROTO_IP, IP_RECVTTL, value);
        if (r == 0) {
            r = set_int(fd, IPPROTO_IP, IP_RECVTOS, value);
        }
        if (r == 0 && ipv6) {
            r = set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, value);
            if (r == 0) {
                r = set_int(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, value);
            }
        }
        return r;
    case O_RECEIVE_TIMES:
        /* The kernel's software receive time of each datagram, CLOCK_REALTIME, as a control message */
        return set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, value);
    case O_GRO:
        /* Receive-side GRO (Linux 5.0): runs of datagrams from one flow may arrive as one, with their size. */
        return set_int(fd, SOL_UDP, UDP_GRO, value);
    case O_SEGMENTATION:
        /* Only asks whether the kernel segments (Linux 4.18): the size goes with each send that wants it. */
        return get_int_option(fd, SOL_UDP, UDP_SEGMENT) < 0 ? fail() : 0;
    default:
        return -EINVAL;
    }
}

/* The socket's drop counter (SO_MEMINFO's SK_MEMINFO_DROPS, Linux 4.12), or -1 where the kernel lacks it. */
JNIEXPORT jlong JNICALL Java_dev_udpecho_nativeio_NativeSocket_drops0(JNIEnv *env, jclass cls, jint fd) {
    uint32_t info[SK_MEMINFO_VARS];
    socklen_t length = sizeof info;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &length) < 0
            || length < (socklen_t) ((SK_MEMINFO_DROPS + 1) * sizeof info[0])) {
        return -1;
    }
    return (jlong) info[SK_MEMINFO_DROPS];
}

/* Java calls this once, when no other call on the socket is in progress (NativeSocket's state word). */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_close0(JNIEnv *env, jclass cls, jint fd) {
    if (fd < 0) {
        return -EBADF;
    }
    return close(fd) < 0 ? fail() : 0;
}

/* Wakes a thread blocked in receive on this socket: it returns at once (with nothing). */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeSocket_shutdown0(JNIEnv *env, jclass cls, jint fd) {
    /* On an unconnected UDP socket Linux reports ENOTCONN but still wakes the readers. */
    if (fd < 0) {
        return -EBADF;
    }
    return shutdown(fd, SHUT_RDWR) < 0 && errno != ENOTCONN ? fail() : 0;
}

/*
 * strerror_r has two signatures: glibc's (with _GNU_SOURCE) returns the message, which may not be in the buffer;
 * POSIX's, musl's even with _GNU_SOURCE, returns 0 and fills the buffer. _Generic picks the reader that suits the
 * one this libc declares, without calling it twice.
 */
static inline const char *message_of_posix(int status, const char *buffer) {
    return status == 0 ? buffer : "Unknown error";
}

static inline const char *message_of_gnu(const char *message, const char *buffer) {
    return message;
}

#define error_message(error, buffer, size) \
    _Generic(strerror_r((error), (buffer), (size)), \
             int: message_of_posix, \
             char *: message_of_gnu)(strerror_r((error), (buffer), (size)), (buffer))

JNIEXPORT jstring JNICALL Java_dev_udpecho_nativeio_NativeSocket_errorMessage0(JNIEnv *env, jclass cls, jint error) {
    char buffer[256];
    return (*env)->NewStringUTF(env, error_message(error, buffer, sizeof buffer));
}

/* ---- threads ---- */

/* Sets the calling thread's nice value (Linux schedules threads, not processes, by it). */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_NativeThreads_nice0(JNIEnv *env, jclass cls, jint nice) {
    pid_t tid = (pid_t) syscall(SYS_gettid);
    return setpriority(PRIO_PROCESS, (id_t) tid, nice) < 0 ? fail() : 0;
}

/* ---- the ring ---- */

static void free_ring(struct ring *r) {
    free(r->in); free(r->in_iov); free(r->peer); free(r->in_control);
    free(r->out); free(r->out_iov); free(r->out_control);
    free(r->runs); free(r->run_iov); free(r->run_first); free(r->run_count); free(r->run_control); free(r);
}

/* Returns whether `buffer` is a direct buffer of at least `size` bytes; its address goes to `*address`. */
static int direct_buffer(JNIEnv *env, jobject buffer, jlong size, char **address) {
    *address = buffer == NULL ? NULL : (*env)->GetDirectBufferAddress(env, buffer);
    return *address != NULL && (*env)->GetDirectBufferCapacity(env, buffer) >= size;
}

/* Returns the ring, or 0 if an argument is out of range or memory is short (Java checked them first). */
JNIEXPORT jlong JNICALL Java_dev_udpecho_nativeio_DatagramRing_create0(JNIEnv *env, jclass cls, jobject data,
        jobject descriptors, jobject send_list, jint capacity, jint slot_size, jint prefix_length,
        jboolean ipv6, jboolean reply_from_destination) {
    if (capacity < 1 || capacity > MAX_CAPACITY || slot_size < 1 || slot_size > MAX_SLOT_SIZE
            || prefix_length < 0 || prefix_length >= slot_size) {
        return 0;
    }
    struct ring *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return 0;
    }
    r->capacity = capacity;
    r->ipv6 = ipv6;
    r->reply_from_destination = reply_from_destination;
    r->slot_size = (size_t) slot_size;
    r->prefix_length = (size_t) prefix_length;
    int buffers = direct_buffer(env, data, (jlong) capacity * slot_size, &r->data)
            && direct_buffer(env, descriptors, (jlong) capacity * D_SIZE, &r->descriptors)
            && direct_buffer(env, send_list, (jlong) capacity * 2 * S_SIZE, &r->send_list);
    r->in = calloc((size_t) capacity, sizeof *r->in);
    r->in_iov = calloc((size_t) capacity, sizeof *r->in_iov);
    r->peer = calloc((size_t) capacity, sizeof *r->peer);
    r->in_control = calloc((size_t) capacity, IN_CONTROL_SIZE);
    /* Replies may name a slot twice (a duplicated reply): room for two per slot. */
    r->out = calloc((size_t) capacity * 2, sizeof *r->out);
    r->out_iov = calloc((size_t) capacity * 4, sizeof *r->out_iov);
    r->out_control = calloc((size_t) capacity * 2, CONTROL_SIZE);
    r->runs = calloc((size_t) capacity * 2, sizeof *r->runs);
    r->run_iov = calloc((size_t) capacity * 4, sizeof *r->run_iov);
    r->run_first = calloc((size_t) capacity * 2, sizeof *r->run_first);
    r->run_count = calloc((size_t) capacity * 2, sizeof *r->run_count);
    r->run_control = calloc((size_t) capacity * 2, CONTROL_SIZE);
    r->segment_limit = MAX_SEGMENTED_BYTES + 1;
    if (!buffers || !r->in || !r->in_iov || !r->peer || !r->in_control || !r->out || !r->out_iov
            || !r->out_control || !r->runs || !r->run_iov || !r->run_first || !r->run_count || !r->run_control) {
        free_ring(r);
        return 0;
    }
    for (int i = 0; i < capacity; i++) {
        /* The kernel writes the datagram after the prefix, so the reply is the slot from its start. */
        r->in_iov[i].iov_base = r->data + (size_t) i * r->slot_size + (size_t) prefix_length;
        r->in_iov[i].iov_len = r->slot_size - (size_t) prefix_length;
        r->in[i].msg_hdr.msg_iov = &r->in_iov[i];
        r->in[i].msg_hdr.msg_iovlen = 1;
        r->in[i].msg_hdr.msg_name = &r->peer[i];
        r->in[i].msg_hdr.msg_control = r->in_control + (size_t) i * IN_CONTROL_SIZE;
    }
    return (jlong) (intptr_t) r;
}

/*
 * Maps `size` bytes of anonymous memory as a direct buffer, for a ring's slots. Unlike ByteBuffer.allocateDirect
 * it neither zeroes them nor counts against the JVM's direct memory limit: the kernel gives a page when the
 * page is first written, so a socket that receives only small datagrams, or none, holds only a page or so per
 * slot. Returns null if the memory cannot be mapped.
 */
JNIEXPORT jobject JNICALL Java_dev_udpecho_nativeio_DatagramRing_map0(JNIEnv *env, jclass cls, jlong size) {
    if (size <= 0) {
        return NULL;
    }
    void *p = mmap(NULL, (size_t) size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
    jobject buffer = (*env)->NewDirectByteBuffer(env, p, size);
    if (buffer == NULL) {
        munmap(p, (size_t) size);
    }
    return buffer;
}

/* The address of a direct buffer, for the cleaners that release a mapping without holding its buffer. */
JNIEXPORT jlong JNICALL Java_dev_udpecho_nativeio_DatagramRing_address0(JNIEnv *env, jclass cls, jobject buffer) {
    return buffer == NULL ? 0 : (jlong) (intptr_t) (*env)->GetDirectBufferAddress(env, buffer);
}

/*
 * Gives the pages of a closed ring back to the system but keeps the mapping: a payload buffer that a caller
 * still holds then reads zeros instead of crashing the JVM. The mapping itself goes with its last buffer.
 */
JNIEXPORT void JNICALL Java_dev_udpecho_nativeio_DatagramRing_discard0(JNIEnv *env, jclass cls, jlong address,
        jlong size) {
    if (address != 0 && size > 0) {
        madvise((void *) (intptr_t) address, (size_t) size, MADV_DONTNEED);
    }
}

/* Unmaps what map0 mapped, once no buffer over it is reachable. */
JNIEXPORT void JNICALL Java_dev_udpecho_nativeio_DatagramRing_unmap0(JNIEnv *env, jclass cls, jlong address,
        jlong size) {
    if (address != 0 && size > 0) {
        munmap((void *) (intptr_t) address, (size_t) size);
    }
}

/* Java calls this once, when no receive or send is in progress on the ring (DatagramRing's state word). */
JNIEXPORT void JNICALL Java_dev_udpecho_nativeio_DatagramRing_free0(JNIEnv *env, jclass cls, jlong handle) {
    struct ring *r = (struct ring *) (intptr_t) handle;
    if (r != NULL) {
        free_ring(r);
    }
}

static void describe_source(const union peer *peer, char *d) {
    if (peer->v4.sin_family == AF_INET) {
        put_int(d, D_FAMILY, 4);
        put_int(d, D_PORT, ntohs(peer->v4.sin_port));
        put_int(d, D_SCOPE, 0);
        memcpy(d + D_SOURCE, &peer->v4.sin_addr, 4);
    } else if (IN6_IS_ADDR_V4MAPPED(&peer->v6.sin6_addr)) {
        put_int(d, D_FAMILY, 4);
        put_int(d, D_PORT, ntohs(peer->v6.sin6_port));
        put_int(d, D_SCOPE, 0);
        memcpy(d + D_SOURCE, &peer->v6.sin6_addr.s6_addr[12], 4);
    } else {
        put_int(d, D_FAMILY, 6);
        put_int(d, D_PORT, ntohs(peer->v6.sin6_port));
        put_int(d, D_SCOPE, (int) peer->v6.sin6_scope_id);
        memcpy(d + D_SOURCE, &peer->v6.sin6_addr, 16);
    }
}

/*
 * What CLOCK_REALTIME less CLOCK_MONOTONIC is now, in nanoseconds: a kernel receive time less this is in the
 * terms of System.nanoTime (CLOCK_MONOTONIC on Linux). Taken once per batch, so that a step of the wall clock
 * (settimeofday, NTP) shifts at most the batch it falls into.
 */
static int64_t realtime_offset(void) {
    struct timespec mono1, real, mono2;
    clock_gettime(CLOCK_MONOTONIC, &mono1);
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono2);
    int64_t m1 = (int64_t) mono1.tv_sec * 1000000000 + mono1.tv_nsec;
    int64_t m2 = (int64_t) mono2.tv_sec * 1000000000 + mono2.tv_nsec;
    return (int64_t) real.tv_sec * 1000000000 + real.tv_nsec - (m1 + (m2 - m1) / 2);
}

/* Fills in what the control messages say; `*offset` is realtime_offset(), taken on first need (INT64_MIN: not yet). */
static int describe_control(struct msghdr *h, char *d, int64_t *offset) {
    int flags = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS
                && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec at;
            memcpy(&at, CMSG_DATA(c), sizeof at);
            if (*offset == INT64_MIN) {
                *offset = realtime_offset();
            }
            int64_t received = (int64_t) at.tv_sec * 1000000000 + at.tv_nsec - *offset;
            memcpy(d + D_RECEIVED, &received, sizeof received);
            flags |= F_RECEIVED;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof info);
            put_int(d, D_LOCAL_FAMILY, 4);
            put_int(d, D_IFINDEX, info.ipi_ifindex);
            memcpy(d + D_LOCAL, &info.ipi_addr, 4);
            flags |= F_LOCAL;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof info);
            put_int(d, D_IFINDEX, (int) info.ipi6_ifindex);
            if (IN6_IS_ADDR_V4MAPPED(&info.ipi6_addr)) {
                put_int(d, D_LOCAL_FAMILY, 4);
                memcpy(d + D_LOCAL, &info.ipi6_addr.s6_addr[12], 4);
            } else {
                put_int(d, D_LOCAL_FAMILY, 6);
                memcpy(d + D_LOCAL, &info.ipi6_addr, 16);
            }
            flags |= F_LOCAL;
        } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO && c->cmsg_len >= CMSG_LEN(sizeof(uint16_t))) {
            /* An int, as Linux writes it; read as 16 bits should a kernel ever write only those */
            int segment;
            if (c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                memcpy(&segment, CMSG_DATA(c), sizeof segment);
            } else {
                uint16_t size;
                memcpy(&size, CMSG_DATA(c), sizeof size);
                segment = size;
            }
            if (segment > 0) {
                put_int(d, D_SEGMENT, segment);
                flags |= F_MERGED;
            }
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int ttl;
            memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            d[D_TTL] = (char) ttl;
            flags |= F_TTL;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS && c->cmsg_len >= CMSG_LEN(1)) {
            d[D_TOS] = (char) *CMSG_DATA(c);
            flags |= F_TOS;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT
                && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int hops;
            memcpy(&hops, CMSG_DATA(c), sizeof hops);
            d[D_TTL] = (char) hops;
            flags |= F_TTL;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS
                && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int tclass;
            memcpy(&tclass, CMSG_DATA(c), sizeof tclass);
            d[D_TOS] = (char) tclass;
            flags |= F_TOS;
        }
    }
    return flags;
}

/*
 * Receives up to max datagrams into slots 0..max-1: waits for the first (up to the socket's receive timeout)
 * if `wait`, then takes what else is queued. Returns how many, 0 if none came in time (none was queued), or
 * -errno.
 */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_DatagramRing_receive0(JNIEnv *env, jclass cls, jint fd,
        jlong handle, jint max, jboolean wait) {
    struct ring *r = (struct ring *) (intptr_t) handle;
    if (r == NULL || fd < 0) {
        return -EBADF;
    }
    if (max < 1 || max > r->capacity) {
        return -EINVAL;
    }
    for (int i = 0; i < max; i++) {
        /* the kernel overwrites these on each receive */
        r->in[i].msg_hdr.msg_namelen = sizeof r->peer[i];
        r->in[i].msg_hdr.msg_controllen = IN_CONTROL_SIZE;
        r->in[i].msg_hdr.msg_flags = 0;
    }
    int n;
    do {
        n = recvmmsg(fd, r->in, (unsigned int) max, wait ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : fail();
    }
    for (int i = n; i < max; i++) {
        /* Not filled: a reply from such a slot goes to the socket's peer, as from a slot never received into. */
        r->in[i].msg_hdr.msg_namelen = 0;
    }
    int64_t offset = INT64_MIN;
    for (int i = 0; i < n; i++) {
        char *d = r->descriptors + (size_t) i * D_SIZE;
        struct msghdr *h = &r->in[i].msg_hdr;
        if (h->msg_namelen == 0) {
            /* Not a datagram: a shut-down socket reads as an empty message from nobody. */
            return i;
        }
        put_int(d, D_LENGTH, (int) r->in[i].msg_len);
        describe_source(&r->peer[i], d);
        int flags = (h->msg_flags & MSG_TRUNC) ? F_TRUNCATED : 0;
        if (h->msg_controllen > 0) {
            flags |= describe_control(h, d, &offset);
        }
        put_int(d, D_FLAGS, flags);
    }
    return n;
}

/* Asks the kernel to send reply k from the address its request was sent to. */
static void set_source(struct ring *r, int slot, struct msghdr *h, char *control) {
    const char *d = r->descriptors + (size_t) slot * D_SIZE;
    h->msg_control = control;
    h->msg_controllen = put_source(control, get_int(d, D_LOCAL_FAMILY), d + D_LOCAL, get_int(d, D_IFINDEX));
}

/*
 * Sends out[from] to out[from + count - 1], one reply per message, in as many calls as it takes. A reply the
 * kernel refuses for its destination is skipped; a full send buffer stops the batch (returns -1). Adds what
 * was sent to *sent and status[1]; status[0] gets the last error.
 */
static int send_each(int fd, struct ring *r, int from, int count, int flags, jint *status, int *sent) {
    int k = from;
    int end = from + count;
    while (k < end) {
        int n = sendmmsg(fd, r->out + k, (unsigned int) (end - k), flags);
        if (n > 0) {
            for (int j = k; j < k + n; j++) {
                status[1] += (jint) r->out[j].msg_len;
            }
            *sent += n;
            k += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
            /* No room: the rest would only meet the same full buffer, each after its own wait. */
            status[0] = errno;
            return -1;
        } else {
            status[0] = n < 0 ? errno : EIO;
            k++; /* skip the reply the kernel refused */
        }
    }
    return 0;
}

/* The size of reply k: its two pieces (see send0). */
static size_t reply_length(const struct ring *r, int k) {
    return r->out_iov[2 * k].iov_len + r->out_iov[2 * k + 1].iov_len;
}

/* Whether replies a and b go to the same peer from the same address. */
static int same_route(const struct ring *r, int a, int b) {
    const struct msghdr *x = &r->out[a].msg_hdr;
    const struct msghdr *y = &r->out[b].msg_hdr;
    return x->msg_namelen == y->msg_namelen && memcmp(x->msg_name, y->msg_name, x->msg_namelen) == 0
            && x->msg_controllen == y->msg_controllen
            && (x->msg_controllen == 0 || memcmp(x->msg_control, y->msg_control, x->msg_controllen) == 0);
}

/*
 * Groups the replies into runs: consecutive replies to one peer from one address, all of one length but the
 * last, which may be shorter. A run of two or more becomes one message carrying a UDP_SEGMENT size: the
 * kernel builds one large packet and cuts it into datagrams only where it must (at the device, or on the
 * receiving socket), so it routes and queues once per run instead of once per reply. The peer receives the
 * same datagrams either way. Returns how many runs.
 */
static int make_runs(struct ring *r, int count) {
    int runs = 0;
    size_t pieces = 0;
    for (int k = 0; k < count; runs++) {
        size_t segment = reply_length(r, k);
        size_t total = segment;
        int m = 1;
        if (segment > 0 && segment < (size_t) r->segment_limit) {
            while (k + m < count && m < MAX_SEGMENTS && same_route(r, k, k + m)) {
                size_t length = reply_length(r, k + m);
                if (length == 0 || length > segment || total + length > MAX_SEGMENTED_BYTES) {
                    break;
                }
                total += length;
                m++;
                if (length < segment) {
                    break; /* only the last segment may be shorter */
                }
            }
        }
        struct msghdr *h = &r->runs[runs].msg_hdr;
        *h = r->out[k].msg_hdr;
        if (m > 1) {
            /* A run's pieces, without the empty second piece of a reply from a slot's start: fewer to import. */
            h->msg_iov = &r->run_iov[pieces];
            h->msg_iovlen = 0;
            for (int j = 2 * k; j < 2 * (k + m); j++) {
                if (r->out_iov[j].iov_len > 0) {
                    r->run_iov[pieces++] = r->out_iov[j];
                    h->msg_iovlen++;
                }
            }
            char *control = r->run_control + (size_t) runs * CONTROL_SIZE;
            size_t plain = r->out[k].msg_hdr.msg_controllen;
            if (plain > 0) {
                memcpy(control, r->out[k].msg_hdr.msg_control, plain);
            }
            struct cmsghdr *c = (struct cmsghdr *) (control + plain);
            memset(c, 0, CMSG_SPACE(sizeof(uint16_t)));
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t size = (uint16_t) segment;
            memcpy(CMSG_DATA(c), &size, sizeof size);
            h->msg_control = control;
            h->msg_controllen = plain + CMSG_SPACE(sizeof(uint16_t));
        }
        r->run_first[runs] = k;
        r->run_count[runs] = m;
        k += m;
    }
    return runs;
}

/*
 * Sends the runs of make_runs. A run the kernel refuses as segmented (a path MTU below its segment size, a
 * device that cannot take it) is sent one reply at a time, and replies that long are not segmented again.
 */
static void send_runs(int fd, struct ring *r, int runs, int flags, jint *status, int *sent) {
    int j = 0;
    while (j < runs) {
        int n = sendmmsg(fd, r->runs + j, (unsigned int) (runs - j), flags);
        if (n > 0) {
            for (int i = j; i < j + n; i++) {
                status[1] += (jint) r->runs[i].msg_len;
                *sent += r->run_count[i];
            }
            j += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
            status[0] = errno;
            return;
        } else {
            int error = n < 0 ? errno : EIO;
            if (r->run_count[j] > 1 && (error == EINVAL || error == EIO || error == EMSGSIZE
                    || error == ENOPROTOOPT || error == EOPNOTSUPP)) {
                int segment = (int) reply_length(r, r->run_first[j]);
                if (segment < r->segment_limit) {
                    r->segment_limit = segment;
                }
                if (send_each(fd, r, r->run_first[j], r->run_count[j], flags, status, sent) < 0) {
                    return;
                }
            } else {
                status[0] = error; /* refused for its destination: so would each of its replies be */
            }
            j++;
        }
    }
}

/*
 * Sends the replies in the send list: each is the first `length` bytes of a slot, or for a datagram that GRO
 * merged into the slot, the prefix and then that datagram's bytes (S_SIZE), to the address its request came
 * from; with `segment`, consecutive replies to one peer go as one segmented send (see make_runs). A reply
 * the kernel refuses for its destination (no route, a firewall) is skipped so the others still go. A full send
 * buffer refuses the rest of the batch: at once unless `wait`, otherwise after the socket's send timeout, once
 * per batch and not once per reply. Returns how many were sent, or -EBADF / -EINVAL for a closed ring or a send
 * list out of range (nothing is then sent); result[0] gets the last error number (0 if none) and result[1]
 * the bytes sent.
 */
JNIEXPORT jint JNICALL Java_dev_udpecho_nativeio_DatagramRing_send0(JNIEnv *env, jclass cls, jint fd,
        jlong handle, jint count, jboolean wait, jboolean segment, jintArray result) {
    struct ring *r = (struct ring *) (intptr_t) handle;
    if (r == NULL || fd < 0) {
        return -EBADF;
    }
    if (count < 0 || count > 2 * r->capacity || result == NULL || (*env)->GetArrayLength(env, result) < 2) {
        return -EINVAL;
    }
    for (int k = 0; k < count; k++) {
        const char *s = r->send_list + (size_t) k * S_SIZE;
        /* Read once: Java may write the list again while this runs (a ring misused by two threads). */
        int slot = get_int(s, 0);
        int length = get_int(s, 4);
        int offset = get_int(s, 8);
        if (slot < 0 || slot >= r->capacity || length < 0 || (size_t) length > r->slot_size || offset < 0
                || (offset > 0 && ((size_t) length < r->prefix_length
                        || (size_t) offset + (size_t) length > r->slot_size))) {
            return -EINVAL;
        }
        struct msghdr *h = &r->out[k].msg_hdr;
        h->msg_name = &r->peer[slot];
        h->msg_namelen = r->in[slot].msg_hdr.msg_namelen;
        if (h->msg_namelen > sizeof r->peer[slot]) {
            h->msg_namelen = sizeof r->peer[slot];
        }
        char *start = r->data + (size_t) slot * r->slot_size;
        struct iovec *piece = &r->out_iov[2 * k];
        piece[0].iov_base = start;
        if (offset == 0) {
            piece[0].iov_len = (size_t) length;
            piece[1].iov_base = start;
            piece[1].iov_len = 0;
        } else {
            piece[0].iov_len = r->prefix_length;
            piece[1].iov_base = start + r->prefix_length + (size_t) offset;
            piece[1].iov_len = (size_t) length - r->prefix_length;
        }
        h->msg_iov = piece;
        h->msg_iovlen = offset == 0 ? 1 : 2;
        h->msg_flags = 0;
        const char *d = r->descriptors + (size_t) slot * D_SIZE;
        if (r->reply_from_destination && (get_int(d, D_FLAGS) & F_LOCAL)) {
            set_source(r, slot, h, r->out_control + (size_t) k * CONTROL_SIZE);
        } else {
            h->msg_control = NULL;
            h->msg_controllen = 0;
        }
    }
    jint status[2] = { 0, 0 };
    int sent = 0;
    int flags = wait ? 0 : MSG_DONTWAIT;
    int runs = segment && count > 1 ? make_runs(r, count) : count;
    if (runs < count) {
        send_runs(fd, r, runs, flags, status, &sent);
    } else {
        send_each(fd, r, 0, count, flags, status, &sent);
    }
    (*env)->SetIntArrayRegion(env, result, 0, 2, status);
    return sent;
}
