/* SPDX-License-Identifier: MIT */
/*
 * stress.c - the stress suite: order, loss and duplication over a grid of
 * producers x lanes x receive calls; end-of-stream churn; park and wake;
 * capacity; receiver close mid-stream; handle churn.
 *
 * Every test runs under a watchdog: a receiver that makes no progress for
 * 30 s dumps the test's state (and every thread's stack, when gdb is
 * installed) and aborts the program, so a lost wake-up fails loudly
 * instead of hanging CI. A slow machine only makes the tests slower.
 *
 * Sizes: the default is CI's quick mode. SPW_STRESS_FULL=1 runs the full
 * sizes of the reliability issue (tests/run-stress-full.sh); sanitizer
 * builds divide sizes by SPW_TEST_SCALE_DIV (see support.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spillway_u64.h"
#include "support.h"

/* ---- sizes and helpers ------------------------------------------------- */

static int full_mode(void)
{
	const char *s = getenv("SPW_STRESS_FULL");

	return s != NULL && strcmp(s, "0") != 0;
}

/* quick in CI, full with SPW_STRESS_FULL=1; both scaled for sanitizers */
static size_t size_pick(size_t quick, size_t full)
{
	return test_scaled(full_mode() ? full : quick);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
}

/* xorshift for per-thread randomness */
static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Sender i of a test: the channel's first sender for i == 0, then clones. */
static spw_u64_sender *nth_sender(spw_u64_sender *tx, size_t i)
{
	spw_u64_sender *s;

	if (i == 0)
		return tx;
	CHECK_ST(spw_u64_sender_clone(tx, &s), SPW_OK);
	return s;
}

/* Start n threads running fn, thread i on the i-th of args (size apart). */
static void start_threads(pthread_t *th, size_t n, void *(*fn)(void *),
			  void *args, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(pthread_create(&th[i], NULL, fn,
				     (char *)args + i * size) == 0);
}

/* What the watchdog prints about a running stress test. */
struct progress {
	const char *what;
	atomic_size_t sent, received;
	size_t producers, lanes;
	int mode;
};

static void progress_dump(void *ctx)
{
	struct progress *p = ctx;

	fprintf(stderr,
		"stress state: %s, producers %zu, lanes %zu, mode %d: "
		"%zu values accepted, %zu received\n",
		p->what, p->producers, p->lanes, p->mode,
		atomic_load(&p->sent), atomic_load(&p->received));
}

/* ---- order, loss, duplication: the grid -------------------------------- */

enum mode { BY_RECV, BY_TRY_RECV, BY_BATCH, BY_MANY, NMODES };

struct grid_producer {
	spw_u64_sender *tx;
	uint64_t id, count;
	struct progress *prog;
	atomic_size_t *sharing; /* one sender for all: threads still sending */
};

static void *grid_producer_main(void *arg)
{
	struct grid_producer *gp = arg;
	uint64_t i;

	for (i = 0; i < gp->count; i++) {
		T_ASSERT_ST(spw_u64_send(gp->tx, gp->id << 32 | i), SPW_OK);
		atomic_fetch_add_explicit(&gp->prog->sent, 1,
					  memory_order_relaxed);
	}
	if (gp->sharing == NULL || atomic_fetch_sub(gp->sharing, 1) == 1)
		T_ASSERT_ST(spw_u64_sender_close(gp->tx), SPW_OK);
	return NULL;
}

struct checker {
	uint64_t *next;
	size_t producers;
	uint64_t count, sum;
};

static void check_take(struct checker *c, uint64_t v)
{
	uint64_t id = v >> 32, seq = v & 0xffffffffu;

	if (id >= c->producers || seq != c->next[id])
		ck_abort_msg("producer %llu: got seq %llu, expected %llu",
			     (unsigned long long)id, (unsigned long long)seq,
			     id < c->producers ?
				     (unsigned long long)c->next[id] :
				     0ull);
	c->next[id]++;
	c->count++;
	c->sum += v;
}

/*
 * `producers` threads, `per` values each, over `lanes` lanes; `shared`:
 * every thread sends on the one sender (the last to finish closes it),
 * else each on its own clone.
 */
