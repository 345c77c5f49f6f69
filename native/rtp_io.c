/*
 * livecall's native RTP socket I/O (Linux): the embedded media engine's UDP sockets,
 * read in batches on Node's own event loop thread.
 *
 * Why: Node's dgram costs ~14 µs per relayed RTP packet on this class of machine (one
 * libuv read, one Buffer and one rinfo object with an address string per packet, one
 * EventEmitter emit, one SendWrap per send). A bridged call moves 100 packets/s, so
 * 1,000 calls need 1.4 cores of dgram alone. Here:
 *
 *   - every socket of an io sits in ONE epoll set; libuv watches that epoll fd with a
 *     single uv_poll handle, so readiness costs one libuv callback per loop turn;
 *   - on that callback, recvmmsg() drains the ready sockets into a fixed arena shared
 *     with JS (SLOT_BYTES per packet) and writes [slot, address, port, length] per packet
 *     into a shared Uint32Array: then ONE call into JS handles the whole batch;
 *   - send() is a plain sendto() on the caller's thread, no request object;
 *   - a timerfd in the same epoll set gives JS a wake-up at an absolute CLOCK_MONOTONIC
 *     deadline with µs precision (libuv timers have 1 ms), for the 20 ms media pacer.
 *
 * Everything runs on the event loop thread: no locks, no thread-safe functions. All
 * RTP/media logic stays in TypeScript; this file only moves datagrams.
 *
 * JS API (rtp/native-io.ts wraps it):
 *   open(arena: Uint8Array, meta: Uint32Array, onBatch(count, timerFired)) → io
 *   bind(io, hostU32, port, rcvbuf) → slot ≥ 0, or −errno
 *   send(io, slot, bytes: Uint8Array, addressU32, port) → bytes sent, or −errno
 *   unbind(io, slot)
 *   armTimer(io, deadlineMs)   (CLOCK_MONOTONIC ms, as process.hrtime) / disarmTimer(io)
 *   destroy(io)
 *   BATCH, SLOT_BYTES, META_FIELDS
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define SLOT_BYTES 2048
#define META_FIELDS 4
/** meta length field: set when the datagram was longer than SLOT_BYTES (cut, to be dropped) */
#define TRUNCATED_FLAG 0x80000000u
#define TIMER_TAG 0xffffffffu
#define MAX_EVENTS 256
/**
 * At most this many datagrams from one socket per turn: a socket flooded by a hostile or
 * broken sender cannot fill the batch and delay every other call by a turn; what it
 * has left stays queued (level-triggered) for the next turn. A bridged leg gets one
 * packet per 20 ms, so this only ever limits a flood or a long stall's backlog.
 */
#define PER_SOCKET_PER_TURN 16

typedef struct io {
  napi_env env;
  uv_poll_t poll;
  int epfd;
  int tfd;
  /** fds[slot], −1 when free; slots are handed out round-robin so one is not reused at once */
  int *fds;
  uint32_t cap;
  uint32_t cursor;
  uint32_t open_sockets;
  int timer_armed;
  int loop_ref;
  int destroyed;
  /** inside the JS batch callback: teardown then leaves the async context to call_js */
  int in_js;
  /**
   * napi_add_async_cleanup_hook: when the environment (a worker, the process) ends with
   * the io open, the hook tears it down and the environment waits until the poll
   * handle's close callback has run — before the addon's code is unloaded.
   */
  napi_async_cleanup_hook_handle cleanup;
  uint8_t *arena;
  uint32_t *meta;
  napi_ref arena_ref;
  napi_ref meta_ref;
  napi_ref cb_ref;
  napi_async_context actx;
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in from[BATCH];
} io_t;

/* ── argument helpers ─────────────────────────────────────────────────────────── */

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, "LIVECALL_ERR_RTP_IO", #call " failed");   \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

static napi_value int_value(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

/** The io behind `v`, or NULL when it is gone (closing calls are quietly ignored then). */
static io_t *live_io(napi_env env, napi_value v) {
  io_t *io = NULL;
  if (napi_get_value_external(env, v, (void **)&io) != napi_ok || io == NULL || io->destroyed) return NULL;
  return io;
}

/** The io behind `v`; throws when it is gone (binding or sending on a closed io is a bug). */
static io_t *io_arg(napi_env env, napi_value v) {
  io_t *io = live_io(env, v);
  if (io == NULL) napi_throw_error(env, "LIVECALL_ERR_RTP_IO", "rtp io is closed");
  return io;
}

static struct sockaddr_in ipv4_address(uint32_t host, uint32_t port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(host)};
  return sa;
}

