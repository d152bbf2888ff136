/* SPDX-License-Identifier: MIT */
/*
 * fuzz_channel.c - libFuzzer target for the generated u64 channel.
 *
 * Each input is a random single-threaded sequence of operations (send,
 * send_many, every receive call, clone, sender close, receiver close,
 * invalid calls, allocation failures) run against the real channel and a
 * reference model of it: per-lane FIFOs, senders bound to lanes by the
 * round-robin clock, and a receiver that serves lanes round-robin, one
 * whole-lane snapshot ("visit") at a time. Single-threaded, every result
 * is deterministic, so every status and the exact order of received values
 * are checked; at the end every value sent must have been received or
 * destroyed exactly once, and every rejected value neither.
 *
 * Input layout (see README.md in this folder):
 *   byte 0  lanes = 1 + b % 8
 *   byte 1  capacity: b < 96 -> 0 (unbounded), else 1 + b % 64
 *   byte 2  initial_buffer: b >= 240 -> 0 (default), else 1 + b % 16
 *   byte 3  bits 0-1 final close order (0: receiver first, 1: receiver
 *           last, 2/3: receiver after half of the senders); bit 2: no
 *           destroy hook; bit 3: spw_u64_channel() (defaults, no hook);
 *           bit 4: creating the channel first fails with SPW_NOMEM
 *           (after (b >> 6) % 3 allocations succeed); bit 5: the
 *           threaded mode (see "threaded mode" below)
 *   then pairs (op, arg): op & 15 is the operation, op >> 4 picks a sender.
 *
 * Build as a fuzzer:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *     -Iruntime -Igenerated tests/fuzz/fuzz_channel.c \
 *     generated/spillway_u64.c runtime/spillway_runtime.c -pthread
 * or as a replay program (any C11 compiler) with -DFUZZ_REPLAY_MAIN:
 *   ./replay FILE_OR_DIR...
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spillway_u64.h"

/* ---- failing ------------------------------------------------------------ */

static size_t cur_op; /* index of the operation being run, for messages */
static int trace;     /* replay -v: print every value received */

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn, format(printf, 2, 3)))
#endif
static void fail(int line, const char *fmt, ...);

static void fail(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_channel.c:%d: op #%zu: ", line, cur_op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond))                                              \
			fail(__LINE__, "check failed: " #cond " -- "      \
			     __VA_ARGS__);                                \
	} while (0)

static const char *st_name(spw_status st)
{
	switch (st) {
	case SPW_OK: return "OK";
	case SPW_EMPTY: return "EMPTY";
	case SPW_CLOSED: return "CLOSED";
	case SPW_FULL: return "FULL";
	case SPW_TIMEOUT: return "TIMEOUT";
	case SPW_NOMEM: return "NOMEM";
	case SPW_INVALID: return "INVALID";
	}
	return "?";
}

#define CHECK_ST(got, want, what)                                         \
	do {                                                              \
		spw_status got_ = (got), want_ = (want);                  \
		if (got_ != want_)                                        \
			fail(__LINE__, "%s returned %s, model expects %s", \
			     (what), st_name(got_), st_name(want_));       \
	} while (0)

/* ---- allocator with injectable failures --------------------------------- */

static int alloc_fail; /* while set, allocations fail ... */
static int alloc_skip; /* ... after this many more succeed */

static void *fz_alloc(size_t size, void *ctx)
{
	(void)ctx;
	if (alloc_fail && alloc_skip > 0) {
		alloc_skip--;
		return malloc(size);
	}
	return alloc_fail ? NULL : malloc(size);
}

static void fz_free(void *p, void *ctx)
{
	(void)ctx;
	free(p);
}

/* ---- the model ---------------------------------------------------------- */

#define MAX_LANES 8
#define MAX_SENDERS 16
#define NIL UINT32_MAX
/* Values are VBASE + i, i = 1, 2, ...: unique, increasing, all 64 bits. */
#define VBASE UINT64_C(0xA5F0000000000000)
#define MAX_TIMED_WAITS 3

enum vstate { V_NONE, V_QUEUED, V_RECEIVED, V_DESTROYED, V_REJECTED };

/* Per-value arrays, grown on demand and kept across inputs. */
static uint8_t *vstate;      /* enum vstate */
static uint8_t *vbatch_end;  /* last value of its send / send_many */
static uint32_t *vnext;      /* next value in the same lane FIFO */
static size_t vcap;
static uint64_t *scratch;    /* values for send_many */
static size_t scratch_cap;
static uint64_t *view_copy;  /* what the last view read */
static size_t view_copy_cap;

struct sender {
	spw_u64_sender *h;
	size_t lane;
};

static struct fz {
	/* configuration */
	size_t lanes, capacity;
	int hook;
	/* handles */
	spw_u64_receiver *rx;
	int rx_open;
	struct sender tx[MAX_SENDERS];
	size_t ntx;
	size_t clock; /* senders ever created */
	int freed;    /* the last handle closed */
	/* lanes: FIFOs of value indexes, linked through vnext */
	uint32_t head[MAX_LANES], tail[MAX_LANES];
	size_t count[MAX_LANES];
	size_t queued; /* sum of count[]: sent, not received (inflight) */
	/* receiver */
	size_t visit_lane, visit_left, cursor;
	/* accounting */
	uint32_t nvals; /* values created so far (indexes 1..nvals) */
	uint64_t sent_n, sent_sum, recv_n, recv_sum, destr_n, destr_sum;
	int teardown; /* the destroy hook may run now */
	int timed_waits;
	/* the last view, checked again until the next receive call */
	const uint64_t *view;
	size_t view_n;
	/* the descriptor: -1 until receiver_fd made it */
	int fd;
	int armed;           /* an empty non-blocking receive armed it */
	int expect_readable; /* a wake-up since: poll must say readable */
} G;

static void ensure_vals(size_t need)
{
	if (need + 1 > vcap) {
		size_t cap = vcap ? vcap : 4096;

		while (cap < need + 1)
			cap *= 2;
		vstate = realloc(vstate, cap);
		vbatch_end = realloc(vbatch_end, cap);
		vnext = realloc(vnext, cap * sizeof(*vnext));
		if (!vstate || !vbatch_end || !vnext)
			abort();
		vcap = cap;
	}
	if (need > scratch_cap) {
		scratch_cap = need * 2;
		scratch = realloc(scratch, scratch_cap * sizeof(*scratch));
		if (!scratch)
			abort();
	}
}