static void grid_run(size_t producers, size_t lanes, enum mode mode,
		     size_t per, int shared)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	struct grid_producer *gp = calloc(producers, sizeof(*gp));
	pthread_t *th = calloc(producers, sizeof(*th));
	struct checker c = { calloc(producers, sizeof(uint64_t)), producers,
			     0, 0 };
	struct progress prog = { "grid", 0, 0, producers, lanes, mode };
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t buf[64], expect = 0;
	spw_status st;
	size_t i, k;
	atomic_size_t sharing;

	CHECK(gp && th && c.next);
	atomic_init(&sharing, producers);
	cfg.lanes = lanes;
	cfg.initial_buffer = 16; /* small segments: many boundaries */
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	for (i = 0; i < producers; i++) {
		gp[i].id = i;
		gp[i].count = per;
		gp[i].prog = &prog;
		gp[i].tx = shared ? tx : nth_sender(tx, i);
		gp[i].sharing = shared ? &sharing : NULL;
	}
	watchdog_start_progress("grid", 30, &prog.received,
				progress_dump, &prog);
	start_threads(th, producers, grid_producer_main, gp, sizeof(gp[0]));
	for (;;) {
		const uint64_t *items;
		uint64_t v;
		size_t n = 0;

		switch (mode) {
		case BY_RECV:
			st = spw_u64_recv(rx, &v);
			if (st == SPW_OK) {
				buf[0] = v;
				n = 1;
			}
			items = buf;
			break;
		case BY_TRY_RECV:
			st = spw_u64_try_recv(rx, &v);
			if (st == SPW_EMPTY)
				continue;
			if (st == SPW_OK) {
				buf[0] = v;
				n = 1;
			}
			items = buf;
			break;
		case BY_BATCH:
			st = spw_u64_recv_batch(rx, &items, &n);
			break;
		default:
			st = spw_u64_recv_many(rx, buf, 64, &n);
			items = buf;
			break;
		}
		if (st == SPW_CLOSED)
			break;
		CHECK_ST(st, SPW_OK);
		CHECK((n) > (0));
		for (k = 0; k < n; k++)
			check_take(&c, items[k]);
		atomic_fetch_add_explicit(&prog.received, n,
					  memory_order_relaxed);
	}
	for (i = 0; i < producers; i++)
		pthread_join(th[i], NULL);
	watchdog_stop();
	for (i = 0; i < producers; i++) {
		CHECK((c.next[i]) == (per));
		for (k = 0; k < per; k++)
			expect += (uint64_t)i << 32 | k;
	}
	CHECK((c.count) == (producers * per));
	CHECK((c.sum) == (expect));
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	free(gp);
	free(th);
	free(c.next);
}

static const size_t grid_producers[] = { 1, 2, 4, 8, 16, 64 };
static const size_t grid_lanes[] = { 1, 2, 8, 64 };

/* One test per receive call; each runs producers x lanes. */
START_TEST(test_grid)
{
	enum mode mode = (enum mode)_i;
	size_t total = size_pick(40000, 400000), p, l;

	for (p = 0; p < sizeof(grid_producers) / sizeof(size_t); p++)
		for (l = 0; l < sizeof(grid_lanes) / sizeof(size_t); l++) {
			size_t per = total / grid_producers[p];

			grid_run(grid_producers[p], grid_lanes[l], mode,
				 per > 0 ? per : 1, 0);
		}
}
END_TEST

/*
 * One sender used by 2, 3 and 4 threads at once: its lane goes from
 * biased to shared and back (rebias) many times a second. In this file's
 * yields build, rebias comes after 2 locked sends, and only 3 threads have
 * bias records, so with 4 one of them always takes the mutex.
 */
START_TEST(test_one_sender_threads)
{
	size_t per = size_pick(100000, 1000000), p;

	for (p = 2; p <= 4; p++) {
		grid_run(p, 1, BY_RECV, per, 1);
		grid_run(p, 4, BY_MANY, per / 4, 1);
	}
}
END_TEST

/* ---- end-of-stream churn ----------------------------------------------- */

struct churn_producer {
	spw_u64_sender *tx;
	uint64_t base;
};

static void *churn_main(void *arg)
{
	struct churn_producer *cp = arg;
	uint64_t i;

	for (i = 0; i < 25; i++)
		T_ASSERT_ST(spw_u64_send(cp->tx, cp->base + i), SPW_OK);
	T_ASSERT_ST(spw_u64_sender_close(cp->tx), SPW_OK);
	return NULL;
}

