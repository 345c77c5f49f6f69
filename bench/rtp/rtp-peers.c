/*
 * rtp-peers: the far ends of the RTP load bench (bench/rtp-load.ts --peers c), in C so
 * that generating the load costs a fraction of what the engine under test costs.
 *
 *   cc -O2 -o rtp-peers bench/rtp/rtp-peers.c
 *   rtp-peers --mode bridge|prompts --base-port P --legs M --seconds S
 *             [--warmup-ms 1000] [--drain-ms 1000] [--phases 10]
 *
 * Binds M UDP sockets on 127.0.0.1:P .. P+M-1 (all of them or exit 3), prints
 * {"ready":true,...} on stdout, then reads stdin:
 *   bridge:  M lines, the engine's RTP port for each leg (127.0.0.1); legs 2k and 2k+1
 *            are the two ends of call k. Each leg sends one 172-byte RTP packet (12-byte
 *            header + 160 bytes of PCMU, RFC 3550 §5.1 / RFC 3551 §4.5.14) every 20 ms at
 *            real pace, legs spread over --phases phases (20 ms / phases apart), from one
 *            thread woken by clock_nanosleep(TIMER_ABSTIME) on CLOCK_MONOTONIC. The payload
 *            carries the sending leg (u32 BE at byte 12), a per-leg counter (u32 at 16)
 *            and the send time (CLOCK_REALTIME ns, u64 at 20), so the partner leg counts
 *            exactly which packets arrived and their one-way latency.
 *   prompts: one line "go"; receive only, jitter = |gap - 20 ms| between consecutive
 *            packets of a leg.
 * Receive: the same thread, after each tick's sends, drains every ready socket (epoll
 * with a zero timeout + recvmmsg); arrival time is the kernel's receive timestamp
 * (SO_TIMESTAMPNS, CLOCK_REALTIME), so the peer's own scheduling delay is not counted
 * as the engine's. Histograms are fixed bins (10 us up to 200 ms + overflow), the
 * "seen" map one bit per (leg, counter): memory is bounded by legs x duration.
 *
 * Stops by itself after S seconds (+ the drain for bridge), on SIGTERM/SIGINT, or on a
 * SIGALRM safety cap; prints one JSON summary line on stdout and exits 0. cpuMs and
 * wallMs cover the send window (not the drain), like the Node peers.
 * sendmmsg cannot batch across legs: every leg has its own socket (its own source port,
 * which the engine latches, RFC 4961), and sendmmsg sends on one socket. Each packet is
 * one send() on a connected socket; receives are batched per socket with recvmmsg.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PACKET_BYTES 172
#define PTIME_NS 20000000LL
#define BIN_NS 10000LL   /* 10 us, as bench/rtp/histogram.ts */
#define BINS 20000       /* up to 200 ms, then one overflow bin */
#define RX_BATCH 16
#define RX_BUF 256
#define MAX_EVENTS 512
#define MAX_LEGS 20000
#define MAX_SECONDS 600

enum mode { MODE_BRIDGE, MODE_PROMPTS };
enum stop_reason { STOP_DURATION, STOP_SIGNAL, STOP_ALARM };

struct config {
  enum mode mode;
  int base_port;
  int legs;
  int seconds;
  int warmup_ms;
  int drain_ms;
  int phases;
};

static struct config cfg = { MODE_BRIDGE, 0, 0, 0, 1000, 1000, 10 };
static int *fds;
static uint32_t max_packets;      /* counters per leg the seen map can hold */
static uint8_t *seen;             /* bit (from * max_packets + counter) */
static uint32_t *sent_by;         /* per leg, written by the sender thread only */
static uint32_t *received_from;   /* per sending leg: distinct packets its partner got */
static int64_t *last_rx_ns;       /* prompts: last arrival per leg */
static uint32_t hist[BINS + 1];   /* latency (bridge) or jitter (prompts) */
static uint32_t lag_hist[BINS + 1]; /* lateness of the sending tick against its deadline */
static uint64_t received, duplicates, foreign, send_errors, user_timestamps;
static int64_t start_mono_ns, end_mono_ns, measure_from_rt_ns, rt_offset_ns;
static struct rusage rusage_at_end; /* when the send window closed (before the drain) */
static int window_closed;
static volatile sig_atomic_t stop_signal;