static uint32_t new_value(void)
{
	uint32_t i = ++G.nvals;

	ensure_vals(i);
	vstate[i] = V_NONE;
	vbatch_end[i] = 0;
	vnext[i] = NIL;
	return i;
}

static uint64_t val_of(uint32_t i) { return VBASE + i; }

static uint32_t idx_of(uint64_t v, const char *what)
{
	if (v <= VBASE || v - VBASE > G.nvals)
		fail(__LINE__, "%s: 0x%llx was never sent", what,
		     (unsigned long long)v);
	return (uint32_t)(v - VBASE);
}

static void model_push(size_t lane, uint32_t i)
{
	vnext[i] = NIL;
	if (G.count[lane] == 0)
		G.head[lane] = i;
	else
		vnext[G.tail[lane]] = i;
	G.tail[lane] = i;
	G.count[lane]++;
	G.queued++;
	vstate[i] = V_QUEUED;
}

/* Start a visit if the current one is used up. 0: nothing to take. */
static int model_ensure_visit(void)
{
	size_t k, l;

	if (G.visit_left != 0)
		return 1;
	for (k = 0, l = G.cursor; k < G.lanes; k++, l = (l + 1) % G.lanes) {
		if (G.count[l] != 0) {
			G.visit_lane = l;
			G.visit_left = G.count[l]; /* a snapshot */
			G.cursor = (l + 1) % G.lanes;
			return 1;
		}
	}
	return 0;
}

/* The value the receiver must hand out next (removed from the model). */
static uint32_t model_take(void)
{
	size_t l;
	uint32_t i;

	if (!model_ensure_visit())
		fail(__LINE__, "model_take with nothing queued");
	l = G.visit_lane;
	i = G.head[l];
	G.head[l] = vnext[i];
	G.count[l]--;
	G.queued--;
	G.visit_left--;
	return i;
}

/* The receiver handed out v: it must be the model's next value. */
static void got_value(uint64_t v, const char *what)
{
	uint32_t want, i = idx_of(v, what);

	if (G.queued == 0)
		fail(__LINE__, "%s handed out 0x%llx, model has nothing queued",
		     what, (unsigned long long)v);
	want = model_take();
	if (i != want)
		fail(__LINE__,
		     "%s handed out value #%u (state %d), model expects #%u",
		     what, i, vstate[i], want);
	if (vstate[i] != V_QUEUED)
		fail(__LINE__, "%s: value #%u in state %d", what, i, vstate[i]);
	vstate[i] = V_RECEIVED;
	if (trace)
		fprintf(stderr, "  op #%zu %s: #%u (lane %zu)\n", cur_op, what,
			i, G.visit_lane);
	G.recv_n++;
	G.recv_sum += v;
}

static void destroy_hook(void *elem, void *ctx)
{
	uint64_t v;
	uint32_t i;

	if (ctx != &G)
		fail(__LINE__, "destroy hook got ctx %p, not %p", ctx,
		     (void *)&G);
	if (!G.teardown)
		fail(__LINE__, "destroy hook ran before the last handle closed");
	memcpy(&v, elem, sizeof(v));
	i = idx_of(v, "destroy hook");
	if (vstate[i] != V_QUEUED)
		fail(__LINE__, "destroy hook got value #%u in state %d", i,
		     vstate[i]);
	vstate[i] = V_DESTROYED;
	G.destr_n++;
	G.destr_sum += v;
}

/* The last handle is closing: every queued value is destroyed now. */
static void before_teardown(void)
{
	G.teardown = 1;
}

static void after_teardown(void)
{
	size_t l;
	uint64_t left = 0;

	G.teardown = 0;
	G.freed = 1;
	for (l = 0; l < G.lanes; l++) {
		uint32_t i;

		for (i = G.head[l]; G.count[l] != 0 && i != NIL; i = vnext[i]) {
			if (G.hook && vstate[i] != V_DESTROYED)
				fail(__LINE__,
				     "value #%u (lane %zu) was not destroyed "
				     "at teardown", i, l);
			vstate[i] = V_DESTROYED;
			left++;
			if (i == G.tail[l])
				break;
		}
		G.count[l] = 0;
	}
	if (G.hook && left != G.destr_n)
		fail(__LINE__, "teardown destroyed %llu values, model had %llu",
		     (unsigned long long)G.destr_n, (unsigned long long)left);
	if (!G.hook)
		G.destr_n = left; /* for the final balance */
	G.queued = 0;
}

/* The last view must still read the same until the next receive call. */
static void check_view(void)
{
	if (G.view != NULL && memcmp(G.view, view_copy,
				     G.view_n * sizeof(*scratch)) != 0)
		fail(__LINE__, "a recv_batch view of %zu values changed "
		     "before the next receive call", G.view_n);
}

/*
 * len and sender_len against the model: the receiver's count is exact;
 * a sender's counts the rest of the current visit as received (with a
 * capacity both are the capacity counter).
 */
static void check_len(void)
{
	size_t n = SIZE_MAX, want;

	if (!G.rx_open)
		return;
	if (spw_u64_len(G.rx, &n) != SPW_OK || n != G.queued)
		fail(__LINE__, "len %zu, model has %zu queued", n, G.queued);
	if (G.ntx == 0)
		return;
	want = G.capacity != 0 ? G.queued : G.queued - G.visit_left;
	n = SIZE_MAX;
	if (spw_u64_sender_len(G.tx[0].h, &n) != SPW_OK || n != want)
		fail(__LINE__, "sender_len %zu, want %zu", n, want);
}

static void receive_call(void)
{
	G.view = NULL;
	G.view_n = 0;
}

/* The descriptor must be readable after a wake-up (no lost wake-up). */
static void check_fd(const char *after)
{
	struct pollfd p;
	int r;

	if (G.fd < 0 || !G.expect_readable)
		return;
	do {
		p.fd = G.fd;
		p.events = POLLIN;
		p.revents = 0;
		r = poll(&p, 1, 0);
	} while (r < 0 && errno == EINTR);
	if (r != 1 || !(p.revents & POLLIN))
		fail(__LINE__, "the receiver's descriptor is not readable after "
		     "%s woke the armed receiver", after);
}

/* A send was accepted or the last sender closed: an armed receiver wakes. */
static void fd_wake(const char *what)
{
	if (G.fd >= 0 && G.armed) {
		G.armed = 0;
		G.expect_readable = 1;
		check_fd(what);
	}
}

/*
 * A non-blocking receive returned `st`: empty (EMPTY, TIMEOUT) re-arms
 * the descriptor (empties it, parks); anything else leaves it alone.
 */
