/* SPDX-License-Identifier: MIT */
/*
 * fuzz_channel.c - libFuzzer target for the generated u64 channel.
 *
 * Each input is a random single-threaded sequence of operations (send,
 * send_many, the waiting sends, every receive call, clone, sender close,
 * receiver close and shutdown, invalid calls, allocation failures) run
 * against the real channel and a
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
 *   then pairs (op, arg): op & 15 is the operation, op >> 4 picks a sender;
 *   op 12 with an odd arg is the waiting-sender and shutdown API (below).
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
	int shut; /* receiver_shutdown: sends refused, end of stream once drained */
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

/*
 * Does the receiver still wait for senders? Not after receiver_shutdown:
 * then it has end of stream once it has received every value queued.
 */
static int model_has_senders(void) { return G.ntx != 0 && !G.shut; }

/* Are sends refused (receiver closed or shut down)? */
static int model_closed(void) { return !G.rx_open || G.shut; }

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
 * A sender's view of the close: is_closed, and wait_closed(0), which
 * must return at once (SPW_OK when closed, else SPW_TIMEOUT).
 */
static void check_closed(size_t k)
{
	int c = -1;

	CHECK_ST(spw_u64_is_closed(G.tx[k].h, &c), SPW_OK, "is_closed");
	CHECK(c == model_closed(), "is_closed gave %d, model says %d "
	      "(receiver %s)", c, model_closed(),
	      !G.rx_open ? "closed" : G.shut ? "shut down" : "open");
	CHECK_ST(spw_u64_wait_closed(G.tx[k].h, 0),
		 model_closed() ? SPW_OK : SPW_TIMEOUT, "wait_closed(0)");
}

/*
 * After every operation: len and sender_len against the model (the
 * receiver's count is exact; a sender's counts the rest of the current
 * visit as received; with a capacity both are the capacity counter),
 * sender_count against the open senders, and a sender's is_closed and
 * wait_closed(0).
 */
static void check_len(void)
{
	size_t n = SIZE_MAX, want;

	if (G.ntx != 0)
		check_closed(G.ntx - 1);
	if (!G.rx_open)
		return;
	if (spw_u64_len(G.rx, &n) != SPW_OK || n != G.queued)
		fail(__LINE__, "len %zu, model has %zu queued", n, G.queued);
	n = SIZE_MAX;
	if (spw_u64_sender_count(G.rx, &n) != SPW_OK || n != G.ntx)
		fail(__LINE__, "sender_count %zu, model has %zu open senders",
		     n, G.ntx);
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
		     "%s", after);
}

