/* SPDX-License-Identifier: MIT */
/*
 * impl_bounded_mutex.c - the bounded queue a C programmer writes by hand,
 * the peer of Spillway's send_wait row: a fixed ring of job->capacity
 * values, one mutex, two condition variables. A producer's put waits on
 * not_full while the ring is full; the receiver's get waits on not_empty
 * while it is empty, then takes everything there is, up to its buffer
 * (MC_RECV_BUF values, as spw_u64_recv_many in the Spillway row), in one
 * lock round trip, and checks the values after unlocking.
 *
 * Wake-ups: a put signals not_empty when it makes the ring non-empty (the
 * one receiver only sleeps on an empty ring); a get that freed room
 * broadcasts not_full when a producer is waiting (it may have freed room
 * for many). End of stream: the last producer to finish says so under the
 * lock and wakes the receiver.
 */
#define _GNU_SOURCE

#include "bench.h"

#include <stdlib.h>
#include <string.h>

struct bq {
	pthread_mutex_t lock;
	pthread_cond_t not_full;
	pthread_cond_t not_empty;
	uint64_t *buf;
	size_t cap; /* slots */
	size_t head; /* the oldest value */
	size_t len;
	unsigned put_waiting; /* producers asleep on not_full */
	unsigned senders; /* producers still sending */
};

static void bq_init(struct bq *q, size_t cap, unsigned senders)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	q->buf = xmalloc(cap * sizeof(*q->buf));
	/* Touched before the clock starts, like every other row's setup. */
	memset(q->buf, 0, cap * sizeof(*q->buf));
	q->cap = cap;
	q->head = 0;
	q->len = 0;
	q->put_waiting = 0;
	q->senders = senders;
}

static void bq_destroy(struct bq *q)
{
	free(q->buf);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->lock);
}

/* Append v, waiting while the ring is full. */
static void bq_put(struct bq *q, uint64_t v)
{
	size_t tail;

	pthread_mutex_lock(&q->lock);
	while (q->len == q->cap) {
		q->put_waiting++;
		pthread_cond_wait(&q->not_full, &q->lock);
		q->put_waiting--;
	}
	tail = q->head + q->len;
	if (tail >= q->cap)
		tail -= q->cap;
	q->buf[tail] = v;
	if (q->len++ == 0)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

static void bq_sender_done(struct bq *q)
{
	pthread_mutex_lock(&q->lock);
	if (--q->senders == 0)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/*
 * Move up to max values, oldest first, into out[], waiting for the first;
 * returns how many, 0 at end of stream (every producer done, ring empty).
 */
static size_t bq_get(struct bq *q, uint64_t *out, size_t max)
{
	size_t n, first;

	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && q->senders != 0)
		pthread_cond_wait(&q->not_empty, &q->lock);
	n = q->len < max ? q->len : max;
	/* At most two pieces: up to the end of the ring, then from 0. */
	first = q->cap - q->head < n ? q->cap - q->head : n;
	memcpy(out, &q->buf[q->head], first * sizeof(*out));
	memcpy(&out[first], q->buf, (n - first) * sizeof(*out));
	q->head += n;
	if (q->head >= q->cap)
		q->head -= q->cap;
	q->len -= n;
	if (n != 0 && q->put_waiting != 0)
		pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return n;
}

/* ---- throughput ------------------------------------------------------------- */

static void *bounded_mutex_main(struct producer *pr)
{
	struct bq *q = pr->ctx;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		bq_put(q, make_value(pr->id, i));
	bq_sender_done(q);
	return NULL;
}

uint64_t bounded_mutex_run(const struct job *job)
{
	static uint64_t buf[MC_RECV_BUF];
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct bq q;
	uint64_t t0, t1;
	size_t n;
	unsigned p;

	if (job->capacity == 0)
		die("%s: no capacity", job->name);
	bq_init(&q, job->capacity, job->producers);
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++)
		prs[p].ctx = &q;
	checker_init(&c, job);
	producers_start(prs, job->producers, bounded_mutex_main);

	t0 = gate_open(&g, job->producers);
	while ((n = bq_get(&q, buf, MC_RECV_BUF)) != 0)
		checker_take_many(&c, buf, n);
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	free(prs);
	bq_destroy(&q);
	gate_destroy(&g);
	return t1 - t0;
}