static void fd_after_nowait(spw_status st)
{
	if (G.fd >= 0 && (st == SPW_EMPTY || st == SPW_TIMEOUT)) {
		G.armed = 1;
		G.expect_readable = 0;
	}
}

/* ---- operations ---------------------------------------------------------- */

static int model_has_senders(void) { return G.ntx != 0; }

/* Send n fresh values on sender k through send (one) or send_many. */
static void op_send(size_t k, size_t n, int many, int may_nomem)
{
	struct sender *s = &G.tx[k];
	uint32_t first = G.nvals + 1;
	spw_status want, st;
	size_t j;

	ensure_vals(G.nvals + n + 1);
	for (j = 0; j < n; j++)
		scratch[j] = val_of(new_value());

	if (many && n == 0)
		want = SPW_OK;
	else if (!G.rx_open)
		want = SPW_CLOSED;
	else if (G.capacity != 0 && G.queued + n > G.capacity)
		want = SPW_FULL;
	else
		want = SPW_OK;

	if (many)
		st = spw_u64_send_many(s->h, scratch, n);
	else
		st = spw_u64_send(s->h, scratch[0]);
	if (!(may_nomem && want == SPW_OK && st == SPW_NOMEM))
		CHECK_ST(st, want, many ? "send_many" : "send");
	check_view(); /* a send must not touch the last view */

	for (j = 0; j < n; j++) {
		uint32_t i = first + (uint32_t)j;

		if (st == SPW_OK) {
			model_push(s->lane, i);
			G.sent_n++;
			G.sent_sum += val_of(i);
		} else {
			vstate[i] = V_REJECTED;
		}
	}
	if (st == SPW_OK && n != 0) {
		vbatch_end[first + n - 1] = 1;
		fd_wake(many ? "send_many" : "send");
	}
}

/* What a one-value receive must return, from the model. */
static spw_status want_recv(spw_status nothing)
{
	if (G.queued != 0)
		return SPW_OK;
	return model_has_senders() ? nothing : SPW_CLOSED;
}

static int would_block(void)
{
	return G.queued == 0 && model_has_senders();
}

enum { R_TRY, R_WAIT, R_TIMEOUT0, R_TIMEOUT };

static void op_recv_one(int kind, uint64_t timeout_ns)
{
	uint64_t v = 0;
	spw_status st, want;
	const char *what;

	receive_call();
	switch (kind) {
	case R_WAIT:
		want = want_recv(SPW_EMPTY);
		st = spw_u64_recv(G.rx, &v);
		what = "recv";
		break;
	case R_TRY:
		want = want_recv(SPW_EMPTY);
		st = spw_u64_try_recv(G.rx, &v);
		what = "try_recv";
		break;
	case R_TIMEOUT0:
		want = want_recv(SPW_TIMEOUT);
		st = spw_u64_recv_timeout(G.rx, &v, 0);
		what = "recv_timeout(0)";
		break;
	default:
		want = want_recv(SPW_TIMEOUT);
		st = spw_u64_recv_timeout(G.rx, &v, timeout_ns);
		what = "recv_timeout";
		break;
	}
	CHECK_ST(st, want, what);
	if (st == SPW_OK)
		got_value(v, what);
	if (kind == R_TRY || kind == R_TIMEOUT0)
		fd_after_nowait(st);
	else if (kind == R_TIMEOUT && st == SPW_TIMEOUT)
		G.armed = 0; /* it parked: parked is 0 again afterwards */
}

static void op_view(int wait)
{
	const uint64_t *items = (const uint64_t *)&items;
	size_t n = 12345, j;
	spw_status st, want = want_recv(SPW_EMPTY);
	const char *what = wait ? "recv_batch" : "try_recv_batch";

	receive_call();
	st = wait ? spw_u64_recv_batch(G.rx, &items, &n) :
		    spw_u64_try_recv_batch(G.rx, &items, &n);
	CHECK_ST(st, want, what);
	if (!wait)
		fd_after_nowait(st);
	if (st != SPW_OK) {
		CHECK(items == NULL && n == 0, "%s: %s must give NULL, 0", what,
		      st_name(st));
		return;
	}
	CHECK(items != NULL && n >= 1, "%s: OK with an empty view (n %zu)",
	      what, n);
	model_ensure_visit();
	if (n > G.visit_left)
		fail(__LINE__, "%s: view of %zu values, but only %zu are left "
		     "in the visit of lane %zu", what, n, G.visit_left,
		     G.visit_lane);
	for (j = 0; j < n; j++)
		got_value(items[j], what);
	/* A batch is never split across two views: a view ends a batch. */
	CHECK(vbatch_end[idx_of(items[n - 1], what)],
	      "%s: view of %zu ends inside a send_many batch", what, n);
	if (n > view_copy_cap) {
		view_copy_cap = n * 2;
		view_copy = realloc(view_copy,
				    view_copy_cap * sizeof(*view_copy));
		if (view_copy == NULL)
			abort();
	}
	memcpy(view_copy, items, n * sizeof(*items));
	G.view = items;
	G.view_n = n;
}

static void op_recv_many(size_t max)
{
	uint64_t out[64];
	size_t n = 12345, j, want_n;
	spw_status st, want;

	for (j = 0; j < 64; j++)
		out[j] = 0xDEADull;
	receive_call();
	if (max == 0) {
		want = SPW_OK;
		want_n = 0;
	} else {
		want = want_recv(SPW_EMPTY);
		want_n = G.queued < max ? G.queued : max;
	}
	st = spw_u64_recv_many(G.rx, out, max, &n);
	CHECK_ST(st, want, "recv_many");
	if (st == SPW_OK || st == SPW_CLOSED)
		CHECK(n == want_n, "recv_many(%zu) copied %zu, model expects "
		      "%zu", max, n, want_n);
	for (j = 0; j < n; j++)
		got_value(out[j], "recv_many");
	for (j = n; j < 64; j++)
		CHECK(out[j] == 0xDEADull, "recv_many(%zu) wrote out[%zu]",
		      max, j);
}

static void op_clone(size_t k, int may_nomem)
{
	spw_u64_sender *s = (spw_u64_sender *)&s;
	spw_status st;

	if (G.ntx == MAX_SENDERS)
		return;
	st = spw_u64_sender_clone(G.tx[k].h, &s);
	if (may_nomem && st == SPW_NOMEM) {
		CHECK(s == (spw_u64_sender *)&s, "clone NOMEM changed *out");
		return;
	}
	CHECK_ST(st, SPW_OK, "sender_clone");
	G.tx[G.ntx].h = s;
	G.tx[G.ntx].lane = G.clock++ % G.lanes;
	G.ntx++;
}

