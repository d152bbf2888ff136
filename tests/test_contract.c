/* SPDX-License-Identifier: MIT */
/*
 * test_contract.c - backpressure and shutdown: waiting sends (send_wait,
 * send_many_wait) on bounded channels, FIFO service of waiting senders,
 * receiver_shutdown (refuse new sends, drain the accepted ones, then end
 * of stream), is_closed, wait_closed and sender_count; then stress: P = 1
 * to 64 waiting senders against a slow receiver on capacities 1, 7, 64
 * and 4096 (per-sender order, exact counts, a 5 s lost-wake-up
 * watchdog), and shutdown racing with waiting and non-waiting senders
 * (accepted = received, refused = kept, nothing destroyed twice).
 */
#define _GNU_SOURCE

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spillway_u64.h"
#include "support.h"

#define MS 1000000u

static spw_u64_sender *clone_of(spw_u64_sender *tx)
{
	spw_u64_sender *s = NULL;

	CHECK_ST(spw_u64_sender_clone(tx, &s), SPW_OK);
	return s;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void bounded(size_t cap, spw_u64_sender **tx, spw_u64_receiver **rx)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;

	cfg.capacity = cap;
	CHECK_ST(spw_u64_channel_with(&cfg, tx, rx), SPW_OK);
}

/* ---- the calls, one thread --------------------------------------------- */

START_TEST(test_invalid_arguments)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t v[2] = { 1, 2 };
	int closed;
	size_t n;

	bounded(4, &tx, &rx);
	CHECK_ST(spw_u64_send_wait(NULL, 1, 0), SPW_INVALID);
	CHECK_ST(spw_u64_send_many_wait(NULL, v, 2, 0), SPW_INVALID);
	CHECK_ST(spw_u64_send_many_wait(tx, NULL, 2, 0), SPW_INVALID);
	CHECK_ST(spw_u64_send_many_wait(tx, NULL, 0, 0), SPW_OK);
	CHECK_ST(spw_u64_is_closed(NULL, &closed), SPW_INVALID);
	CHECK_ST(spw_u64_is_closed(tx, NULL), SPW_INVALID);
	CHECK_ST(spw_u64_wait_closed(NULL, 0), SPW_INVALID);
	CHECK_ST(spw_u64_receiver_shutdown(NULL), SPW_INVALID);
	CHECK_ST(spw_u64_sender_count(NULL, &n), SPW_INVALID);
	CHECK_ST(spw_u64_sender_count(rx, NULL), SPW_INVALID);
	/* A batch larger than the capacity could never fit. */
	{
		uint64_t five[5] = { 0 };

		CHECK_ST(spw_u64_send_many_wait(tx, five, 5, SPW_FOREVER),
			 SPW_INVALID);
	}
	/* Nothing changed. */
	CHECK_ST(spw_u64_len(rx, &n), SPW_OK);
	CHECK(n == 0);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

START_TEST(test_send_wait_unbounded_is_send)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t v, b[3] = { 2, 3, 4 };

	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_send_wait(tx, 1, 0), SPW_OK);
	CHECK_ST(spw_u64_send_many_wait(tx, b, 3, SPW_FOREVER), SPW_OK);
	for (v = 1; v <= 4; v++) {
		uint64_t got;

		CHECK_ST(spw_u64_recv(rx, &got), SPW_OK);
		CHECK(got == v);
	}
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

START_TEST(test_send_wait_timeout_keeps_value)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t v, b[2] = { 10, 11 };
	double t0;
	size_t n;

	bounded(2, &tx, &rx);
	CHECK_ST(spw_u64_send_wait(tx, 1, 0), SPW_OK);
	CHECK_ST(spw_u64_send_wait(tx, 2, 0), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 3), SPW_FULL);
	CHECK_ST(spw_u64_send_wait(tx, 3, 0), SPW_TIMEOUT);
	t0 = now_seconds();
	CHECK_ST(spw_u64_send_wait(tx, 3, 20 * MS), SPW_TIMEOUT);
	CHECK(now_seconds() - t0 >= 0.019);
	CHECK_ST(spw_u64_send_many_wait(tx, b, 2, 5 * MS), SPW_TIMEOUT);
	CHECK_ST(spw_u64_len(rx, &n), SPW_OK);
	CHECK(n == 2);
	/* Room again: the same calls succeed at once. */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 1);
	CHECK_ST(spw_u64_send_wait(tx, 3, SPW_FOREVER), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 3);
	CHECK_ST(spw_u64_send_many_wait(tx, b, 2, 0), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 10);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 11);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