/* Rounds of 4 producers x 25 values: exactly 100 before end of stream. */
static void eos_churn(int spinning)
{
	size_t rounds = size_pick(2000, 20000), r, i;
	struct progress prog = { spinning ? "eos churn (try_recv)" :
					    "eos churn (recv)",
				 0, 0, 4, 4, spinning };

	watchdog_start_progress(prog.what, 30, &prog.received,
				progress_dump, &prog);
	for (r = 0; r < rounds; r++) {
		struct churn_producer cp[4];
		pthread_t th[4];
		spw_u64_sender *tx;
		spw_u64_receiver *rx;
		uint64_t v, sum = 0;
		size_t got = 0;
		spw_status st;

		CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
		for (i = 0; i < 4; i++) {
			cp[i].base = i * 1000;
			cp[i].tx = nth_sender(tx, i);
		}
		start_threads(th, 4, churn_main, cp, sizeof(cp[0]));
		for (;;) {
			st = spinning ? spw_u64_try_recv(rx, &v) :
					spw_u64_recv(rx, &v);
			if (st == SPW_EMPTY)
				continue;
			if (st == SPW_CLOSED)
				break;
			CHECK_ST(st, SPW_OK);
			got++;
			sum += v;
		}
		if (got != 100)
			ck_abort_msg("round %zu: end of stream after %zu "
				     "values, not 100",
				     r, got);
		CHECK((sum) == (4 * (25 * 24 / 2) + 25 * 6000));
		for (i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
		CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
		atomic_store(&prog.received, r + 1);
	}
	watchdog_stop();
}

START_TEST(test_eos_churn_spinning)
{
	eos_churn(1);
}
END_TEST

START_TEST(test_eos_churn_blocking)
{
	eos_churn(0);
}
END_TEST

/* ---- park and wake ----------------------------------------------------- */

struct pong {
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	size_t rounds;
};

static void *pong_main(void *arg)
{
	struct pong *p = arg;
	size_t i;
	uint64_t v;

	for (i = 0; i < p->rounds; i++) {
		T_ASSERT_ST(spw_u64_recv(p->rx, &v), SPW_OK);
		T_ASSERT(v == i);
		T_ASSERT_ST(spw_u64_send(p->tx, v + 1), SPW_OK);
	}
	return NULL;
}

/* Two channels, one value in flight: every receive waits, most park. */
START_TEST(test_ping_pong)
{
	spw_u64_sender *a_tx, *b_tx;
	spw_u64_receiver *a_rx, *b_rx;
	struct pong p;
	pthread_t th;
	struct progress prog = { "ping-pong", 0, 0, 1, 1, 0 };
	size_t rounds = size_pick(20000, 100000), i;
	uint64_t v;

	CHECK_ST(spw_u64_channel(&a_tx, &a_rx), SPW_OK);
	CHECK_ST(spw_u64_channel(&b_tx, &b_rx), SPW_OK);
	p.tx = b_tx;
	p.rx = a_rx;
	p.rounds = rounds;
	watchdog_start_progress("ping-pong", 30, &prog.received,
				progress_dump, &prog);
	CHECK(pthread_create(&th, NULL, pong_main, &p) == 0);
	for (i = 0; i < rounds; i++) {
		CHECK_ST(spw_u64_send(a_tx, i), SPW_OK);
		CHECK_ST(spw_u64_recv(b_rx, &v), SPW_OK);
		CHECK((v) == (i + 1));
		atomic_store(&prog.received, i + 1);
	}
	pthread_join(th, NULL);
	watchdog_stop();
	spw_u64_sender_close(a_tx);
	spw_u64_sender_close(b_tx);
	CHECK_ST(spw_u64_recv(a_rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_recv(b_rx, &v), SPW_CLOSED);
	spw_u64_receiver_close(a_rx);
	spw_u64_receiver_close(b_rx);
}
END_TEST

struct bursty {
	spw_u64_sender *tx;
	uint64_t id, seed;
	double until;
	struct progress *prog;
	uint64_t sent;
};

static void *bursty_main(void *arg)
{
	struct bursty *b = arg;

	while (now_seconds() < b->until) {
		T_ASSERT_ST(spw_u64_send(b->tx, b->id << 32 | b->sent), SPW_OK);
		b->sent++;
		atomic_fetch_add(&b->prog->sent, 1);
		sleep_us((long)(rnd(&b->seed) % 51));
	}
	spw_u64_sender_close(b->tx);
	return NULL;
}

/*
 * Producers sleep 0-50 us between sends, so the receiver parks and wakes
 * all the time. A receive that waits more than 5 s while a value is
 * pending is a lost wake-up.
 */
START_TEST(test_bursty_park_wake)
{
	enum { P = 4 };
	struct bursty b[P];
	pthread_t th[P];
	struct progress prog = { "bursty", 0, 0, P, P, 0 };
	uint64_t next[P] = { 0 };
	struct checker c = { next, P, 0, 0 };
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	double seconds = full_mode() ? 10.0 : 1.0;
	size_t i;

	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	for (i = 0; i < P; i++) {
		b[i].id = i;
		b[i].seed = 0x9e3779b97f4a7c15ull * (i + 1);
		b[i].until = now_seconds() + seconds;
		b[i].prog = &prog;
		b[i].sent = 0;
		b[i].tx = nth_sender(tx, i);
	}
	watchdog_start_progress("bursty", 30, &prog.received,
				progress_dump, &prog);
	start_threads(th, P, bursty_main, b, sizeof(b[0]));
	for (;;) {
		uint64_t v;
		spw_status st = spw_u64_recv_timeout(rx, &v, 5000000000ull);

		if (st == SPW_CLOSED)
			break;
		if (st == SPW_TIMEOUT) {
			/* Nothing for 5 s: fine only if nothing is pending. */
			if (atomic_load(&prog.sent) > c.count)
				ck_abort_msg("lost wake-up: %zu values "
					     "pending after a 5 s wait",
					     (size_t)(atomic_load(&prog.sent) -
						      c.count));
			continue;
		}
		CHECK_ST(st, SPW_OK);
		check_take(&c, v);
		atomic_store(&prog.received, c.count);
	}
	for (i = 0; i < P; i++)
		pthread_join(th[i], NULL);
	watchdog_stop();
	for (i = 0; i < P; i++)
		CHECK((next[i]) == (b[i].sent));
	spw_u64_receiver_close(rx);
}
END_TEST

/* ---- capacity ---------------------------------------------------------- */

struct cap_producer {
	spw_u64_sender *tx;
	uint64_t id;
	size_t batch, batches;
	uint64_t accepted;
	struct progress *prog;
	atomic_int *producers_left;
};

static void *cap_main(void *arg)
{
	struct cap_producer *cp = arg;
	uint64_t *vals = calloc(cp->batch, sizeof(*vals));
	size_t b, k;

	T_ASSERT(vals != NULL);
	for (b = 0; b < cp->batches; b++) {
		spw_status st;

		/* Batch b of producer id: values id<<48 | b<<16 | k. */
		for (k = 0; k < cp->batch; k++)
			vals[k] = cp->id << 48 | (uint64_t)b << 16 | k;
		while ((st = spw_u64_send_many(cp->tx, vals, cp->batch)) ==
		       SPW_FULL)
			sched_yield();
		T_ASSERT_ST(st, SPW_OK);
		cp->accepted += cp->batch;
		atomic_fetch_add(&cp->prog->sent, cp->batch);
	}
	free(vals);
	spw_u64_sender_close(cp->tx);
	atomic_fetch_sub(cp->producers_left, 1);
	return NULL;
}

/*
 * The observer holds a sender of its own and watches the in-flight count
 * until every producer is done: it must never exceed the capacity.
 */
struct cap_observer {
	spw_u64_sender *tx;
	size_t cap;
	atomic_int *producers_left;
	size_t looks, max_seen;
};

static void *cap_observer_main(void *arg)
{
	struct cap_observer *o = arg;

	do {
		size_t len = SIZE_MAX, cap = 0;

		T_ASSERT_ST(spw_u64_sender_len(o->tx, &len), SPW_OK);
		T_ASSERT_ST(spw_u64_sender_capacity(o->tx, &cap), SPW_OK);
		T_ASSERT(cap == o->cap);
		if (len > o->cap) {
			fprintf(stderr, "in-flight count %zu above the "
				"capacity %zu\n", len, o->cap);
			abort();
		}
		if (len > o->max_seen)
			o->max_seen = len;
		o->looks++;
		if (o->looks % 64 == 0)
			sched_yield();
	} while (atomic_load(o->producers_left) > 0);
	spw_u64_sender_close(o->tx);
	return NULL;
}

static void capacity_one(size_t cap, size_t batch)
{
	enum { P = 8 };
	spw_config cfg = SPW_CONFIG_DEFAULT;
	struct cap_producer cp[P];
	pthread_t th[P], obs_th;
	struct cap_observer obs;
	atomic_int producers_left = P;
	struct progress prog = { "capacity", 0, 0, P, cap, (int)batch };
	uint64_t next_batch[P] = { 0 }, *big;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	size_t i, received = 0, total = 0;
	size_t batches = size_pick(2000, 20000) / batch + 1;
	uint64_t v;

	cfg.capacity = cap;
	cfg.lanes = 4;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	/* A batch of cap + 1 never fits. */
	big = calloc(cap + 1, sizeof(*big));
	CHECK((big) != NULL);
	CHECK_ST(spw_u64_send_many(tx, big, cap + 1), SPW_FULL);
	free(big);
	if (batch > cap) {
		CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
		CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
		spw_u64_receiver_close(rx);
		return;
	}
	for (i = 0; i < P; i++) {
		cp[i].id = i;
		cp[i].batch = batch;
		cp[i].batches = batches;
		cp[i].accepted = 0;
		cp[i].prog = &prog;
		cp[i].producers_left = &producers_left;
		cp[i].tx = nth_sender(tx, i);
	}
	obs.tx = nth_sender(tx, P);
	obs.cap = cap;
	obs.producers_left = &producers_left;
	obs.looks = obs.max_seen = 0;
	watchdog_start_progress("capacity", 30, &prog.received,
				progress_dump, &prog);
	CHECK(pthread_create(&obs_th, NULL, cap_observer_main, &obs) == 0);
	start_threads(th, P, cap_main, cp, sizeof(cp[0]));
	/*
	 * Receive one value at a time and check that each batch arrives
	 * contiguous and whole: inside a batch, nothing else comes between.
	 */
	for (;;) {
		spw_status st = spw_u64_recv(rx, &v);
		uint64_t id, b, k;

		if (st == SPW_CLOSED)
			break;
		CHECK_ST(st, SPW_OK);
		id = v >> 48;
		b = (v >> 16) & 0xffffffffu;
		k = v & 0xffff;
		CHECK((id) < (P));
		CHECK((k) == (0));
		CHECK((b) == (next_batch[id]));
		for (k = 1; k < batch; k++) {
			CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
			CHECK((v) == (id << 48 | b << 16 | k));
		}
		next_batch[id]++;
		received += batch;
		atomic_store(&prog.received, received);
	}
	for (i = 0; i < P; i++) {
		pthread_join(th[i], NULL);
		total += cp[i].accepted;
		CHECK((next_batch[i]) == (batches));
	}
	pthread_join(obs_th, NULL);
	watchdog_stop();
	CHECK((received) == (total));
	CHECK(obs.looks > 0);
	CHECK(obs.max_seen <= cap);
	/* Everything received: the count is back to 0. */
	{
		size_t len = SIZE_MAX;

		CHECK_ST(spw_u64_len(rx, &len), SPW_OK);
		CHECK(len == 0);
	}
	spw_u64_receiver_close(rx);
}

START_TEST(test_capacity_grid)
{
	static const size_t caps[] = { 1, 7, 64, 65536 };
	size_t c;

	for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		size_t cap = caps[c];
		size_t batches[4] = { 1, 3, cap, cap + 1 };
		size_t b;

		for (b = 0; b < 4; b++)
			capacity_one(cap, batches[b]);
	}
}
END_TEST

/*
 * A channel that cannot fill never says SPW_FULL: P senders send, with
 * plain sends (never waiting), fewer values all together than the
 * capacity, while the receiver takes them. A sender that read `reserved`
 * and then a `released` that other sends and receives had moved past it
 * once computed a negative in-flight count and reported the channel full.
 */
struct roomy_producer {
	spw_u64_sender *tx;
	uint64_t id, n;
	struct progress *prog;
};

static void *roomy_main(void *arg)
{
	struct roomy_producer *rp = arg;
	uint64_t i;

	for (i = 0; i < rp->n; i++) {
		T_ASSERT_ST(spw_u64_send(rp->tx, rp->id << 32 | i), SPW_OK);
		atomic_fetch_add(&rp->prog->sent, 1);
		if (i % 8 == 7)
			sched_yield();
	}
	spw_u64_sender_close(rp->tx);
	return NULL;
}

START_TEST(test_capacity_never_full)
{
	enum { P = 4 };
	spw_config cfg = SPW_CONFIG_DEFAULT;
	struct roomy_producer rp[P];
	pthread_t th[P];
	uint64_t n = size_pick(20000, 200000), next[P] = { 0 }, v, expect = 0;
	struct checker c = { next, P, 0, 0 };
	struct progress prog = { "capacity never full", 0, 0, P, SPW_DEFAULT_LANES, 0 };
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	spw_status st;
	size_t i;

	cfg.capacity = (size_t)n * P + 1;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	for (i = 0; i < P; i++) {
		rp[i].id = i;
		rp[i].n = n;
		rp[i].prog = &prog;
		rp[i].tx = nth_sender(tx, i);
	}
	watchdog_start_progress("capacity never full", 30, &prog.received, progress_dump, &prog);
	start_threads(th, P, roomy_main, rp, sizeof(rp[0]));
	while ((st = spw_u64_recv(rx, &v)) == SPW_OK) {
		check_take(&c, v);
		atomic_store(&prog.received, c.count);
	}
	CHECK_ST(st, SPW_CLOSED);
	for (i = 0; i < P; i++) {
		pthread_join(th[i], NULL);
		CHECK((next[i]) == (n));
		expect += n * (i << 32) + n * (n - 1) / 2;
	}
	watchdog_stop();
	CHECK((c.count) == (P * n));
	CHECK((c.sum) == (expect));
	spw_u64_receiver_close(rx);
}
END_TEST

/* ---- receiver close mid-stream ----------------------------------------- */

struct close_count {
	atomic_long destroyed;
	atomic_ullong sum;
};

static void close_destroy(void *elem, void *ctx)
{
	struct close_count *cc = ctx;

	atomic_fetch_add(&cc->destroyed, 1);
	atomic_fetch_add(&cc->sum, *(uint64_t *)elem);
}

struct closing_producer {
	spw_u64_sender *tx;
	uint64_t id, accepted, accepted_sum;
};

static void *closing_main(void *arg)
{
	struct closing_producer *cp = arg;
	uint64_t i;

	for (i = 0;; i++) {
		uint64_t v = cp->id << 32 | i;
		spw_status st = spw_u64_send(cp->tx, v);

		if (st == SPW_CLOSED)
			break;
		T_ASSERT_ST(st, SPW_OK);
		cp->accepted++;
		cp->accepted_sum += v;
	}
	/* After the first SPW_CLOSED, every send is refused. */
	T_ASSERT_ST(spw_u64_send(cp->tx, 1), SPW_CLOSED);
	spw_u64_sender_close(cp->tx);
	return NULL;
}

/*
 * The receiver takes k in [0, 1000] values and closes while producers
 * keep sending: accepted = received + destroyed, exactly.
 */
START_TEST(test_receiver_close_mid_stream)
{
	enum { P = 3 };
	size_t iters = size_pick(1000, 10000), it, i;
	uint64_t seed = 42;
	struct progress prog = { "receiver close", 0, 0, P, 4, 0 };

	watchdog_start_progress("receiver close", 30, &prog.received,
				progress_dump, &prog);
	for (it = 0; it < iters; it++) {
		struct close_count cc;
		struct closing_producer cp[P];
		pthread_t th[P];
		spw_config cfg = SPW_CONFIG_DEFAULT;
		spw_u64_sender *tx;
		spw_u64_receiver *rx;
		uint64_t received = 0, rsum = 0, accepted = 0, asum = 0, v;
		size_t k = (size_t)(rnd(&seed) % 1001);

		atomic_init(&cc.destroyed, 0);
		atomic_init(&cc.sum, 0);
		cfg.lanes = 4;
		cfg.destroy = close_destroy;
		cfg.destroy_ctx = &cc;
		CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
		for (i = 0; i < P; i++) {
			cp[i].id = i;
			cp[i].accepted = cp[i].accepted_sum = 0;
			cp[i].tx = nth_sender(tx, i);
		}
		start_threads(th, P, closing_main, cp, sizeof(cp[0]));
		while (received < k &&
		       spw_u64_recv(rx, &v) == SPW_OK) {
			received++;
			rsum += v;
		}
		CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
		for (i = 0; i < P; i++) {
			pthread_join(th[i], NULL);
			accepted += cp[i].accepted;
			asum += cp[i].accepted_sum;
		}
		/* Every handle is closed now: the channel is gone. */
		CHECK((received) == (k));
		CHECK((accepted) == (received + (uint64_t)atomic_load(
						     &cc.destroyed)));
		CHECK((asum) == (rsum + atomic_load(&cc.sum)));
		atomic_store(&prog.received, it + 1);
	}
	watchdog_stop();
}
END_TEST

/* ---- handle churn ------------------------------------------------------ */

struct churner {
	spw_u64_sender *base;
	uint64_t id;
	size_t cycles;
};

static void *churner_main(void *arg)
{
	struct churner *c = arg;
	size_t i;

	for (i = 0; i < c->cycles; i++) {
		spw_u64_sender *s;

		T_ASSERT_ST(spw_u64_sender_clone(c->base, &s), SPW_OK);
		T_ASSERT_ST(spw_u64_send(s, c->id << 32 | i), SPW_OK);
		T_ASSERT_ST(spw_u64_sender_close(s), SPW_OK);
	}
	T_ASSERT_ST(spw_u64_sender_close(c->base), SPW_OK);
	return NULL;
}

/*
 * 8 threads clone, send and close senders in a loop; end of stream comes
 * exactly once, after every value; the channel is freed exactly once
 * (the counting allocator ends at zero live blocks; ASan would see a
 * double free).
 */
START_TEST(test_handle_churn)
{
	enum { T = 8 };
	struct churner c[T];
	pthread_t th[T];
	struct progress prog = { "handle churn", 0, 0, T, 8, 0 };
	unsigned char *seen;
	uint64_t v;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	size_t cycles = size_pick(10000, 100000), i, got = 0;
	spw_status st;

	seen = calloc(T * cycles, 1);
	CHECK((seen) != NULL);
	alloc_install();
	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	for (i = 0; i < T; i++) {
		c[i].id = i;
		c[i].cycles = cycles;
		CHECK_ST(spw_u64_sender_clone(tx, &c[i].base), SPW_OK);
	}
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	watchdog_start_progress("handle churn", 30, &prog.received,
				progress_dump, &prog);
	start_threads(th, T, churner_main, c, sizeof(c[0]));
	while ((st = spw_u64_recv(rx, &v)) == SPW_OK) {
		/* Each value once (each clone sends one: no order to check). */
		CHECK((v >> 32) < (T));
		CHECK((v & 0xffffffffu) < (cycles));
		CHECK((seen[(v >> 32) * cycles + (v & 0xffffffffu)]) == (0));
		seen[(v >> 32) * cycles + (v & 0xffffffffu)] = 1;
		got++;
		atomic_store(&prog.received, got);
	}
	CHECK_ST(st, SPW_CLOSED);
	CHECK((got) == (T * cycles));
	/* End of stream is reported once and stays. */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
	for (i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	watchdog_stop();
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	CHECK((alloc_live()) == (0));
	alloc_uninstall();
	free(seen);
}
END_TEST

/* ---- suite ------------------------------------------------------------- */

int main(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("stress");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 3600);
	tcase_add_loop_test(tc, test_grid, 0, NMODES);
	tcase_add_test(tc, test_one_sender_threads);
	tcase_add_test(tc, test_eos_churn_spinning);
	tcase_add_test(tc, test_eos_churn_blocking);
	tcase_add_test(tc, test_ping_pong);
	tcase_add_test(tc, test_bursty_park_wake);
	tcase_add_test(tc, test_capacity_grid);
	tcase_add_test(tc, test_capacity_never_full);
	tcase_add_test(tc, test_receiver_close_mid_stream);
	tcase_add_test(tc, test_handle_churn);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	printf("stress: %s sizes\n", full_mode() ? "full" : "quick (CI)");
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