static int bytes_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, len, (void **)data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "LIVECALL_ERR_RTP_IO", "expected a Uint8Array");
    return -1;
  }
  return 0;
}

/* ── loop reference: keep the process alive while sockets are open or the timer is armed ── */

static void update_ref(io_t *io) {
  int want = !io->destroyed && (io->open_sockets > 0 || io->timer_armed);
  if (want == io->loop_ref) return;
  io->loop_ref = want;
  if (want) uv_ref((uv_handle_t *)&io->poll);
  else uv_unref((uv_handle_t *)&io->poll);
}

/* ── receive ─────────────────────────────────────────────────────────────────── */

/** Read up to PER_SOCKET_PER_TURN datagrams of one ready socket into msgs[count..]; returns the new count. */
static uint32_t drain(io_t *io, uint32_t slot, uint32_t count) {
  uint32_t room = BATCH - count;
  if (room > PER_SOCKET_PER_TURN) room = PER_SOCKET_PER_TURN;
  for (uint32_t i = count; i < count + room; i++) io->msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
  int n = recvmmsg(io->fds[slot], &io->msgs[count], room, MSG_DONTWAIT, NULL);
  if (n <= 0) return count; /* EAGAIN: nothing after all; any other error: try again next readiness */
  for (int i = 0; i < n; i++) {
    uint32_t k = count + (uint32_t)i;
    uint32_t *m = &io->meta[k * META_FIELDS];
    m[0] = slot;
    m[1] = ntohl(io->from[k].sin_addr.s_addr);
    m[2] = ntohs(io->from[k].sin_port);
    m[3] = io->msgs[k].msg_len | ((io->msgs[k].msg_hdr.msg_flags & MSG_TRUNC) ? TRUNCATED_FLAG : 0);
  }
  return count + (uint32_t)n;
}