/* ---- waiting senders in threads ---------------------------------------- */

struct waiter {
	spw_u64_sender *tx;
	uint64_t first;
	size_t n; /* batch size (1: send_wait) */
	uint64_t timeout;
	atomic_int started, done;
	spw_status st;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	uint64_t b[64];
	size_t i;

	atomic_store(&w->started, 1);
	if (w->n == 1) {
		w->st = spw_u64_send_wait(w->tx, w->first, w->timeout);
	} else {
		for (i = 0; i < w->n; i++)
			b[i] = w->first + i;
		w->st = spw_u64_send_many_wait(w->tx, b, w->n, w->timeout);
	}
	atomic_store(&w->done, 1);
	return NULL;
}

static void start_waiter(struct waiter *w, pthread_t *th, spw_u64_sender *tx,
			 uint64_t first, size_t n, uint64_t timeout)
{
	memset(w, 0, sizeof(*w));
	w->tx = tx;
	w->first = first;
	w->n = n;
	w->timeout = timeout;
	w->st = SPW_INVALID;
	CHECK(pthread_create(th, NULL, waiter_main, w) == 0);
	while (!atomic_load(&w->started))
		sched_yield();
	sleep_ms(20); /* let it reach the wait */
}

START_TEST(test_waiter_wakes_on_room)
{
	spw_u64_sender *tx, *tx2;
	spw_u64_receiver *rx;
	struct waiter w;
	pthread_t th;
	uint64_t v;

	bounded(1, &tx, &rx);
	tx2 = clone_of(tx);
	CHECK_ST(spw_u64_send(tx, 1), SPW_OK);
	start_waiter(&w, &th, tx2, 100, 1, SPW_FOREVER);
	CHECK(!atomic_load(&w.done));
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 1);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_ST(w.st, SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 100);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx2), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

/*
 * A batch waits until all its slots are free; while it waits, a plain send
 * does not jump the line (SPW_FULL even with room), and a second waiter is
 * served after the first.
 */
START_TEST(test_waiters_fifo_whole_batches)
{
	spw_u64_sender *tx, *ta, *tb;
	spw_u64_receiver *rx;
	struct waiter a, b;
	pthread_t tha, thb;
	uint64_t v;
	int i;

	bounded(4, &tx, &rx);
	ta = clone_of(tx);
	tb = clone_of(tx);
	for (i = 0; i < 4; i++)
		CHECK_ST(spw_u64_send(tx, (uint64_t)i), SPW_OK);
	start_waiter(&a, &tha, ta, 100, 3, SPW_FOREVER); /* needs 3 */
	start_waiter(&b, &thb, tb, 200, 1, SPW_FOREVER); /* then 1 */
	/* One slot free: not enough for a's batch; b must not pass a. */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	sleep_ms(20);
	CHECK(!atomic_load(&a.done) && !atomic_load(&b.done));
	CHECK_ST(spw_u64_send(tx, 9), SPW_FULL); /* room, but a waits */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	/* Three free: a goes; b needs one more. */
	CHECK(pthread_join(tha, NULL) == 0);
	CHECK_ST(a.st, SPW_OK);
	CHECK(!atomic_load(&b.done));
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 3);
	CHECK(pthread_join(thb, NULL) == 0);
	CHECK_ST(b.st, SPW_OK);
	/* The rest arrives: a's batch whole, then b's value. */
	for (i = 0; i < 3; i++) {
		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
		CHECK(v == 100 + (uint64_t)i);
	}
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 200);
	CHECK_ST(spw_u64_send(tx, 9), SPW_OK); /* nobody waits now */
	CHECK_ST(spw_u64_sender_close(ta), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tb), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