static int64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_signal(int sig) { stop_signal = sig; }

static void record(uint32_t *h, int64_t ns) {
  int64_t bin = ns <= 0 ? 0 : ns / BIN_NS;
  h[bin < BINS ? bin : BINS]++;
}

/* p-th percentile in ms, upper edge of the bin (as percentileOf in histogram.ts); -1 when empty */
static double percentile(const uint32_t *h, double p) {
  uint64_t n = 0, seen_n = 0;
  for (int i = 0; i <= BINS; i++) n += h[i];
  if (n == 0) return -1;
  uint64_t rank = (uint64_t)((p / 100.0) * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  for (int i = 0; i <= BINS; i++) {
    seen_n += h[i];
    if (seen_n >= rank) return (double)(i + 1) * BIN_NS / 1e6;
  }
  return (double)BINS * BIN_NS / 1e6;
}

static uint64_t total(const uint32_t *h) {
  uint64_t n = 0;
  for (int i = 0; i <= BINS; i++) n += h[i];
  return n;
}

static double cpu_ms(const struct rusage *a, const struct rusage *b, int which) {
  const struct timeval *x = which ? &a->ru_stime : &a->ru_utime;
  const struct timeval *y = which ? &b->ru_stime : &b->ru_utime;
  return (double)(y->tv_sec - x->tv_sec) * 1e3 + (double)(y->tv_usec - x->tv_usec) / 1e3;
}

static void put_be32(uint8_t *p, uint32_t v) { v = htonl(v); memcpy(p, &v, 4); }
static uint32_t get_be32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return ntohl(v); }
static void put_be64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; } }
static uint64_t get_be64(const uint8_t *p) { uint64_t v = 0; for (int i = 0; i < 8; i++) v = (v << 8) | p[i]; return v; }

static struct timespec to_ts(int64_t ns) {
  struct timespec ts = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
  return ts;
}

/* Sends the packets of the legs in phase `tick % phases` (bridge mode). */
static void send_phase(uint64_t tick, const uint32_t *ssrc) {
  static uint8_t pkt[PACKET_BYTES];
  if (pkt[0] == 0) memset(pkt, 0xff, sizeof pkt);
  for (int i = (int)(tick % (uint64_t)cfg.phases); i < cfg.legs; i += cfg.phases) {
    uint32_t n = sent_by[i];
    if (n >= max_packets) continue;
    pkt[0] = 0x80; /* V=2 */
    pkt[1] = 0;    /* PT 0 PCMU */
    pkt[2] = (uint8_t)(n >> 8);
    pkt[3] = (uint8_t)n;
    put_be32(pkt + 4, n * 160u);
    put_be32(pkt + 8, ssrc[i]);
    put_be32(pkt + 12, (uint32_t)i);
    put_be32(pkt + 16, n);
    put_be64(pkt + 20, (uint64_t)now_ns(CLOCK_REALTIME));
    if (send(fds[i], pkt, sizeof pkt, MSG_DONTWAIT) != (ssize_t)sizeof pkt) send_errors++;
    sent_by[i] = n + 1;
  }
}