static void call_js(io_t *io, uint32_t count, int timer_fired) {
  napi_env env = io->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[2], result;
  if (napi_get_reference_value(env, io->cb_ref, &cb) == napi_ok && cb != NULL) {
    napi_get_global(env, &recv);
    napi_create_uint32(env, count, &argv[0]);
    napi_create_uint32(env, (uint32_t)timer_fired, &argv[1]);
    /* make_callback runs process.nextTick callbacks and microtasks on the way out */
    io->in_js = 1;
    napi_status st = napi_make_callback(env, io->actx, recv, cb, 2, argv, &result);
    io->in_js = 0;
    if (io->destroyed) napi_async_destroy(env, io->actx); /* JS closed the io during the batch */
    if (st== napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

/** Rounds of epoll_wait per turn while some socket still had more than its share (a flood). */
#define MAX_ROUNDS 8

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  io_t *io = handle->data;
  if (io->destroyed) return;
  struct epoll_event ev[MAX_EVENTS];
  int timer_fired = 0;
  uint32_t count = 0;
  for (int round = 0; round < MAX_ROUNDS && count < BATCH; round++) {
    int n = epoll_wait(io->epfd, ev, MAX_EVENTS, 0);
    if (n <= 0) break;
    /* the timer first: a full batch must not push the pacer's wake-up to the next turn */
    for (int i = 0; i < n; i++) {
      if (ev[i].data.u32 != TIMER_TAG) continue;
      uint64_t expirations;
      if (read(io->tfd, &expirations, sizeof expirations) == (ssize_t)sizeof expirations && io->timer_armed) {
        timer_fired = 1;
        io->timer_armed = 0;
      }
    }
    /* level-triggered: whatever a socket has left (its share taken, or the batch full) stays ready */
    int more = 0;
    for (int i = 0; i < n && count < BATCH; i++) {
      uint32_t slot = ev[i].data.u32;
      if (slot == TIMER_TAG || slot >= io->cap || io->fds[slot] < 0) continue;
      uint32_t before = count;
      count = drain(io, slot, count);
      if (count - before == PER_SOCKET_PER_TURN) more = 1;
    }
    if (!more) break;
  }
  if (timer_fired) update_ref(io);
  if (count > 0 || timer_fired) call_js(io, count, timer_fired);
}

/* ── open / destroy ──────────────────────────────────────────────────────────── */

static void on_closed(uv_handle_t *handle) {
  io_t *io = handle->data;
  /* unregisters the hook, or tells the ending environment we are done */
  if (io->cleanup != NULL) napi_remove_async_cleanup_hook(io->cleanup);
  free(io->fds);
  free(io);
}

static void teardown(io_t *io);

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle;
  teardown(arg);
}

static void teardown(io_t *io) {
  if (io->destroyed) return;
  io->destroyed = 1;
  for (uint32_t s = 0; s < io->cap; s++) {
    if (io->fds[s] >= 0) close(io->fds[s]);
    io->fds[s] = -1;
  }
  io->open_sockets = 0;
  uv_poll_stop(&io->poll);
  close(io->tfd);
  close(io->epfd);
  napi_delete_reference(io->env, io->cb_ref);
  napi_delete_reference(io->env, io->arena_ref);
  napi_delete_reference(io->env, io->meta_ref);
  if (!io->in_js) napi_async_destroy(io->env, io->actx);
  uv_close((uv_handle_t *)&io->poll, on_closed);
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *arena;
  size_t arena_len;
  if (bytes_arg(env, argv[0], &arena, &arena_len) != 0) return NULL;
  napi_typedarray_type type;
  size_t meta_len, offset;
  void *meta;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &type, &meta_len, &meta, &ab, &offset) != napi_ok || type != napi_uint32_array ||
      meta_len < BATCH * META_FIELDS || arena_len < (size_t)BATCH * SLOT_BYTES) {
    napi_throw_range_error(env, "LIVECALL_ERR_RTP_IO", "arena or meta too small");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  io_t *io = calloc(1, sizeof(io_t));
  if (io == NULL) {
    napi_throw_error(env, "LIVECALL_ERR_RTP_IO", "out of memory");
    return NULL;
  }
  io->env = env;
  io->arena = arena;
  io->meta = meta;
  io->cap = 64;
  io->fds = malloc(sizeof(int) * io->cap);
  for (uint32_t s = 0; s < io->cap; s++) io->fds[s] = -1;
  io->epfd = epoll_create1(EPOLL_CLOEXEC);
  io->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (io->fds == NULL || io->epfd < 0 || io->tfd < 0) {
    int err = errno;
    if (io->epfd >= 0) close(io->epfd);
    if (io->tfd >= 0) close(io->tfd);
    free(io->fds);
    free(io);
    napi_throw_error(env, "LIVECALL_ERR_RTP_IO", strerror(err));
    return NULL;
  }
  struct epoll_event tev = {.events = EPOLLIN, .data.u32 = TIMER_TAG};
  epoll_ctl(io->epfd, EPOLL_CTL_ADD, io->tfd, &tev);
  for (uint32_t i = 0; i < BATCH; i++) {
    io->iov[i].iov_base = arena + (size_t)i * SLOT_BYTES;
    io->iov[i].iov_len = SLOT_BYTES;
    io->msgs[i].msg_hdr.msg_iov = &io->iov[i];
    io->msgs[i].msg_hdr.msg_iovlen = 1;
    io->msgs[i].msg_hdr.msg_name = &io->from[i];
  }
  napi_create_reference(env, argv[0], 1, &io->arena_ref);
  napi_create_reference(env, argv[1], 1, &io->meta_ref);
  napi_create_reference(env, argv[2], 1, &io->cb_ref);
  napi_value name;
  napi_create_string_utf8(env, "livecall:rtp-io", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &io->actx);
  uv_poll_init(loop, &io->poll, io->epfd);
  io->poll.data = io;
  uv_poll_start(&io->poll, UV_READABLE, on_poll);
  uv_unref((uv_handle_t *)&io->poll);
  if (napi_add_async_cleanup_hook(env, on_env_cleanup, io, &io->cleanup) != napi_ok) io->cleanup = NULL;
  napi_value out;
  CHECK(napi_create_external(env, io, NULL, NULL, &out));
  return out;
}

static napi_value js_destroy(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  io_t *io = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&io) == napi_ok && io != NULL) teardown(io); /* idempotent */
  return NULL;
}

/* ── sockets ─────────────────────────────────────────────────────────────────── */