static void op_sender_close(size_t k)
{
	int last = G.ntx == 1 && !G.rx_open;

	check_view();
	if (last)
		before_teardown();
	CHECK_ST(spw_u64_sender_close(G.tx[k].h), SPW_OK, "sender_close");
	G.tx[k] = G.tx[--G.ntx];
	if (last)
		after_teardown();
	else if (G.ntx == 0 && G.rx_open)
		fd_wake("the last sender_close");
	if (G.rx_open)
		check_view(); /* closing a sender leaves the view alone */
}

static void op_receiver_close(void)
{
	int last = G.ntx == 0;

	receive_call();
	if (last)
		before_teardown();
	CHECK_ST(spw_u64_receiver_close(G.rx), SPW_OK, "receiver_close");
	G.rx_open = 0;
	G.rx = NULL;
	G.fd = -1;
	G.visit_left = 0;
	if (last)
		after_teardown();
}

/* Bad arguments: SPW_INVALID, and nothing changes (the model goes on). */
static void op_invalid(unsigned which, size_t k)
{
	spw_u64_sender *s = (spw_u64_sender *)&s;
	spw_u64_receiver *r = (spw_u64_receiver *)&r;
	spw_u64_sender *tx = G.ntx ? G.tx[k].h : NULL;
	const uint64_t *items = NULL;
	uint64_t v = 0, buf[4] = { 0, 0, 0, 0 };
	size_t n = 0;
	spw_config cfg = SPW_CONFIG_DEFAULT;

	switch (which % 20) {
	case 0: CHECK_ST(spw_u64_send(NULL, 1), SPW_INVALID, "send(NULL)"); break;
	case 1:
		CHECK_ST(spw_u64_send_many(NULL, buf, 2), SPW_INVALID,
			 "send_many(NULL)");
		break;
	case 2:
		if (tx)
			CHECK_ST(spw_u64_send_many(tx, NULL, 3), SPW_INVALID,
				 "send_many(values NULL, 3)");
		break;
	case 3:
		if (tx)
			CHECK_ST(spw_u64_send_many(tx, buf, SIZE_MAX),
				 SPW_INVALID, "send_many(SIZE_MAX)");
		break;
	case 4:
		if (tx) /* values NULL with n == 0 is a valid no-op */
			CHECK_ST(spw_u64_send_many(tx, NULL, 0), SPW_OK,
				 "send_many(NULL, 0)");
		break;
	case 5:
		CHECK_ST(spw_u64_sender_clone(NULL, &s), SPW_INVALID,
			 "sender_clone(NULL)");
		break;
	case 6:
		if (tx)
			CHECK_ST(spw_u64_sender_clone(tx, NULL), SPW_INVALID,
				 "sender_clone(tx, NULL)");
		break;
	case 7:
		CHECK_ST(spw_u64_sender_close(NULL), SPW_INVALID,
			 "sender_close(NULL)");
		break;
	case 8:
		CHECK_ST(spw_u64_receiver_close(NULL), SPW_INVALID,
			 "receiver_close(NULL)");
		break;
	case 9:
		CHECK_ST(spw_u64_recv(NULL, &v), SPW_INVALID, "recv(NULL)");
		CHECK_ST(spw_u64_try_recv(NULL, &v), SPW_INVALID,
			 "try_recv(NULL)");
		CHECK_ST(spw_u64_recv_timeout(NULL, &v, 5), SPW_INVALID,
			 "recv_timeout(NULL)");
		break;
	case 10:
		CHECK_ST(spw_u64_recv_batch(NULL, &items, &n), SPW_INVALID,
			 "recv_batch(NULL)");
		CHECK_ST(spw_u64_try_recv_batch(NULL, &items, &n),
			 SPW_INVALID, "try_recv_batch(NULL)");
		CHECK_ST(spw_u64_recv_many(NULL, buf, 4, &n), SPW_INVALID,
			 "recv_many(NULL)");
		break;
	case 11:
		CHECK_ST(spw_u64_channel(NULL, &r), SPW_INVALID,
			 "channel(NULL, rx)");
		CHECK_ST(spw_u64_channel(&s, NULL), SPW_INVALID,
			 "channel(tx, NULL)");
		CHECK_ST(spw_u64_channel_with(NULL, &s, &r), SPW_INVALID,
			 "channel_with(NULL)");
		break;
	case 12:
		cfg.lanes = (which & 0x20) ? 0 : SPW_MAX_LANES + 1;
		CHECK_ST(spw_u64_channel_with(&cfg, &s, &r), SPW_INVALID,
			 "channel_with(bad lanes)");
		cfg.lanes = 1;
		cfg.capacity = SPW_MAX_CAPACITY + 1;
		CHECK_ST(spw_u64_channel_with(&cfg, &s, &r), SPW_INVALID,
			 "channel_with(bad capacity)");
		cfg.capacity = 0;
		cfg.destroy_ctx = &G; /* a context without a hook */
		CHECK_ST(spw_u64_channel_with(&cfg, &s, &r), SPW_INVALID,
			 "channel_with(ctx without hook)");
		break;
	/* Receiver calls with a NULL out pointer: only with an open rx. */
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18:
	case 19:
		if (!G.rx_open)
			break;
		/* Not receive calls in effect: the view stays valid. */
		switch (which % 20) {
		case 13:
			CHECK_ST(spw_u64_recv(G.rx, NULL), SPW_INVALID,
				 "recv(rx, NULL)");
			break;
		case 14:
			CHECK_ST(spw_u64_try_recv(G.rx, NULL), SPW_INVALID,
				 "try_recv(rx, NULL)");
			CHECK_ST(spw_u64_recv_timeout(G.rx, NULL, 0),
				 SPW_INVALID, "recv_timeout(rx, NULL)");
			break;
		case 15:
			CHECK_ST(spw_u64_recv_batch(G.rx, NULL, &n),
				 SPW_INVALID, "recv_batch(rx, NULL, n)");
			CHECK_ST(spw_u64_recv_batch(G.rx, &items, NULL),
				 SPW_INVALID, "recv_batch(rx, items, NULL)");
			break;
		case 16:
			CHECK_ST(spw_u64_try_recv_batch(G.rx, NULL, &n),
				 SPW_INVALID, "try_recv_batch(rx, NULL, n)");
			CHECK_ST(spw_u64_try_recv_batch(G.rx, &items, NULL),
				 SPW_INVALID,
				 "try_recv_batch(rx, items, NULL)");
			break;
		case 17:
			CHECK_ST(spw_u64_recv_many(G.rx, NULL, 4, &n),
				 SPW_INVALID, "recv_many(rx, NULL, 4)");
			break;
		case 18:
			CHECK_ST(spw_u64_recv_many(G.rx, buf, 4, NULL),
				 SPW_INVALID, "recv_many(rx, buf, 4, NULL)");
			break;
		case 19:
			/* out NULL with max 0 is fine: OK, n = 0 */
			n = 99;
			CHECK_ST(spw_u64_recv_many(G.rx, NULL, 0, &n), SPW_OK,
				 "recv_many(rx, NULL, 0)");
			CHECK(n == 0, "recv_many(max 0) gave n %zu", n);
			break;
		}
		break;
	}
	CHECK(s == (spw_u64_sender *)&s && r == (spw_u64_receiver *)&r,
	      "an invalid call wrote an out pointer");
	check_view();
}