/* A waiting sender whose time runs out leaves the line; the next goes on. */
START_TEST(test_waiter_timeout_leaves_line)
{
	spw_u64_sender *tx, *ta, *tb;
	spw_u64_receiver *rx;
	struct waiter a, b;
	pthread_t tha, thb;
	uint64_t v;

	bounded(1, &tx, &rx);
	ta = clone_of(tx);
	tb = clone_of(tx);
	CHECK_ST(spw_u64_send(tx, 1), SPW_OK);
	start_waiter(&a, &tha, ta, 100, 1, 30 * MS);
	start_waiter(&b, &thb, tb, 200, 1, SPW_FOREVER);
	CHECK(pthread_join(tha, NULL) == 0);
	CHECK_ST(a.st, SPW_TIMEOUT);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(pthread_join(thb, NULL) == 0);
	CHECK_ST(b.st, SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 200);
	CHECK_ST(spw_u64_sender_close(ta), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tb), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

/* receiver_close wakes waiting senders with SPW_CLOSED; values kept. */
START_TEST(test_close_wakes_waiters)
{
	spw_u64_sender *tx, *ta;
	spw_u64_receiver *rx;
	struct waiter a;
	pthread_t tha;
	int closed = -1;

	bounded(1, &tx, &rx);
	ta = clone_of(tx);
	CHECK_ST(spw_u64_send(tx, 1), SPW_OK);
	start_waiter(&a, &tha, ta, 100, 1, SPW_FOREVER);
	CHECK_ST(spw_u64_is_closed(ta, &closed), SPW_OK);
	CHECK(closed == 0);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	CHECK(pthread_join(tha, NULL) == 0);
	CHECK_ST(a.st, SPW_CLOSED);
	CHECK_ST(spw_u64_is_closed(ta, &closed), SPW_OK);
	CHECK(closed == 1);
	CHECK_ST(spw_u64_wait_closed(ta, 0), SPW_OK);
	CHECK_ST(spw_u64_send_wait(ta, 5, SPW_FOREVER), SPW_CLOSED);
	CHECK_ST(spw_u64_sender_close(ta), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
}
END_TEST

/* ---- shutdown ---------------------------------------------------------- */

static atomic_uint destroyed;

static void count_destroy(void *elem, void *ctx)
{
	(void)elem;
	(void)ctx;
	atomic_fetch_add(&destroyed, 1);
}

struct closer {
	spw_u64_sender *tx;
	atomic_int waiting;
	spw_status st;
};

static void *wait_closed_main(void *arg)
{
	struct closer *c = arg;

	atomic_store(&c->waiting, 1);
	c->st = spw_u64_wait_closed(c->tx, SPW_FOREVER);
	return NULL;
}

START_TEST(test_shutdown_drains)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx, *ta, *tc;
	spw_u64_receiver *rx;
	struct waiter a;
	struct closer c;
	pthread_t tha, thc;
	uint64_t v, b[2] = { 50, 51 };
	size_t n;
	int i, closed = -1;

	atomic_store(&destroyed, 0);
	cfg.capacity = 5;
	cfg.destroy = count_destroy;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	ta = clone_of(tx);
	tc = clone_of(tx);
	CHECK_ST(spw_u64_sender_count(rx, &n), SPW_OK);
	CHECK(n == 3);
	for (i = 0; i < 5; i++)
		CHECK_ST(spw_u64_send(tx, (uint64_t)i), SPW_OK);
	start_waiter(&a, &tha, ta, 100, 1, SPW_FOREVER);
	memset(&c, 0, sizeof(c));
	c.tx = tc;
	c.st = SPW_INVALID;
	CHECK(pthread_create(&thc, NULL, wait_closed_main, &c) == 0);
	while (!atomic_load(&c.waiting))
		sched_yield();
	CHECK_ST(spw_u64_wait_closed(tc, 10 * MS), SPW_TIMEOUT);

	CHECK_ST(spw_u64_receiver_shutdown(rx), SPW_OK);
	CHECK_ST(spw_u64_receiver_shutdown(rx), SPW_OK); /* again: nothing */
	/* The waiting sender and the wait for the close both wake. */
	CHECK(pthread_join(tha, NULL) == 0);
	CHECK_ST(a.st, SPW_CLOSED);
	CHECK(pthread_join(thc, NULL) == 0);
	CHECK_ST(c.st, SPW_OK);
	CHECK_ST(spw_u64_is_closed(tx, &closed), SPW_OK);
	CHECK(closed == 1);
	/* New sends are refused, the value kept. */
	CHECK_ST(spw_u64_send(tx, 99), SPW_CLOSED);
	CHECK_ST(spw_u64_send_many(tx, b, 2), SPW_CLOSED);
	CHECK_ST(spw_u64_send_wait(tx, 99, SPW_FOREVER), SPW_CLOSED);
	/* Everything accepted is received, in order, then end of stream. */
	for (i = 0; i < 5; i++) {
		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
		CHECK(v == (uint64_t)i);
	}
	CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_recv_timeout(rx, &v, MS), SPW_CLOSED);
	CHECK_ST(spw_u64_sender_count(rx, &n), SPW_OK);
	CHECK(n == 3); /* the senders are still open, the stream is over */
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_sender_close(ta), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tc), SPW_OK);
	CHECK(atomic_load(&destroyed) == 0);
}
END_TEST

