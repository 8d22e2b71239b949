/*
 * netns-link: a two-port link emulator in user space, used by netns-cluster.sh where the
 * kernel has no sch_netem (tc netem) — e.g. kernels built without CONFIG_NET_SCH_NETEM.
 *
 *   netns-link [-w CAPTURE.pcap] IF_A IF_B DELAY_AB_US RATE_AB_BPS DELAY_BA_US RATE_BA_BPS [QUEUE_FRAMES]
 *
 * Every Ethernet frame that arrives on IF_A leaves on IF_B, and vice versa, after
 *   - serialisation at RATE (bits/s; 0 = unlimited): a frame starts when the previous one of the
 *     same direction has left, and takes len*8/RATE seconds — like netem's "rate";
 *   - a fixed propagation DELAY (microseconds) — like netem's "delay".
 * Each direction is one FIFO with drop-tail at QUEUE_FRAMES frames (default 10000), so frame
 * order is kept. Frames are read and written with AF_PACKET raw sockets; PACKET_IGNORE_OUTGOING
 * keeps a socket from reading back the frames this program sends on the same interface, and
 * PACKET_VNET_HDR carries each frame's offload state across (a veth hands over TCP segments
 * whose checksum is still to be filled in: forwarded without that state they arrive corrupt).
 * The hosts' interfaces must not emit GSO super-frames larger than the MTU (netns-cluster.sh
 * sets gso_max_segs 1 on them). Stops on SIGTERM/SIGINT and prints its counters to stderr.
 *
 * -w FILE writes every frame to FILE (pcap, nanosecond timestamps, wall clock) as the host on
 * IF_A sees it: frames it sends when they enter the link, frames it receives when the link hands
 * them over. netns-cluster.sh --capture uses it; docker/WireBreakdown.java reads the files.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define VNET_HDR ((ssize_t) sizeof(struct virtio_net_hdr))
#define MAX_FRAME (65536 + VNET_HDR)

struct frame {
    uint64_t due_ns;
    uint32_t len;
    unsigned char data[];
};

struct direction {
    const char *name;
    int in_fd, out_fd;
    uint64_t delay_ns;
    uint64_t rate_bps;
    uint64_t busy_until_ns;
    struct frame **ring;
    size_t cap, head, count;
    uint64_t forwarded, forwarded_bytes, dropped, send_errors;
    int capture_on_receive; /* a->b: the host sent it (capture on entry); b->a: capture on delivery */
};

static volatile sig_atomic_t stop;
static FILE *capture; /* -w: pcap of what IF_A's host sends and receives, or NULL */

static void capture_open(const char *path) {
    capture = fopen(path, "wb");
    if (capture == NULL) {
        fprintf(stderr, "netns-link: cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
    setvbuf(capture, NULL, _IOFBF, 1 << 20);
    /* pcap header: nanosecond magic, version 2.4, GMT offset 0, accuracy 0, snaplen, Ethernet */
    uint32_t h[6] = {0xa1b23c4du, 0x00040002u, 0, 0, MAX_FRAME, 1};
    fwrite(h, sizeof h, 1, capture);
}

/* One Ethernet frame (data after the virtio_net_hdr) into the capture, stamped now. */
static void capture_frame(const unsigned char *frame, uint32_t len) {
    if (capture == NULL) {
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t r[4] = {(uint32_t) ts.tv_sec, (uint32_t) ts.tv_nsec, len, len};
    fwrite(r, sizeof r, 1, capture);
    fwrite(frame, len, 1, capture);
}

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static int open_port(const char *ifname) {
    unsigned idx = if_nametoindex(ifname);
    if (idx == 0) {
        fprintf(stderr, "netns-link: no interface %s: %s\n", ifname, strerror(errno));
        exit(2);
    }
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (fd < 0) {
        perror("netns-link: socket(AF_PACKET)");
        exit(2);
    }
    struct sockaddr_ll sll = {0};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int) idx;
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        perror("netns-link: bind");
        exit(2);
    }
    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0) {
        perror("netns-link: PACKET_IGNORE_OUTGOING (needs Linux >= 4.20)");
        exit(2);
    }
    if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) < 0) {
        perror("netns-link: PACKET_VNET_HDR");
        exit(2);
    }
    struct packet_mreq mr = {0};
    mr.mr_ifindex = (int) idx;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
        perror("netns-link: promiscuous mode");
        exit(2);
    }
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    return fd;
}

static uint64_t parse_u64(const char *s, const char *what) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || *s == '\0' || *s == '-') {
        fprintf(stderr, "netns-link: %s must be a non-negative integer, got '%s'\n", what, s);
        exit(2);
    }
    return (uint64_t) v;
}