/* A send was accepted or the last sender closed: an armed receiver wakes. */
static void fd_wake(const char *what)
{
	if (G.fd >= 0 && G.armed) {
		char after[96];

		G.armed = 0;
		G.expect_readable = 1;
		snprintf(after, sizeof(after), "%s woke the armed receiver",
			 what);
		check_fd(after);
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

enum { S_ONE, S_MANY, S_WAIT, S_MANY_WAIT };

/*
 * What a send of n values must return. The waiting sends (send_wait,
 * send_many_wait) wait for room only on a bounded channel; with one
 * thread nobody makes room while they wait, so a batch that does not fit
 * is SPW_TIMEOUT (after the timeout) where send gives SPW_FULL, and
 * send_many_wait refuses a batch larger than the capacity at once
 * (SPW_INVALID, before anything else).
 */
static spw_status want_send(int kind, size_t n)
{
	int many = kind == S_MANY || kind == S_MANY_WAIT;
	int wait = kind == S_WAIT || kind == S_MANY_WAIT;

	if (kind == S_MANY_WAIT && G.capacity != 0 && n > G.capacity)
		return SPW_INVALID;
	if (many && n == 0)
		return SPW_OK;
	if (model_closed())
		return SPW_CLOSED;
	if (G.capacity != 0 && G.queued + n > G.capacity)
		return wait ? SPW_TIMEOUT : SPW_FULL;
	return SPW_OK;
}

/* Would a waiting send of n values wait (bounded, open, no room)? */
static int send_would_wait(size_t n)
{
	return want_send(S_MANY_WAIT, n) == SPW_TIMEOUT;
}

/*
 * Send n fresh values on sender k through send (one), send_many,
 * send_wait (one) or send_many_wait (timeout_ns for the waiting ones).
 */
static void op_send_kind(size_t k, size_t n, int kind, uint64_t timeout_ns,
			 int may_nomem)
{
	static const char *const names[] = { "send", "send_many", "send_wait",
					     "send_many_wait" };
	struct sender *s = &G.tx[k];
	uint32_t first = G.nvals + 1;
	spw_status want, st;
	size_t j;

	ensure_vals(G.nvals + n + 1);
	for (j = 0; j < n; j++)
		scratch[j] = val_of(new_value());

	want = want_send(kind, n);
	switch (kind) {
	case S_ONE:
		st = spw_u64_send(s->h, scratch[0]);
		break;
	case S_MANY:
		st = spw_u64_send_many(s->h, scratch, n);
		break;
	case S_WAIT:
		st = spw_u64_send_wait(s->h, scratch[0], timeout_ns);
		break;
	default:
		st = spw_u64_send_many_wait(s->h, scratch, n, timeout_ns);
		break;
	}
	if (!(may_nomem && want == SPW_OK && st == SPW_NOMEM)) {
		if (st != want)
			fail(__LINE__, "%s(%zu values, timeout %llu ns) returned "
			     "%s, model expects %s (queued %zu, capacity %zu)",
			     names[kind], n, (unsigned long long)timeout_ns,
			     st_name(st), st_name(want), G.queued, G.capacity);
	}
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
		fd_wake(names[kind]);
	}
}

/* Send n fresh values on sender k through send (one) or send_many. */
static void op_send(size_t k, size_t n, int many, int may_nomem)
{
	op_send_kind(k, n, many ? S_MANY : S_ONE, 0, may_nomem);
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
		if (G.fd >= 0) {
			CHECK(fd == G.fd, "receiver_fd gave %d, then %d", G.fd,
			      fd);
			check_fd("a wake-up of the armed receiver");
			break;
		}
		/*
		 * Made now: readable at once when a value is ready (queued or
		 * held by the receiver) or the stream has ended (no sender,
		 * or receiver_shutdown with nothing queued); else armed, and
		 * the next accepted send makes it readable.
		 */
		G.fd = fd;
		if (G.queued != 0 || !model_has_senders()) {
			G.armed = 0;
			G.expect_readable = 1;
			check_fd(G.queued != 0 ?
					 "receiver_fd made it with a value ready" :
					 !G.shut ? "receiver_fd made it at end of "
						   "stream (no sender)" :
					 "receiver_fd made it at end of stream "
					 "(receiver_shutdown, nothing queued)");
		} else {
			G.armed = 1;
			G.expect_readable = 0;
		}
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

/*
 * receiver_shutdown: sends are refused from now on (waiting ones too),
 * the receiver drains what is queued (in the model's order) and then has
 * end of stream; the last view stays valid (it is no receive call);
 * the descriptor, if made, is readable (values are ready or the stream
 * has ended). Calling it again is SPW_OK and does nothing.
 */
static void op_shutdown(int twice)
{
	if (!G.rx_open)
		return;
	CHECK_ST(spw_u64_receiver_shutdown(G.rx), SPW_OK, "receiver_shutdown");
	G.shut = 1;
	if (twice)
		CHECK_ST(spw_u64_receiver_shutdown(G.rx), SPW_OK,
			 "receiver_shutdown again");
	check_view();
	if (G.fd >= 0) {
		G.armed = 0;
		G.expect_readable = 1;
		check_fd("receiver_shutdown (values ready or end of stream)");
	}
	if (G.ntx != 0)
		check_closed(0);
}

/*
 * The timeout of a waiting send of n values: when the model says it
 * returns at once (unbounded, room, closed, a batch above the capacity)
 * `fast` (SPW_FOREVER is safe then); when it would wait (nobody makes
 * room with one thread: SPW_TIMEOUT) `slow` if the input still has a
 * timed wait left, else 0. Never SPW_FOREVER when it would wait.
 */
static uint64_t send_timeout(size_t n, uint64_t fast, uint64_t slow)
{
	if (!send_would_wait(n))
		return fast;
	return G.timed_waits++ < MAX_TIMED_WAITS ? slow : 0;
}

/* The batch of a send_many_wait from q (0..15): 0-5, then around the capacity. */
static size_t wait_batch(unsigned q)
{
	if (q < 6)
		return q;
	if (G.capacity == 0)
		return (size_t)(q - 5) * 7; /* 7 .. 70: across segments */
	/* capacity - 5 .. capacity + 4 (SPW_INVALID above it) */
	return G.capacity + q >= 11 ? G.capacity + q - 11 : 1;
}

/* Bad arguments of the waiting-sender and shutdown API: SPW_INVALID. */
static void op_wait_invalid(size_t k)
{
	spw_u64_sender *tx = G.ntx ? G.tx[k].h : NULL;
	uint64_t buf[2] = { 1, 2 };
	size_t n = 12345;
	int c = -1;

	CHECK_ST(spw_u64_send_wait(NULL, 1, 0), SPW_INVALID, "send_wait(NULL)");
	CHECK_ST(spw_u64_send_wait(NULL, 1, SPW_FOREVER), SPW_INVALID,
		 "send_wait(NULL, FOREVER)");
	CHECK_ST(spw_u64_send_many_wait(NULL, buf, 2, 0), SPW_INVALID,
		 "send_many_wait(NULL)");
	CHECK_ST(spw_u64_is_closed(NULL, &c), SPW_INVALID, "is_closed(NULL)");
	CHECK_ST(spw_u64_wait_closed(NULL, 0), SPW_INVALID,
		 "wait_closed(NULL, 0)");
	CHECK_ST(spw_u64_wait_closed(NULL, SPW_FOREVER), SPW_INVALID,
		 "wait_closed(NULL, FOREVER)");
	CHECK_ST(spw_u64_receiver_shutdown(NULL), SPW_INVALID,
		 "receiver_shutdown(NULL)");
	CHECK_ST(spw_u64_sender_count(NULL, &n), SPW_INVALID,
		 "sender_count(NULL)");
	if (tx) {
		CHECK_ST(spw_u64_send_many_wait(tx, NULL, 3, 0), SPW_INVALID,
			 "send_many_wait(values NULL, 3)");
		CHECK_ST(spw_u64_send_many_wait(tx, buf, SIZE_MAX, 0),
			 SPW_INVALID, "send_many_wait(SIZE_MAX)");
		/* values NULL with n == 0 is a valid no-op, as send_many */
		CHECK_ST(spw_u64_send_many_wait(tx, NULL, 0, SPW_FOREVER),
			 SPW_OK, "send_many_wait(NULL, 0, FOREVER)");
		CHECK_ST(spw_u64_is_closed(tx, NULL), SPW_INVALID,
			 "is_closed(tx, NULL)");
	}
	if (G.rx_open) {
		CHECK_ST(spw_u64_sender_count(G.rx, NULL), SPW_INVALID,
			 "sender_count(rx, NULL)");
		n = 12345;
		CHECK_ST(spw_u64_sender_count(G.rx, &n), SPW_OK, "sender_count");
		CHECK(n == G.ntx, "sender_count %zu, model has %zu", n, G.ntx);
	}
	check_view();
}

/*
 * Op 12 with an odd arg: p = arg >> 1, sub = p % 8, q = p >> 3 (0-15):
 * 0 send_wait(0); 1 send_wait(1 + 2q us; q 15: SPW_FOREVER when it need
 * not wait); 2 send_many_wait(wait_batch(q), 0); 3 the same with 1 + q
 * us (q odd: SPW_FOREVER when it need not wait); 4 receiver_shutdown
 * (twice when q is odd); 5 is_closed and wait_closed (q 0: 0; closed:
 * q us, SPW_FOREVER when q is odd; open: 1 + q / 2 us, one of the timed
 * waits); 6 the API's invalid calls and sender_count; 7 send_many_wait
 * of exactly the room left (q odd: one more; unbounded: 1 + 4q), timeout
 * 0 (q < 8) or 1 + q us. A waiting send that would wait gets its small
 * timeout only while the input has timed waits left, else 0.
 */
static void op_wait_api(unsigned p, size_t k, int may_nomem)
{
	unsigned sub = p % 8, q = p >> 3;
	size_t n;

	if (sub < 4 || sub == 7) {
		if (G.ntx == 0)
			return;
	}
	switch (sub) {
	case 0:
		op_send_kind(k, 1, S_WAIT, 0, may_nomem);
		break;
	case 1:
		op_send_kind(k, 1, S_WAIT,
			     send_timeout(1, q == 15 ? SPW_FOREVER :
					  1000 + 2000 * (uint64_t)q,
					  1000 + 2000 * (uint64_t)q),
			     may_nomem);
		break;
	case 2:
		op_send_kind(k, wait_batch(q), S_MANY_WAIT, 0, may_nomem);
		break;
	case 3:
		n = wait_batch(q);
		op_send_kind(k, n, S_MANY_WAIT,
			     send_timeout(n, (q & 1) ? SPW_FOREVER :
					  1000 + 1000 * (uint64_t)q,
					  1000 + 1000 * (uint64_t)q),
			     may_nomem);
		break;
	case 4:
		op_shutdown(q & 1);
		break;
	case 5: {
		uint64_t t;
		spw_status want = model_closed() ? SPW_OK : SPW_TIMEOUT;

		if (G.ntx == 0)
			break;
		check_closed(k);
		if (q == 0)
			t = 0;
		else if (model_closed())
			t = (q & 1) ? SPW_FOREVER : 1000 * (uint64_t)q;
		else if (G.timed_waits++ < MAX_TIMED_WAITS)
			t = 1000 + 500 * (uint64_t)q;
		else
			t = 0;
		CHECK_ST(spw_u64_wait_closed(G.tx[k].h, t), want,
			 "wait_closed");
		check_view();
		break;
	}
	case 6:
		op_wait_invalid(k);
		break;
	default:
		if (G.capacity == 0)
			n = 1 + 4 * (size_t)q;
		else
			n = (G.queued < G.capacity ? G.capacity - G.queued : 0) +
			    (q & 1);
		op_send_kind(k, n, S_MANY_WAIT,
			     q < 8 ? 0 : send_timeout(n, 1000 + 1000 * (uint64_t)q,
						      1000 + 1000 * (uint64_t)q),
			     may_nomem);
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
 * destroyed ones exactly the unreceived tail; none at all when the
 * receiver reached end of stream before it closed), and with a capacity
 * len never exceeds it.
 *
 * A sender thread's byte b, q = b >> 3: b % 8 = 0 send; 1 is_closed and
 * wait_closed(q * 10 us; q 0: 0); 2 send_wait(one value, q 0: 0, 31:
 * SPW_FOREVER, else q * 10 us); 3 send_many_wait(1 + q % 8 values, not
 * clamped: SPW_INVALID above the capacity; timeout by q / 8: 0, 20 us,
 * 200 us, SPW_FOREVER); 4 send_many(1 + q % 16, at most the capacity);
 * 5 sched_yield; 6 sleep q * 8 us; 7 clone a new sender (a new
 * generation, the next lane) and close the old one. SPW_FULL (send,
 * send_many) and SPW_TIMEOUT (the waiting ones, only with a capacity)
 * are retried (yielding) until the receiver closes or shuts down. A
 * sender waiting without a deadline is safe: it waits only while the
 * channel is full, so values are ready and every receive call the
 * receiver makes (its last share drains to end of stream) or its close
 * or shutdown makes room or wakes it; a lost wake-up hangs, which
 * libFuzzer's -timeout catches. After SPW_CLOSED (and whenever is_closed
 * says 1 or wait_closed SPW_OK) the receiver must have started its close
 * or shutdown, and wait_closed(SPW_FOREVER) returns SPW_OK at once.
 * The receiver's byte b: b % 8 = 0 try_recv; 1 recv; 2 the descriptor:
 * try_recv, and on SPW_EMPTY poll it for up to 2 ms; 3 recv_batch;
 * 4 try_recv_batch; 5 recv_many(1 + (b >> 3)); 6 len within the capacity
 * and sender_count within the senders that can be open; 7
 * receiver_close when b >> 3 == 0, receiver_shutdown when b >> 3 == 1
 * (the share goes on: the receiver drains, then has end of stream),
 * else recv_timeout((b >> 3) * 20 us; 31: UINT64_MAX ns, which is
 * SPW_FOREVER, no deadline: as recv). When its share ends it receives
 * until end of stream (if it did not close): after a shutdown, sender
 * threads may still be running.
 */
#define MT_THREADS 4
#define MT_GENS 64

static struct mt {
	size_t capacity;
	spw_u64_receiver *rx;
	int rx_closed;
	int shut;    /* the receiver shut the channel down */
	int drained; /* a receive returned SPW_CLOSED (end of stream) */
	atomic_int rx_closed_flag; /* set before receiver_close / shutdown */
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

/*
 * Has the receiver started its close or shutdown? Called after the
 * channel said it is closed (a relaxed load of its flag, or a status
 * derived from one): the fence makes the receiver's store of the flag,
 * made before its close, visible.
 */
static int mt_closing(void)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load(&M.rx_closed_flag);
}

/* A sender that found the channel closed: is_closed 1, wait_closed at once. */
static void mt_check_closed(spw_u64_sender *tx)
{
	int c = -1;

	CHECK_ST(spw_u64_is_closed(tx, &c), SPW_OK, "threaded is_closed");
	CHECK(c == 1, "threaded is_closed gave %d after SPW_CLOSED", c);
	CHECK_ST(spw_u64_wait_closed(tx, SPW_FOREVER), SPW_OK,
		 "threaded wait_closed(FOREVER) once closed");
}

/* The timeout of a waiting send by index 0-3: 0, 20 us, 200 us, forever. */
static uint64_t mt_wait_timeout(unsigned i)
{
	static const uint64_t t[4] = { 0, 20000, 200000, SPW_FOREVER };

	return t[i & 3];
}

static void *mt_sender(void *arg)
{
	size_t t = (size_t)(uintptr_t)arg, pos;
	spw_u64_sender *tx = M.first[t];
	unsigned g = 0;
	uint64_t vals[16];

	for (pos = 5 + t; pos < M.size; pos += M.nthreads + 1) {
		unsigned b = M.data[pos], q = b >> 3;
		size_t n = 0, j;
		int kind = S_ONE, c;
		uint64_t timeout = 0;
		spw_status st;
		spw_u64_sender *nt;

		switch (b % 8) {
		case 1:
			c = -1;
			CHECK_ST(spw_u64_is_closed(tx, &c), SPW_OK,
				 "threaded is_closed");
			CHECK(c == 0 || c == 1, "threaded is_closed gave %d", c);
			if (c == 1)
				CHECK(mt_closing(), "threaded is_closed says 1 "
				      "with the receiver open");
			st = spw_u64_wait_closed(tx, (uint64_t)q * 10000);
			if (st == SPW_OK)
				CHECK(mt_closing(), "threaded wait_closed OK "
				      "with the receiver open");
			else if (st != SPW_TIMEOUT)
				fail(__LINE__, "threaded wait_closed returned %s",
				     st_name(st));
			continue;
		case 2:
			n = 1;
			kind = S_WAIT;
			timeout = q == 0 ? 0 : q == 31 ? SPW_FOREVER :
						       (uint64_t)q * 10000;
			break;
		case 3:
			n = 1 + q % 8; /* not clamped: SPW_INVALID above it */
			kind = S_MANY_WAIT;
			timeout = mt_wait_timeout(q / 8);
			break;
		case 4:
			n = 1 + q % 16;
			if (M.capacity != 0 && n > M.capacity)
				n = M.capacity;
			kind = S_MANY;
			break;
		case 5:
			sched_yield();
			continue;
		case 6:
			mt_sleep_us((long)q * 8);
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
			switch (kind) {
			case S_ONE:
				st = spw_u64_send(tx, vals[0]);
				break;
			case S_MANY:
				st = spw_u64_send_many(tx, vals, n);
				break;
			case S_WAIT:
				st = spw_u64_send_wait(tx, vals[0], timeout);
				break;
			default:
				st = spw_u64_send_many_wait(tx, vals, n, timeout);
				break;
			}
			if (st != SPW_FULL && st != SPW_TIMEOUT)
				break;
			if (st == SPW_FULL && kind != S_ONE && kind != S_MANY)
				fail(__LINE__, "threaded waiting send returned FULL");
			if (st == SPW_TIMEOUT &&
			    (kind == S_ONE || kind == S_MANY || M.capacity == 0))
				fail(__LINE__, "threaded %s returned TIMEOUT "
				     "(capacity %zu)", kind == S_ONE ? "send" :
				     kind == S_MANY ? "send_many" : "waiting send "
				     "on an unbounded channel", M.capacity);
			if (st == SPW_TIMEOUT && timeout == SPW_FOREVER)
				fail(__LINE__, "threaded waiting send without a "
				     "deadline returned TIMEOUT");
			if (atomic_load(&M.rx_closed_flag))
				break; /* closed is checked first: no FULL */
			sched_yield();
		}
		if (kind == S_MANY_WAIT && M.capacity != 0 && n > M.capacity) {
			/* a batch that could never fit: refused at once */
			CHECK_ST(st, SPW_INVALID,
				 "threaded send_many_wait above the capacity");
			continue;
		}
		if (st == SPW_OK) {
			M.sent[t][g] += (uint32_t)n;
		} else if (st == SPW_CLOSED) {
			CHECK(mt_closing(),
			      "threaded send: CLOSED with the receiver open");
			mt_check_closed(tx);
		} else if (st != SPW_FULL && st != SPW_TIMEOUT) {
			fail(__LINE__, "threaded send returned %s", st_name(st));
		}
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
		if (st == SPW_CLOSED)
			M.drained = 1;
		return st != SPW_CLOSED;
	case 5:
		st = spw_u64_recv_many(M.rx, out, 1 + (b >> 3) % 32, &n);
		if (st == SPW_OK)
			for (j = 0; j < n; j++)
				mt_got(out[j], "threaded recv_many");
		if (st == SPW_CLOSED)
			M.drained = 1;
		return st != SPW_CLOSED;
	case 6:
		CHECK_ST(spw_u64_len(M.rx, &n), SPW_OK, "threaded len");
		CHECK(M.capacity == 0 || n <= M.capacity,
		      "threaded len %zu above the capacity %zu", n, M.capacity);
		/* open at most: the first sender (until it closes), and each
		 * thread's, two while it replaces it */
		n = SIZE_MAX;
		CHECK_ST(spw_u64_sender_count(M.rx, &n), SPW_OK,
			 "threaded sender_count");
		CHECK(n <= 1 + 2 * M.nthreads,
		      "threaded sender_count %zu with %zu threads", n,
		      M.nthreads);
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
		if (b >> 3 == 1) {
			/* sends refused from now on; the share goes on (a
			 * second shutdown does nothing) */
			atomic_store(&M.rx_closed_flag, 1);
			CHECK_ST(spw_u64_receiver_shutdown(M.rx), SPW_OK,
				 "threaded receiver_shutdown");
			M.shut = 1;
			return 1;
		}
		/* 31: UINT64_MAX ns is SPW_FOREVER (no deadline): as recv */
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
	if (st == SPW_CLOSED)
		M.drained = 1;
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
		M.drained = 1;
	}
	if (M.drained && !M.shut && !M.rx_closed) {
		/* end of stream without a shutdown: every sender closed */
		size_t n = SIZE_MAX;

		CHECK_ST(spw_u64_sender_count(M.rx, &n), SPW_OK,
			 "threaded sender_count");
		CHECK(n == 0, "threaded sender_count %zu at end of stream", n);
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
			/* end of stream (after the senders closed, or after a
			 * shutdown) came after every accepted value */
			if (M.drained && M.destroyed[t][g] != 0)
				fail(__LINE__, "thread %zu sender %u: %u values "
				     "destroyed after the receiver had end of "
				     "stream%s", t, g, M.destroyed[t][g],
				     M.shut ? " (shutdown)" : "");
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
		case 12: /* even arg: the next operation runs out of memory;
			  * odd: the waiting-sender and shutdown API */
			if (arg & 1)
				op_wait_api(arg >> 1, k, may_nomem);
			else
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