/*
 * Introspection and the descriptor (op 14): arg % 4 picks capacity and
 * sender_capacity, receiver_fd, the status strings and config helpers,
 * or a quiet spell: with nothing queued (and the timed-wait budget
 * left), an empty try_recv, 1.1 ms of sleep, and 17 more empty ones (the
 * receiver sheds its spares once the channel has been quiet for
 * SPW_SHED_IDLE_NS, reading the clock every 16th look); else a send.
 */
static void op_introspect(unsigned arg, size_t k, int may_nomem)
{
	size_t c = 12345;
	int fd = -2;
	spw_status st;
	spw_config cfg;

	switch (arg % 4) {
	case 0:
		if (G.rx_open) {
			CHECK_ST(spw_u64_capacity(G.rx, &c), SPW_OK, "capacity");
			CHECK(c == G.capacity, "capacity %zu, want %zu", c,
			      G.capacity);
			CHECK_ST(spw_u64_capacity(G.rx, NULL), SPW_INVALID,
				 "capacity(rx, NULL)");
		}
		if (G.ntx) {
			c = 12345;
			CHECK_ST(spw_u64_sender_capacity(G.tx[k].h, &c), SPW_OK,
				 "sender_capacity");
			CHECK(c == G.capacity, "sender_capacity %zu, want %zu",
			      c, G.capacity);
			CHECK_ST(spw_u64_sender_capacity(G.tx[k].h, NULL),
				 SPW_INVALID, "sender_capacity(tx, NULL)");
		}
		CHECK_ST(spw_u64_capacity(NULL, &c), SPW_INVALID,
			 "capacity(NULL)");
		CHECK_ST(spw_u64_sender_capacity(NULL, &c), SPW_INVALID,
			 "sender_capacity(NULL)");
		CHECK_ST(spw_u64_len(NULL, &c), SPW_INVALID, "len(NULL)");
		CHECK_ST(spw_u64_sender_len(NULL, &c), SPW_INVALID,
			 "sender_len(NULL)");
		CHECK_ST(spw_u64_trim(NULL), SPW_INVALID, "trim(NULL)");
		CHECK_ST(spw_u64_receiver_fd(NULL, &fd), SPW_INVALID,
			 "receiver_fd(NULL)");
		if (G.rx_open) {
			CHECK_ST(spw_u64_len(G.rx, NULL), SPW_INVALID,
				 "len(rx, NULL)");
			CHECK_ST(spw_u64_receiver_fd(G.rx, NULL), SPW_INVALID,
				 "receiver_fd(rx, NULL)");
		}
		break;
	case 1:
		if (!G.rx_open)
			break;
		st = spw_u64_receiver_fd(G.rx, &fd);
		if (may_nomem && G.fd < 0 && st == SPW_NOMEM)
			break; /* eventfd does not allocate, but may fail */
		CHECK_ST(st, SPW_OK, "receiver_fd");
		CHECK(fd >= 0, "receiver_fd gave %d", fd);
		if (G.fd >= 0)
			CHECK(fd == G.fd, "receiver_fd gave %d, then %d", G.fd,
			      fd);
		G.fd = fd;
		check_fd("a wake-up");
		break;
	case 2: {
		static const spw_status all[] = { SPW_OK, SPW_EMPTY, SPW_CLOSED,
						   SPW_FULL, SPW_TIMEOUT,
						   SPW_NOMEM, SPW_INVALID };
		size_t i, j;

		for (i = 0; i < 7; i++) {
			const char *a = spw_status_str(all[i]);

			CHECK(a != NULL && a[0] != '\0', "spw_status_str(%d)",
			      (int)all[i]);
			for (j = 0; j < i; j++)
				CHECK(strcmp(a, spw_status_str(all[j])) != 0,
				      "two statuses share a description");
		}
		CHECK(spw_status_str((spw_status)99) != NULL,
		      "spw_status_str(99) is NULL");
		memset(&cfg, 0xff, sizeof(cfg));
		spw_config_init(&cfg);
		CHECK(cfg.lanes == SPW_DEFAULT_LANES && cfg.capacity == 0 &&
		      cfg.initial_buffer == 0 && cfg.destroy == NULL &&
		      cfg.destroy_ctx == NULL, "spw_config_init");
		spw_config_init(NULL);
		CHECK_ST(spw_config_check(&cfg), SPW_OK, "spw_config_check");
		cfg.initial_buffer = SPW_MAX_INITIAL_BUFFER + 1;
		CHECK_ST(spw_config_check(&cfg), SPW_INVALID,
			 "spw_config_check(initial_buffer too large)");
		CHECK_ST(spw_config_check(NULL), SPW_INVALID,
			 "spw_config_check(NULL)");
		break;
	}
	default:
		if (G.rx_open && would_block() &&
		    G.timed_waits++ < MAX_TIMED_WAITS) {
			struct timespec ts = { 0, 1100000L };
			int i;

			op_recv_one(R_TRY, 0);
			nanosleep(&ts, NULL);
			for (i = 0; i < 17; i++)
				op_recv_one(R_TRY, 0);
		} else if (G.ntx) {
			op_send(k, 1, 0, may_nomem);
		}
		break;
	}
}

/* ---- threaded mode --------------------------------------------------------- */