static int take_slot(io_t *io) {
  for (uint32_t tried = 0; tried < io->cap; tried++) {
    uint32_t s = io->cursor;
    io->cursor = (io->cursor + 1) % io->cap;
    if (io->fds[s] < 0) return (int)s;
  }
  uint32_t cap = io->cap * 2;
  int *fds = realloc(io->fds, sizeof(int) * cap);
  if (fds == NULL) return -1;
  for (uint32_t s = io->cap; s < cap; s++) fds[s] = -1;
  io->fds = fds;
  io->cursor = io->cap + 1;
  io->cap = cap;
  return (int)(io->cursor - 1);
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  io_t *io = io_arg(env, argv[0]);
  if (io == NULL) return NULL;
  uint32_t host, port, rcvbuf;
  CHECK(napi_get_value_uint32(env, argv[1], &host));
  CHECK(napi_get_value_uint32(env, argv[2], &port));
  CHECK(napi_get_value_uint32(env, argv[3], &rcvbuf));
  if (port > 65535) return int_value(env, -EINVAL);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return int_value(env, -errno);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in sa = ipv4_address(host, port);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int err = errno;
    close(fd);
    return int_value(env, -err);
  }
  int slot = take_slot(io);
  if (slot < 0) {
    close(fd);
    return int_value(env, -ENOMEM);
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)slot};
  if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int err = errno;
    close(fd);
    return int_value(env, -err);
  }
  io->fds[slot] = fd;
  io->open_sockets++;
  update_ref(io);
  return int_value(env, slot);
}

static napi_value js_unbind(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  io_t *io = live_io(env, argv[0]);
  if (io == NULL) return NULL;
  uint32_t slot;
  CHECK(napi_get_value_uint32(env, argv[1], &slot));
  if (slot >= io->cap || io->fds[slot] < 0) return NULL;
  epoll_ctl(io->epfd, EPOLL_CTL_DEL, io->fds[slot], NULL);
  close(io->fds[slot]);
  io->fds[slot] = -1;
  io->open_sockets--;
  update_ref(io);
  return NULL;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  io_t *io = io_arg(env, argv[0]);
  if (io == NULL) return NULL;
  uint32_t slot, address, port;
  uint8_t *data;
  size_t len;
  CHECK(napi_get_value_uint32(env, argv[1], &slot));
  if (bytes_arg(env, argv[2], &data, &len) != 0) return NULL;
  CHECK(napi_get_value_uint32(env, argv[3], &address));
  CHECK(napi_get_value_uint32(env, argv[4], &port));
  if (slot >= io->cap || io->fds[slot] < 0) return int_value(env, -EBADF);
  if (port == 0 || port > 65535) return int_value(env, -EINVAL);
  struct sockaddr_in sa = ipv4_address(address, port);
  ssize_t sent = sendto(io->fds[slot], data, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof sa);
  return int_value(env, sent < 0 ? -errno : (int32_t)sent);
}

/* ── deadline timer ──────────────────────────────────────────────────────────── */

static napi_value js_arm_timer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  io_t *io = io_arg(env, argv[0]);
  if (io == NULL) return NULL;
  double deadline_ms;
  CHECK(napi_get_value_double(env, argv[1], &deadline_ms));
  if (!(deadline_ms > 0)) deadline_ms = 1e-6; /* 0 would disarm: "as soon as possible" instead */
  struct itimerspec spec = {0};
  double whole = (double)(int64_t)(deadline_ms / 1000.0);
  spec.it_value.tv_sec = (time_t)whole;
  spec.it_value.tv_nsec = (long)((deadline_ms - whole * 1000.0) * 1e6);
  if (spec.it_value.tv_nsec >= 1000000000L) {
    spec.it_value.tv_sec++;
    spec.it_value.tv_nsec -= 1000000000L;
  }
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
  if (timerfd_settime(io->tfd, TFD_TIMER_ABSTIME, &spec, NULL) != 0) return int_value(env, -errno);
  io->timer_armed = 1;
  update_ref(io);
  return int_value(env, 0);
}

static napi_value js_disarm_timer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  io_t *io = live_io(env, argv[0]);
  if (io == NULL) return NULL;
  struct itimerspec off = {0};
  timerfd_settime(io->tfd, 0, &off, NULL);
  io->timer_armed = 0;
  update_ref(io);
  return NULL;
}

/* ── module ──────────────────────────────────────────────────────────────────── */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"destroy", NULL, js_destroy, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unbind", NULL, js_unbind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"armTimer", NULL, js_arm_timer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"disarmTimer", NULL, js_disarm_timer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"BATCH", NULL, NULL, NULL, NULL, int_value(env, BATCH), napi_enumerable, NULL},
      {"SLOT_BYTES", NULL, NULL, NULL, NULL, int_value(env, SLOT_BYTES), napi_enumerable, NULL},
      {"META_FIELDS", NULL, NULL, NULL, NULL, int_value(env, META_FIELDS), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