static void on_packet(int leg, const uint8_t *buf, size_t len, int64_t at_rt) {
  if (cfg.mode == MODE_PROMPTS) {
    if (at_rt < start_mono_ns + rt_offset_ns) return; /* queued before "go" */
    received++;
    if (last_rx_ns[leg] > 0 && at_rt >= measure_from_rt_ns) {
      int64_t gap = at_rt - last_rx_ns[leg] - PTIME_NS;
      record(hist, gap < 0 ? -gap : gap);
    }
    last_rx_ns[leg] = at_rt;
    return;
  }
  if (len < 28) { foreign++; return; }
  uint32_t from = get_be32(buf + 12), counter = get_be32(buf + 16);
  if (from >= (uint32_t)cfg.legs || (from ^ 1u) != (uint32_t)leg || counter >= max_packets) { foreign++; return; }
  uint64_t bit = (uint64_t)from * max_packets + counter;
  uint8_t mask = (uint8_t)(1u << (bit & 7));
  if (seen[bit >> 3] & mask) { duplicates++; return; }
  seen[bit >> 3] |= mask;
  received++;
  received_from[from]++;
  int64_t sent_at = (int64_t)get_be64(buf + 20);
  if (sent_at >= measure_from_rt_ns) record(hist, at_rt - sent_at);
}

/* Every ready leg, recvmmsg until its queue is empty; epoll_wait never blocks here. */
static void drain(int ep) {
  static uint8_t bufs[RX_BATCH][RX_BUF];
  static char ctrl[RX_BATCH][CMSG_SPACE(sizeof(struct timespec))];
  static struct mmsghdr msgs[RX_BATCH];
  static struct iovec iov[RX_BATCH];
  static struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(ep, events, MAX_EVENTS, 0);
    for (int e = 0; e < n; e++) {
      int leg = (int)events[e].data.u32;
      for (int i = 0; i < RX_BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = RX_BUF;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_control = ctrl[i];
        msgs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
      }
      int got = recvmmsg(fds[leg], msgs, RX_BATCH, MSG_DONTWAIT, NULL);
      int64_t fallback = 0;
      for (int i = 0; i < got; i++) {
        int64_t at = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            at = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
          }
        }
        if (at == 0) {
          if (fallback == 0) fallback = now_ns(CLOCK_REALTIME);
          at = fallback;
          user_timestamps++;
        }
        on_packet(leg, bufs[i], msgs[i].msg_len, at);
      }
    }
    if (n < MAX_EVENTS) return;
  }
}

/*
 * The one thread: wake at each tick (clock_nanosleep TIMER_ABSTIME, CLOCK_MONOTONIC),
 * send that phase's packets, then drain every ready socket. Nobody ever blocks in
 * epoll_wait, so a packet arriving wakes no one: neither the engine's send() nor ours
 * pays for a wake-up of the receiving peer (on a real network it would not either),
 * and the arrival time still comes from the kernel's timestamp, not from the drain.
 */
static void run_loop(int ep) {
  uint32_t *ssrc = malloc(sizeof(uint32_t) * (size_t)cfg.legs);
  if (!ssrc) return;
  for (int i = 0; i < cfg.legs; i++) ssrc[i] = 0x4c430000u ^ (uint32_t)((uint32_t)i * 2654435761u);
  const int64_t period = PTIME_NS / cfg.phases;
  const int64_t stop_at = end_mono_ns + (cfg.mode == MODE_BRIDGE ? cfg.drain_ms * 1000000LL : 0);
  for (uint64_t tick = 0; !stop_signal; tick++) {
    int64_t deadline = start_mono_ns + (int64_t)tick * period;
    if (deadline > stop_at) break;
    struct timespec ts = to_ts(deadline);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_signal) {}
    if (stop_signal) break;
    if (deadline < end_mono_ns) {
      if (cfg.mode == MODE_BRIDGE) {
        record(lag_hist, now_ns(CLOCK_MONOTONIC) - deadline);
        send_phase(tick, ssrc);
      }
    } else if (!window_closed) {
      drain(ep); /* what arrived inside the window counts towards its CPU */
      getrusage(RUSAGE_SELF, &rusage_at_end);
      window_closed = 1;
    }
    drain(ep);
  }
  free(ssrc);
}