/* Shutdown of an unbounded channel; the descriptor becomes readable. */
START_TEST(test_shutdown_unbounded_fd)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	const uint64_t *items;
	uint64_t v;
	size_t n;
	int fd;

	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 1), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 2), SPW_OK);
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_OK);
	CHECK_ST(spw_u64_receiver_shutdown(rx), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 3), SPW_CLOSED);
	CHECK_ST(spw_u64_try_recv_batch(rx, &items, &n), SPW_OK);
	CHECK(n == 1 && items[0] == 2);
	CHECK_ST(spw_u64_try_recv_batch(rx, &items, &n), SPW_CLOSED);
	CHECK_ST(spw_u64_recv_many(rx, &v, 1, &n), SPW_CLOSED);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

/* ---- stress ------------------------------------------------------------ */

struct wsender {
	spw_u64_sender *tx;
	uint64_t id, count, batch;
	uint64_t accepted, refused;
	int mode; /* 0 send_wait, 1 send_many_wait, 2 send (retry on FULL) */
	atomic_size_t *progress;
};

static void *wsender_main(void *arg)
{
	struct wsender *s = arg;
	uint64_t i = 0, b[8];

	while (i < s->count) {
		spw_status st;
		uint64_t k, n = 1;

		if (s->mode == 1) {
			n = s->batch;
			if (n > s->count - i)
				n = s->count - i;
			for (k = 0; k < n; k++)
				b[k] = s->id << 40 | (i + k);
			st = spw_u64_send_many_wait(s->tx, b, n, SPW_FOREVER);
		} else if (s->mode == 0) {
			st = spw_u64_send_wait(s->tx, s->id << 40 | i,
					       SPW_FOREVER);
		} else {
			st = spw_u64_send(s->tx, s->id << 40 | i);
			if (st == SPW_FULL) {
				sched_yield();
				continue;
			}
		}
		if (st == SPW_CLOSED) {
			s->refused = s->count - i;
			break;
		}
		T_ASSERT_ST(st, SPW_OK);
		i += n;
		s->accepted = i;
	}
	T_ASSERT_ST(spw_u64_sender_close(s->tx), SPW_OK);
	return NULL;
}

/*
 * P waiting senders (send_wait and send_many_wait) against a receiver that
 * sleeps now and then; per-sender order, exact counts, 5 s watchdog.
 */
static void waiting_grid(size_t cap, size_t P, uint64_t per)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	struct wsender *s = calloc(P, sizeof(*s));
	pthread_t *th = calloc(P, sizeof(*th));
	uint64_t *next = calloc(P, sizeof(*next));
	atomic_size_t progress = 0;
	uint64_t v, got = 0;
	size_t i, inflight;
	spw_status st;

	CHECK(s != NULL && th != NULL && next != NULL);
	cfg.capacity = cap;
	cfg.lanes = P < 8 ? P : 8;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	for (i = 0; i < P; i++) {
		s[i].tx = i == 0 ? tx : clone_of(tx);
		s[i].id = i;
		s[i].count = per;
		s[i].mode = (int)(i % 3 == 2 ? 1 : 0);
		s[i].batch = cap < 3 ? cap : 3;
		if (s[i].mode == 1 && s[i].batch == 1)
			s[i].mode = 0;
	}
	watchdog_start_progress("waiting senders", 5, &progress, NULL, NULL);
	for (i = 0; i < P; i++)
		CHECK(pthread_create(&th[i], NULL, wsender_main, &s[i]) == 0);
	while ((st = spw_u64_recv(rx, &v)) == SPW_OK) {
		uint64_t id = v >> 40, seq = v & ((1ull << 40) - 1);

		CHECK(id < P);
		CHECK(seq == next[id]);
		next[id]++;
		got++;
		atomic_store(&progress, (size_t)got);
		if (got % 997 == 0)
			sleep_ms(1); /* a slow receiver: senders must wait */
		if (got % 101 == 0) {
			CHECK_ST(spw_u64_len(rx, &inflight), SPW_OK);
			CHECK(inflight <= cap);
		}
	}
	CHECK_ST(st, SPW_CLOSED);
	watchdog_stop();
	for (i = 0; i < P; i++) {
		CHECK(pthread_join(th[i], NULL) == 0);
		CHECK(next[i] == per);
		CHECK(s[i].accepted == per && s[i].refused == 0);
	}
	CHECK(got == per * P);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	free(s);
	free(th);
	free(next);
}