/*
 * Byte 3 bit 5: several sender threads at once (the paths one thread
 * cannot reach: parking and waking, a lane's bias revoked by a second
 * thread, the eventfd woken from another thread). byte 4: 1 + b % 4
 * sender threads; the rest of the input is dealt round-robin to the
 * sender threads and the receiver (the last share). Interleavings are
 * the scheduler's, so the check is the per-sender order of the model,
 * not the exact order: a value is thread << 48 | generation << 32 | seq,
 * each (thread, generation) sender's accepted values are seq 0, 1, 2, ...
 * with no gap, and the receiver must see each sender's values exactly in
 * that order; at the end accepted = received + destroyed per sender (the
 * destroyed ones exactly the unreceived tail), and with a capacity len
 * and sender_len never exceed it.
 *
 * A sender thread's byte b: b % 8 = 0-3 send; 4 send_many(1 + (b >> 3) %
 * 16, at most the capacity); 5 sched_yield; 6 sleep (b >> 3) * 8 us;
 * 7 clone a new sender (a new generation, the next lane) and close the
 * old one. SPW_FULL is retried (yielding) until the receiver closes.
 * The receiver's byte b: b % 8 = 0 try_recv; 1 recv; 2 the descriptor:
 * try_recv, and on SPW_EMPTY poll it for up to 2 ms; 3 recv_batch;
 * 4 try_recv_batch; 5 recv_many(1 + (b >> 3)); 6 len (and a sender's
 * sender_len) within the capacity; 7 receiver_close when b >> 3 == 0,
 * else recv_timeout((b >> 3) * 20 us; 31: UINT64_MAX ns, which the
 * runtime clamps). When its share ends it receives
 * until end of stream (if it did not close).
 */
#define MT_THREADS 4
#define MT_GENS 64

static struct mt {
	size_t capacity;
	spw_u64_receiver *rx;
	int rx_closed;
	atomic_int rx_closed_flag;
	spw_u64_sender *first[MT_THREADS];
	const uint8_t *data;
	size_t size, nthreads;
	/* per (thread, generation): written by its thread, read after join */
	uint32_t sent[MT_THREADS][MT_GENS];
	unsigned gens[MT_THREADS];
	/* receiver */
	uint32_t next[MT_THREADS][MT_GENS];
	uint64_t received;
	/* destroy hook (the last closer, after the threads are joined or
	 * in the receiver's close when every sender is gone) */
	uint32_t destroyed[MT_THREADS][MT_GENS];
	uint64_t destroyed_sum[MT_THREADS][MT_GENS];
	int teardown;
} M;

static void mt_split(uint64_t v, unsigned *t, unsigned *g, uint32_t *q,
		     const char *what)
{
	*t = (unsigned)(v >> 48);
	*g = (unsigned)(v >> 32 & 0xffff);
	*q = (uint32_t)v;
	if (*t >= M.nthreads || *g >= MT_GENS)
		fail(__LINE__, "%s: 0x%llx was never sent", what,
		     (unsigned long long)v);
}

static void mt_destroy(void *elem, void *ctx)
{
	uint64_t v;
	unsigned t, g;
	uint32_t q;

	if (ctx != &M)
		fail(__LINE__, "threaded destroy hook: wrong ctx");
	if (!M.teardown)
		fail(__LINE__, "threaded destroy hook ran too early");
	memcpy(&v, elem, sizeof(v));
	mt_split(v, &t, &g, &q, "destroy hook");
	M.destroyed[t][g]++;
	M.destroyed_sum[t][g] += q;
}

static void mt_got(uint64_t v, const char *what)
{
	unsigned t, g;
	uint32_t q;

	mt_split(v, &t, &g, &q, what);
	if (q != M.next[t][g])
		fail(__LINE__, "%s: thread %u sender %u: seq %u, expected %u "
		     "(lost, duplicated or out of order)", what, t, g, q,
		     M.next[t][g]);
	M.next[t][g]++;
	M.received++;
}

static void mt_sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000L };

	nanosleep(&ts, NULL);
}

static void *mt_sender(void *arg)
{
	size_t t = (size_t)(uintptr_t)arg, pos;
	spw_u64_sender *tx = M.first[t];
	unsigned g = 0;
	uint64_t vals[16];

	for (pos = 5 + t; pos < M.size; pos += M.nthreads + 1) {
		unsigned b = M.data[pos];
		size_t n = 0, j;
		spw_status st;
		spw_u64_sender *nt;

		switch (b % 8) {
		case 4:
			n = 1 + (b >> 3) % 16;
			if (M.capacity != 0 && n > M.capacity)
				n = M.capacity;
			break;
		case 5:
			sched_yield();
			continue;
		case 6:
			mt_sleep_us((long)(b >> 3) * 8);
			continue;
		case 7:
			if (g + 1 >= MT_GENS)
				continue;
			if (spw_u64_sender_clone(tx, &nt) != SPW_OK)
				fail(__LINE__, "threaded sender_clone failed");
			if (spw_u64_sender_close(tx) != SPW_OK)
				fail(__LINE__, "threaded sender_close failed");
			tx = nt;
			g++;
			M.gens[t] = g + 1;
			continue;
		default:
			n = 1;
			break;
		}
		for (j = 0; j < n; j++)
			vals[j] = (uint64_t)t << 48 | (uint64_t)g << 32 |
				  (M.sent[t][g] + j);
		for (;;) {
			st = n == 1 ? spw_u64_send(tx, vals[0]) :
				      spw_u64_send_many(tx, vals, n);
			if (st != SPW_FULL)
				break;
			if (atomic_load(&M.rx_closed_flag))
				break; /* closed is checked first: no FULL */
			sched_yield();
		}
		if (st == SPW_OK)
			M.sent[t][g] += (uint32_t)n;
		else if (st == SPW_CLOSED)
			CHECK(atomic_load(&M.rx_closed_flag),
			      "threaded send: CLOSED with the receiver open");
		else if (st != SPW_FULL)
			fail(__LINE__, "threaded send returned %s", st_name(st));
	}
	if (spw_u64_sender_close(tx) != SPW_OK)
		fail(__LINE__, "threaded sender_close failed");
	return NULL;
}