static int parse_args(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--mode")) cfg.mode = !strcmp(v, "prompts") ? MODE_PROMPTS : MODE_BRIDGE;
    else if (!strcmp(k, "--base-port")) cfg.base_port = atoi(v);
    else if (!strcmp(k, "--legs")) cfg.legs = atoi(v);
    else if (!strcmp(k, "--seconds")) cfg.seconds = atoi(v);
    else if (!strcmp(k, "--warmup-ms")) cfg.warmup_ms = atoi(v);
    else if (!strcmp(k, "--drain-ms")) cfg.drain_ms = atoi(v);
    else if (!strcmp(k, "--phases")) cfg.phases = atoi(v);
    else return -1;
  }
  if (cfg.base_port < 1024 || cfg.legs < 1 || cfg.legs > MAX_LEGS || cfg.base_port + cfg.legs > 65536) return -1;
  if (cfg.seconds < 1 || cfg.seconds > MAX_SECONDS || cfg.phases < 1 || cfg.phases > 100) return -1;
  if (cfg.warmup_ms < 0 || cfg.drain_ms < 0 || cfg.drain_ms > 10000) return -1;
  if (cfg.mode == MODE_BRIDGE && cfg.legs % 2) return -1;
  return 0;
}

static int open_legs(int ep) {
  for (int i = 0; i < cfg.legs; i++) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    int one = 1, buf = 1 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)(cfg.base_port + i)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
      fprintf(stderr, "rtp-peers: bind 127.0.0.1:%d: %s\n", cfg.base_port + i, strerror(errno));
      return -1;
    }
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) < 0) return -1;
    fds[i] = s;
  }
  return 0;
}

/* bridge: M target ports; prompts: "go". 0 when complete. */
static int read_targets(void) {
  char line[64];
  if (cfg.mode == MODE_PROMPTS) return fgets(line, sizeof line, stdin) ? 0 : -1;
  for (int i = 0; i < cfg.legs; i++) {
    if (!fgets(line, sizeof line, stdin)) return -1;
    int port = atoi(line);
    if (port < 1 || port > 65535) return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fds[i], (struct sockaddr *)&a, sizeof a) < 0) return -1;
  }
  return 0;
}