START_TEST(test_stress_waiting_senders)
{
	static const size_t caps[] = { 1, 7, 64, 4096 };
	static const size_t ps[] = { 1, 2, 8, 64 };
	size_t c, p;

	for (c = 0; c < 4; c++)
		for (p = 0; p < 4; p++)
			waiting_grid(caps[c], ps[p],
				     test_scaled(ps[p] >= 64 ? 500 : 4000));
}
END_TEST

/*
 * Shutdown racing with waiting and non-waiting senders: every value a
 * send accepted is received (exactly once, in per-sender order), every
 * refused one stays with its sender, the destroy hook sees nothing.
 */
static void shutdown_race(size_t cap, size_t P, uint64_t stop_after)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	struct wsender s[16];
	pthread_t th[16];
	uint64_t next[16] = { 0 }, v, got = 0, accepted = 0;
	atomic_size_t progress = 0;
	size_t i;
	spw_status st;

	CHECK(P <= 16);
	atomic_store(&destroyed, 0);
	cfg.capacity = cap;
	cfg.lanes = 4;
	cfg.destroy = count_destroy;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	memset(s, 0, sizeof(s));
	for (i = 0; i < P; i++) {
		s[i].tx = i == 0 ? tx : clone_of(tx);
		s[i].id = i;
		s[i].count = 1u << 30; /* until refused */
		s[i].mode = (int)(i % 3);
		s[i].batch = cap == 0 || cap >= 5 ? 5 : cap;
		if (s[i].mode == 1 && s[i].batch == 1)
			s[i].mode = 0;
	}
	watchdog_start_progress("shutdown race", 5, &progress, NULL, NULL);
	for (i = 0; i < P; i++)
		CHECK(pthread_create(&th[i], NULL, wsender_main, &s[i]) == 0);
	for (;;) {
		if (got == stop_after)
			CHECK_ST(spw_u64_receiver_shutdown(rx), SPW_OK);
		st = spw_u64_recv(rx, &v);
		if (st != SPW_OK)
			break;
		{
			uint64_t id = v >> 40, seq = v & ((1ull << 40) - 1);

			CHECK(id < P);
			CHECK(seq == next[id]);
			next[id]++;
		}
		got++;
		atomic_store(&progress, (size_t)got);
	}
	CHECK_ST(st, SPW_CLOSED);
	watchdog_stop();
	for (i = 0; i < P; i++) {
		CHECK(pthread_join(th[i], NULL) == 0);
		CHECK(s[i].accepted == next[i]);
		CHECK(s[i].accepted + s[i].refused == s[i].count);
		accepted += s[i].accepted;
	}
	CHECK(got == accepted);
	CHECK(got >= stop_after);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	CHECK(atomic_load(&destroyed) == 0);
}

START_TEST(test_stress_shutdown_race)
{
	static const size_t caps[] = { 0, 1, 7, 64 };
	static const size_t ps[] = { 1, 3, 16 };
	size_t c, p, r;

	for (r = 0; r < test_scaled(5); r++)
		for (c = 0; c < 4; c++)
			for (p = 0; p < 3; p++)
				shutdown_race(caps[c], ps[p], 1000 * (r + 1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("contract");
	TCase *tc = tcase_create("calls");
	TCase *ts = tcase_create("stress");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_invalid_arguments);
	tcase_add_test(tc, test_send_wait_unbounded_is_send);
	tcase_add_test(tc, test_send_wait_timeout_keeps_value);
	tcase_add_test(tc, test_waiter_wakes_on_room);
	tcase_add_test(tc, test_waiters_fifo_whole_batches);
	tcase_add_test(tc, test_waiter_timeout_leaves_line);
	tcase_add_test(tc, test_close_wakes_waiters);
	tcase_add_test(tc, test_shutdown_drains);
	tcase_add_test(tc, test_shutdown_unbounded_fd);
	suite_add_tcase(s, tc);
	tcase_set_timeout(ts, 600);
	tcase_add_test(ts, test_stress_waiting_senders);
	tcase_add_test(ts, test_stress_shutdown_race);
	suite_add_tcase(s, ts);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