/* Takes one frame from d->in_fd into d's queue, stamped with its departure time. */
static void receive(struct direction *d, unsigned char *buf) {
    ssize_t n = recv(d->in_fd, buf, MAX_FRAME, 0); /* virtio_net_hdr, then the Ethernet frame */
    if (n <= VNET_HDR) {
        return;
    }
    if (d->count == d->cap) {
        d->dropped++;
        return;
    }
    if (d->capture_on_receive) {
        capture_frame(buf + VNET_HDR, (uint32_t) (n - VNET_HDR));
    }
    uint64_t t = now_ns();
    uint64_t start = d->busy_until_ns > t ? d->busy_until_ns : t;
    uint64_t tx = d->rate_bps ? (uint64_t) (n - VNET_HDR) * 8ull * 1000000000ull / d->rate_bps : 0;
    d->busy_until_ns = start + tx;
    struct frame *f = malloc(sizeof *f + (size_t) n);
    if (f == NULL) {
        d->dropped++;
        return;
    }
    f->due_ns = d->busy_until_ns + d->delay_ns;
    f->len = (uint32_t) n;
    memcpy(f->data, buf, (size_t) n);
    d->ring[(d->head + d->count) % d->cap] = f;
    d->count++;
}

/* Sends every queued frame whose time has come; returns ns until the next one (or -1). */
static int64_t deliver(struct direction *d) {
    uint64_t t = now_ns();
    while (d->count > 0) {
        struct frame *f = d->ring[d->head];
        if (f->due_ns > t) {
            return (int64_t) (f->due_ns - t);
        }
        if (send(d->out_fd, f->data, f->len, 0) < 0) {
            if (errno == EAGAIN || errno == ENOBUFS) {
                return 100000; /* transmit queue full: retry in 0.1 ms */
            }
            d->send_errors++;
        } else {
            d->forwarded++;
            d->forwarded_bytes += f->len - (uint32_t) VNET_HDR;
            if (!d->capture_on_receive) {
                capture_frame(f->data + VNET_HDR, f->len - (uint32_t) VNET_HDR);
            }
        }
        free(f);
        d->head = (d->head + 1) % d->cap;
        d->count--;
    }
    return -1;
}

int main(int argc, char **argv) {
    const char *prog = argv[0];
    const char *capture_path = NULL;
    if (argc >= 3 && strcmp(argv[1], "-w") == 0) {
        capture_path = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s [-w CAPTURE.pcap] IF_A IF_B DELAY_AB_US RATE_AB_BPS DELAY_BA_US RATE_BA_BPS [QUEUE_FRAMES]\n", prog);
        return 2;
    }
    size_t cap = argc == 8 ? (size_t) parse_u64(argv[7], "QUEUE_FRAMES") : 10000;
    if (cap == 0) {
        fprintf(stderr, "netns-link: QUEUE_FRAMES must be positive\n");
        return 2;
    }
    int a = open_port(argv[1]);
    int b = open_port(argv[2]);
    struct direction dirs[2] = {
        {.name = "a->b", .in_fd = a, .out_fd = b, .capture_on_receive = 1,
         .delay_ns = parse_u64(argv[3], "DELAY_AB_US") * 1000ull, .rate_bps = parse_u64(argv[4], "RATE_AB_BPS")},
        {.name = "b->a", .in_fd = b, .out_fd = a,
         .delay_ns = parse_u64(argv[5], "DELAY_BA_US") * 1000ull, .rate_bps = parse_u64(argv[6], "RATE_BA_BPS")},
    };
    for (int i = 0; i < 2; i++) {
        dirs[i].cap = cap;
        dirs[i].ring = calloc(cap, sizeof(struct frame *));
        if (dirs[i].ring == NULL) {
            perror("netns-link: calloc");
            return 2;
        }
    }
    if (capture_path != NULL) {
        capture_open(capture_path);
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    static unsigned char buf[MAX_FRAME];
    struct pollfd pfd[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
    while (!stop) {
        int64_t wait = -1;
        for (int i = 0; i < 2; i++) {
            int64_t w = deliver(&dirs[i]);
            if (w >= 0 && (wait < 0 || w < wait)) {
                wait = w;
            }
        }
        struct timespec ts = {.tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000};
        int r = ppoll(pfd, 2, wait < 0 ? NULL : &ts, NULL);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("netns-link: ppoll");
            return 1;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].revents & POLLIN) {
                /* drain what is there: up to 64 frames per wake-up keeps both directions fair */
                for (int k = 0; k < 64; k++) {
                    size_t before = dirs[i].count;
                    uint64_t dropped = dirs[i].dropped;
                    receive(&dirs[i], buf);
                    if (dirs[i].count == before && dirs[i].dropped == dropped) {
                        break;
                    }
                }
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        fprintf(stderr, "netns-link %s %s: forwarded %llu frames (%llu bytes), dropped %llu, send errors %llu, queued %zu\n",
                argv[1 + (i == 1)], dirs[i].name, (unsigned long long) dirs[i].forwarded,
                (unsigned long long) dirs[i].forwarded_bytes, (unsigned long long) dirs[i].dropped,
                (unsigned long long) dirs[i].send_errors, dirs[i].count);
    }
    if (capture != NULL && fclose(capture) != 0) {
        perror("netns-link: closing the capture");
        return 1;
    }
    return 0;
}