/* One receive by the receiver's byte b; returns 0 at end of stream. */
static int mt_receive(unsigned b)
{
	uint64_t v = 0, out[32];
	const uint64_t *items;
	size_t n = 0, j;
	spw_status st;
	int fd;

	switch (b % 8) {
	case 0:
		st = spw_u64_try_recv(M.rx, &v);
		n = st == SPW_OK;
		break;
	case 1:
		st = spw_u64_recv(M.rx, &v);
		n = st == SPW_OK;
		break;
	case 2:
		if (spw_u64_receiver_fd(M.rx, &fd) != SPW_OK)
			fail(__LINE__, "threaded receiver_fd failed");
		st = spw_u64_try_recv(M.rx, &v);
		n = st == SPW_OK;
		if (st == SPW_EMPTY) {
			struct pollfd p = { fd, POLLIN, 0 };

			/* EINTR: libFuzzer's timer signal */
			if (poll(&p, 1, 2) < 0 && errno != EINTR)
				fail(__LINE__, "poll failed");
		}
		break;
	case 3:
	case 4:
		st = b % 8 == 3 ? spw_u64_recv_batch(M.rx, &items, &n) :
				  spw_u64_try_recv_batch(M.rx, &items, &n);
		if (st == SPW_OK) {
			CHECK(n > 0, "threaded view with no values");
			for (j = 0; j < n; j++)
				mt_got(items[j], "threaded recv_batch");
		}
		return st != SPW_CLOSED;
	case 5:
		st = spw_u64_recv_many(M.rx, out, 1 + (b >> 3) % 32, &n);
		if (st == SPW_OK)
			for (j = 0; j < n; j++)
				mt_got(out[j], "threaded recv_many");
		return st != SPW_CLOSED;
	case 6:
		CHECK_ST(spw_u64_len(M.rx, &n), SPW_OK, "threaded len");
		CHECK(M.capacity == 0 || n <= M.capacity,
		      "threaded len %zu above the capacity %zu", n, M.capacity);
		return 1;
	default:
		if (b >> 3 == 0) {
			/* the destroy hook may run from now on, here or in
			 * the last sender_close (which the close's handle
			 * count orders after this store) */
			M.teardown = 1;
			atomic_store(&M.rx_closed_flag, 1);
			CHECK_ST(spw_u64_receiver_close(M.rx), SPW_OK,
				 "threaded receiver_close");
			M.rx_closed = 1;
			return 0;
		}
		/* 31: a timeout beyond any clock (clamped): as recv */
		st = spw_u64_recv_timeout(M.rx, &v,
					  b >> 3 == 31 ? UINT64_MAX :
					  (uint64_t)(b >> 3) * 20000);
		n = st == SPW_OK;
		break;
	}
	if (n == 1)
		mt_got(v, "threaded receive");
	if (st != SPW_OK && st != SPW_EMPTY && st != SPW_TIMEOUT &&
	    st != SPW_CLOSED)
		fail(__LINE__, "threaded receive returned %s", st_name(st));
	return st != SPW_CLOSED;
}

static void run_threaded(const uint8_t *data, size_t size,
			 const spw_config *base)
{
	spw_config cfg = *base;
	spw_u64_sender *tx0;
	pthread_t th[MT_THREADS];
	size_t t, pos;
	int open = 1;

	memset(&M, 0, sizeof(M));
	M.data = data;
	M.size = size;
	M.nthreads = size > 4 ? 1 + data[4] % MT_THREADS : 1;
	M.capacity = cfg.capacity;
	cfg.destroy = mt_destroy;
	cfg.destroy_ctx = &M;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx0, &M.rx), SPW_OK,
		 "threaded channel_with");
	for (t = 0; t < M.nthreads; t++) {
		CHECK_ST(spw_u64_sender_clone(tx0, &M.first[t]), SPW_OK,
			 "threaded sender_clone");
		M.gens[t] = 1;
	}
	/* tx0 closes while the threads run: it is no thread's sender */
	for (t = 0; t < M.nthreads; t++)
		if (pthread_create(&th[t], NULL, mt_sender,
				   (void *)(uintptr_t)t) != 0)
			fail(__LINE__, "pthread_create failed");
	CHECK_ST(spw_u64_sender_close(tx0), SPW_OK, "threaded close tx0");

	for (pos = 5 + M.nthreads; open && pos < size; pos += M.nthreads + 1)
		open = mt_receive(data[pos]);
	if (open) {
		/* drain to end of stream */
		uint64_t v;
		spw_status st;

		while ((st = spw_u64_recv(M.rx, &v)) == SPW_OK)
			mt_got(v, "threaded final recv");
		CHECK_ST(st, SPW_CLOSED, "threaded final recv");
	}
	if (!M.rx_closed) {
		/* every sender is gone: there is nothing left to destroy */
		M.teardown = 1;
		CHECK_ST(spw_u64_receiver_close(M.rx), SPW_OK,
			 "threaded receiver_close");
	}
	for (t = 0; t < M.nthreads; t++)
		if (pthread_join(th[t], NULL) != 0)
			fail(__LINE__, "pthread_join failed");
	M.teardown = 0;

	for (t = 0; t < M.nthreads; t++) {
		unsigned g;

		for (g = 0; g < M.gens[t]; g++) {
			uint64_t lo = M.next[t][g], hi = M.sent[t][g];

			if (lo + M.destroyed[t][g] != hi)
				fail(__LINE__, "thread %zu sender %u: sent %llu "
				     "!= received %llu + destroyed %u", t, g,
				     (unsigned long long)hi,
				     (unsigned long long)lo, M.destroyed[t][g]);
			if (M.destroyed_sum[t][g] != (hi - lo) * (lo + hi - 1) / 2 &&
			    hi > lo)
				fail(__LINE__, "thread %zu sender %u: the destroyed "
				     "values are not the unreceived tail", t, g);
		}
	}
}

/* ---- one input ----------------------------------------------------------- */

static void close_all(unsigned order)
{
	size_t half = G.ntx / 2;

	if (order == 0 && G.rx_open)
		op_receiver_close();
	while (G.ntx > 0) {
		if (order >= 2 && G.ntx == half && G.rx_open)
			op_receiver_close();
		op_sender_close(G.ntx - 1);
	}
	if (G.rx_open)
		op_receiver_close();
}