static void print_summary(enum stop_reason why, double wall_ms, const struct rusage *r0, const struct rusage *r1) {
  const char *reason = why == STOP_DURATION ? "duration" : why == STOP_SIGNAL ? "signal" : "alarm";
  printf("{\"mode\":\"%s\",\"legs\":%d,\"basePort\":%d,\"seconds\":%d,\"phases\":%d,\"stopped\":\"%s\"",
         cfg.mode == MODE_BRIDGE ? "bridge" : "prompts", cfg.legs, cfg.base_port, cfg.seconds, cfg.phases, reason);
  printf(",\"received\":%" PRIu64 ",\"wallMs\":%.1f,\"cpuMs\":%.1f,\"cpuUserMs\":%.1f,\"cpuSystemMs\":%.1f",
         received, wall_ms, cpu_ms(r0, r1, 0) + cpu_ms(r0, r1, 1), cpu_ms(r0, r1, 0), cpu_ms(r0, r1, 1));
  printf(",\"userTimestamps\":%" PRIu64, user_timestamps);
  if (cfg.mode == MODE_BRIDGE) {
    uint64_t sent = 0, first = 0, middle = 0, last = 0, calls_with_loss = 0;
    for (int leg = 0; leg < cfg.legs; leg++) {
      uint32_t n = sent_by[leg];
      uint64_t lost_before = first + middle + last;
      sent += n;
      for (uint32_t c = 0; c < n; c++) {
        uint64_t bit = (uint64_t)leg * max_packets + c;
        if (seen[bit >> 3] & (1u << (bit & 7))) continue;
        if (c == 0) first++;
        else if (c == n - 1) last++;
        else middle++;
      }
      /* a call has loss when either of its legs (2k, 2k+1) lost a packet; count it once */
      if (first + middle + last > lost_before && (leg % 2 == 0 || received_from[leg - 1] == sent_by[leg - 1])) calls_with_loss++;
    }
    printf(",\"sent\":%" PRIu64 ",\"duplicates\":%" PRIu64 ",\"foreign\":%" PRIu64 ",\"sendErrors\":%" PRIu64, sent, duplicates, foreign, send_errors);
    printf(",\"callsWithLoss\":%" PRIu64, calls_with_loss);
    printf(",\"lost\":{\"first\":%" PRIu64 ",\"middle\":%" PRIu64 ",\"last\":%" PRIu64 "}", first, middle, last);
    printf(",\"latencyMs\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f,\"samples\":%" PRIu64 "}",
           percentile(hist, 50), percentile(hist, 99), percentile(hist, 100), total(hist));
    printf(",\"senderLagMs\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f}", percentile(lag_hist, 50), percentile(lag_hist, 99), percentile(lag_hist, 100));
    /* pairs[k] = [packets of leg 2k its partner received, packets of leg 2k+1 its partner received] */
    printf(",\"pairs\":[");
    for (int k = 0; k < cfg.legs / 2; k++) printf("%s[%u,%u]", k ? "," : "", received_from[2 * k], received_from[2 * k + 1]);
    printf("]");
  } else {
    printf(",\"jitterMs\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f,\"samples\":%" PRIu64 "}",
           percentile(hist, 50), percentile(hist, 99), percentile(hist, 100), total(hist));
  }
  printf(",\"bins\":[");
  for (int i = 0, first = 1; i <= BINS; i++) {
    if (!hist[i]) continue;
    printf("%s[%d,%u]", first ? "" : ",", i, hist[i]);
    first = 0;
  }
  printf("]}\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (parse_args(argc, argv) < 0) {
    fprintf(stderr, "usage: rtp-peers --mode bridge|prompts --base-port P --legs M --seconds S [--warmup-ms 1000] [--drain-ms 1000] [--phases 10]\n");
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: a blocked fgets returns on SIGTERM */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* safety cap: never outlive the run by more than a minute, even if stdin never comes */
  alarm((unsigned)(cfg.seconds + cfg.drain_ms / 1000 + 61));

  max_packets = (uint32_t)((int64_t)cfg.seconds * 1000000000LL / PTIME_NS + 2);
  fds = calloc((size_t)cfg.legs, sizeof *fds);
  sent_by = calloc((size_t)cfg.legs, sizeof *sent_by);
  received_from = calloc((size_t)cfg.legs, sizeof *received_from);
  last_rx_ns = calloc((size_t)cfg.legs, sizeof *last_rx_ns);
  seen = calloc(((size_t)cfg.legs * max_packets + 7) / 8, 1);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (!fds || !sent_by || !received_from || !last_rx_ns || !seen || ep < 0) return 4;
  if (open_legs(ep) < 0) return 3;
  printf("{\"ready\":true,\"legs\":%d,\"basePort\":%d}\n", cfg.legs, cfg.base_port);
  fflush(stdout);

  struct rusage r0, r1;
  double wall_ms = 0;
  int started = read_targets() == 0 && !stop_signal;
  getrusage(RUSAGE_SELF, &r0);
  r1 = r0;
  if (started) {
    rt_offset_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
    start_mono_ns = now_ns(CLOCK_MONOTONIC) + 2000000; /* first tick 2 ms from now */
    end_mono_ns = start_mono_ns + (int64_t)cfg.seconds * 1000000000LL;
    measure_from_rt_ns = start_mono_ns + rt_offset_ns + (int64_t)cfg.warmup_ms * 1000000LL;
    run_loop(ep);
    if (window_closed) {
      r1 = rusage_at_end;
      wall_ms = (double)(end_mono_ns - start_mono_ns) / 1e6;
    } else { /* stopped by a signal inside the window */
      getrusage(RUSAGE_SELF, &r1);
      wall_ms = (double)(now_ns(CLOCK_MONOTONIC) - start_mono_ns) / 1e6;
    }
  }
  enum stop_reason why = stop_signal == SIGALRM ? STOP_ALARM : stop_signal ? STOP_SIGNAL : STOP_DURATION;
  print_summary(why, wall_ms, &r0, &r1);
  return 0;
}