static void final_checks(void)
{
	uint32_t i;

	CHECK(G.freed, "the channel was not freed");
	for (i = 1; i <= G.nvals; i++)
		if (vstate[i] == V_QUEUED || vstate[i] == V_NONE)
			fail(__LINE__, "value #%u ended in state %d", i,
			     vstate[i]);
	CHECK(G.sent_n == G.recv_n + G.destr_n,
	      "sent %llu != received %llu + destroyed %llu",
	      (unsigned long long)G.sent_n, (unsigned long long)G.recv_n,
	      (unsigned long long)G.destr_n);
	if (G.hook)
		CHECK(G.sent_sum == G.recv_sum + G.destr_sum,
		      "sum sent %llu != received %llu + destroyed %llu",
		      (unsigned long long)G.sent_sum,
		      (unsigned long long)G.recv_sum,
		      (unsigned long long)G.destr_sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const spw_allocator fa = { fz_alloc, fz_free, NULL };
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx0 = NULL;
	unsigned flags;
	size_t pos;
	int arm = 0;

	if (size < 4)
		return 0;
	/*
	 * No channel exists between inputs: the threaded mode uses the
	 * default allocator (malloc and free), the rest the failing one.
	 */
	spw_set_allocator((data[3] & 32) ? NULL : &fa);
	memset(&G, 0, sizeof(G));
	G.fd = -1;
	alloc_fail = 0;
	cur_op = 0;
	flags = data[3];
	cfg.lanes = 1 + data[0] % MAX_LANES;
	cfg.capacity = data[1] < 96 ? 0 : 1 + data[1] % 64;
	cfg.initial_buffer = data[2] >= 240 ? 0 : 1 + data[2] % 16;
	if (flags & 4) {
		cfg.destroy = NULL;
		cfg.destroy_ctx = NULL;
	} else {
		cfg.destroy = destroy_hook;
		cfg.destroy_ctx = &G;
	}
	if ((flags & 16) && !(flags & 32)) {
		/* Out of memory at creation: SPW_NOMEM, *tx and *rx unchanged. */
		spw_u64_sender *s = (spw_u64_sender *)&s;
		spw_u64_receiver *r = (spw_u64_receiver *)&r;
		spw_status st;
		int skip = (flags >> 6) % 3;

		alloc_fail = 1;
		/* bits 6-7: the first 0-2 allocations succeed (the channel,
		 * the sender): the failure comes part way through */
		alloc_skip = skip;
		st = (flags & 8) ? spw_u64_channel(&s, &r) :
				   spw_u64_channel_with(&cfg, &s, &r);
		alloc_fail = 0;
		alloc_skip = 0;
		if (skip > 0 && st == SPW_OK) {
			/* fewer allocations than skipped: it just worked */
			CHECK_ST(spw_u64_sender_close(s), SPW_OK, "sender_close");
			CHECK_ST(spw_u64_receiver_close(r), SPW_OK,
				 "receiver_close");
		} else {
			CHECK_ST(st, SPW_NOMEM, "channel_with out of memory");
			CHECK(s == (spw_u64_sender *)&s &&
			      r == (spw_u64_receiver *)&r,
			      "channel_with NOMEM changed *tx or *rx");
		}
	}
	if (flags & 32) {
		run_threaded(data, size, &cfg);
		return 0;
	}
	if (flags & 8) {
		G.lanes = SPW_DEFAULT_LANES;
		G.capacity = 0;
		G.hook = 0;
		CHECK_ST(spw_u64_channel(&tx0, &G.rx), SPW_OK, "channel");
	} else {
		G.lanes = cfg.lanes;
		G.capacity = cfg.capacity;
		G.hook = cfg.destroy != NULL;
		CHECK_ST(spw_u64_channel_with(&cfg, &tx0, &G.rx), SPW_OK,
			 "channel_with");
	}
	G.rx_open = 1;
	G.tx[0].h = tx0;
	G.tx[0].lane = G.clock++ % G.lanes;
	G.ntx = 1;

	for (pos = 4; pos < size; pos += 2) {
		unsigned op = data[pos];
		unsigned arg = pos + 1 < size ? data[pos + 1] : 0;
		size_t k = G.ntx ? (op >> 4) % G.ntx : 0;
		int may_nomem = arm;

		cur_op++;
		check_view();
		alloc_fail = arm;
		arm = 0;
		switch (op & 15) {
		case 0: /* send */
			if (G.ntx)
				op_send(k, 1, 0, may_nomem);
			break;
		case 14: /* introspection, the descriptor */
			op_introspect(arg, k, may_nomem);
			break;
		case 1: /* send_many, n = 0 .. 47 */
			if (G.ntx)
				op_send(k, arg % 48, 1, may_nomem);
			break;
		case 15: /* send_many larger than one or several segments */
			if (G.ntx) {
				size_t seg = cfg.initial_buffer ?
						     cfg.initial_buffer : 16;
				size_t n = seg * (1 + arg % 5) + arg / 5 % 3;

				op_send(k, n > 1 ? n - 1 : n, 1, may_nomem);
			}
			break;
		case 2:
			if (G.rx_open)
				op_recv_one(R_TRY, 0);
			break;
		case 3:
			if (G.rx_open)
				op_recv_one(would_block() ? R_TRY : R_WAIT, 0);
			break;
		case 4:
			if (G.rx_open)
				op_recv_one(R_TIMEOUT0, 0);
			break;
		case 13: /* a short timed wait (only a few per input) */
			if (G.rx_open) {
				if (would_block() &&
				    G.timed_waits++ >= MAX_TIMED_WAITS)
					op_recv_one(R_TIMEOUT0, 0);
				else
					op_recv_one(R_TIMEOUT,
						    1000 + (uint64_t)arg * 100);
			}
			break;
		case 5:
			if (G.rx_open)
				op_view(!would_block());
			break;
		case 6:
			if (G.rx_open)
				op_view(0);
			break;
		case 7:
			if (G.rx_open)
				op_recv_many(would_block() ? 0 : arg % 24);
			break;
		case 8:
			if (G.ntx)
				op_clone(k, may_nomem);
			break;
		case 9:
			if (G.ntx)
				op_sender_close(k);
			break;
		case 10: /* receiver close, one time in four; trim, one in four */
			if (G.rx_open && arg % 4 == 0)
				op_receiver_close();
			else if (G.rx_open && arg % 4 == 1)
				CHECK_ST(spw_u64_trim(G.rx), SPW_OK, "trim");
			else if (G.ntx)
				op_send(k, arg % 48, 1, may_nomem);
			break;
		case 11:
			op_invalid(arg, k);
			break;
		case 12: /* the next operation runs out of memory */
			arm = 1;
			break;
		}
		alloc_fail = 0;
		if (G.freed)
			break;
		check_len();
	}
	cur_op++;
	alloc_fail = 0;
	close_all(flags & 3);
	final_checks();
	return 0;
}

/* ---- replay main: run inputs from files without libFuzzer --------------- */

#ifdef FUZZ_REPLAY_MAIN
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

static int replay_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int count = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		int r;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		r = replay_path(sub);
		if (r < 0) {
			closedir(d);
			return -1;
		}
		count += r;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	int i, total = 0;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		trace = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s [-v] FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int r = replay_path(argv[i]);

		if (r < 0)
			return 1;
		total += r;
	}
	printf("replayed %d inputs, all passed\n", total);
	return 0;
}
#endif
