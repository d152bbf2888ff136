/* SPDX-License-Identifier: MIT */
/*
 * impl_mutex.c - the queue a C programmer writes by hand: an unbounded
 * FIFO on a ring buffer that doubles when full, one mutex, one condvar
 * for "not empty or finished"; one value per lock round trip. Throughput
 * and latency (ping-pong, one-way), always a blocking receiver.
 */
#define _GNU_SOURCE

#include "bench.h"

#include <stdlib.h>
#include <string.h>

struct mq {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	uint64_t *buf;
	size_t cap; /* a power of two */
	size_t head; /* the oldest value */
	size_t len;
	unsigned senders; /* producers still sending */
};

static void mq_init(struct mq *q, unsigned senders)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->ready, NULL);
	q->cap = 64;
	q->buf = xmalloc(q->cap * sizeof(*q->buf));
	q->head = 0;
	q->len = 0;
	q->senders = senders;
}

static void mq_destroy(struct mq *q)
{
	free(q->buf);
	pthread_cond_destroy(&q->ready);
	pthread_mutex_destroy(&q->lock);
}

/* The queue is full: double it, oldest value first. Lock held. */
static void mq_grow(struct mq *q)
{
	uint64_t *buf = xmalloc(2 * q->cap * sizeof(*buf));
	size_t first = q->cap - q->head;

	memcpy(buf, &q->buf[q->head], first * sizeof(*buf));
	memcpy(&buf[first], q->buf, q->head * sizeof(*buf));
	free(q->buf);
	q->buf = buf;
	q->head = 0;
	q->cap *= 2;
}

static void mq_push(struct mq *q, uint64_t v)
{
	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap)
		mq_grow(q);
	q->buf[(q->head + q->len) & (q->cap - 1)] = v;
	/* One consumer, and it only sleeps on an empty queue. */
	if (q->len++ == 0)
		pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

static void mq_sender_done(struct mq *q)
{
	pthread_mutex_lock(&q->lock);
	if (--q->senders == 0)
		pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

/* Take the oldest value into *v, waiting; 0 at end of stream. */
static int mq_pop(struct mq *q, uint64_t *v)
{
	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && q->senders != 0)
		pthread_cond_wait(&q->ready, &q->lock);
	if (q->len == 0) {
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	*v = q->buf[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->len--;
	pthread_mutex_unlock(&q->lock);
	return 1;
}

/* ---- throughput ------------------------------------------------------------- */

static void *mutex_main(struct producer *pr)
{
	struct mq *q = pr->ctx;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		mq_push(q, make_value(pr->id, i));
	mq_sender_done(q);
	return NULL;
}

uint64_t mutex_run(const struct job *job)
{
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct mq q;
	uint64_t t0, t1, v;
	unsigned p;

	mq_init(&q, job->producers);
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++)
		prs[p].ctx = &q;
	checker_init(&c, job);
	producers_start(prs, job->producers, mutex_main);

	t0 = gate_open(&g, job->producers);
	while (mq_pop(&q, &v))
		checker_take(&c, v);
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	free(prs);
	mq_destroy(&q);
	gate_destroy(&g);
	return t1 - t0;
}

/* ---- latency ------------------------------------------------------------------ */

struct mq_lat {
	struct lat_job *j;
	struct mq ping, pong; /* one-way: ping only */
	uint64_t start;
};

static void *mq_echo(struct lat_thread *t)
{
	struct mq_lat *e = t->arg;
	uint64_t v, c0 = thread_cpu_ns(), w0 = now_ns();

	while (mq_pop(&e->ping, &v))
		mq_push(&e->pong, v);
	t->cpu_ns = thread_cpu_ns() - c0;
	t->wall_ns = now_ns() - w0;
	mq_sender_done(&e->pong);
	return NULL;
}

void mutex_pingpong(struct lat_job *j)
{
	struct lat_thread echo;
	struct mq_lat e;
	uint64_t i, t0, t1, v = 0, deadline;
	int ok;

	e.j = j;
	mq_init(&e.ping, 1);
	mq_init(&e.pong, 1);
	lat_thread_start(&echo, j->pinned ? cpu_producer(0) : -1, mq_echo, &e);

	j->n = 0;
	deadline = now_ns() + j->duration_ns;
	for (i = 0, t1 = 0; j->n < j->cap && t1 < deadline; i++) {
		t0 = now_ns();
		mq_push(&e.ping, i);
		ok = mq_pop(&e.pong, &v);
		t1 = now_ns();
		if (!ok || v != i)
			die("%s: pong %llu, expected %llu", j->name,
			    (unsigned long long)v, (unsigned long long)i);
		j->lat[j->n++] = t1 - t0;
	}
	mq_sender_done(&e.ping);
	lat_thread_join(&echo);
	j->rx_cpu_ns = echo.cpu_ns;
	j->rx_wall_ns = echo.wall_ns;
	mq_destroy(&e.ping);
	mq_destroy(&e.pong);
}

static void *mq_pacer(struct lat_thread *t)
{
	struct mq_lat *s = t->arg;
	uint64_t per = oneway_per_burst(s->j), bursts = oneway_bursts(s->j);
	uint64_t b, k, at;

	pace_thread_setup();
	for (b = 0; b < bursts; b++) {
		at = s->start + b * s->j->burst_ns;
		sleep_until(at);
		for (k = 0; k < per; k++)
			mq_push(&s->ping, at);
	}
	mq_sender_done(&s->ping);
	return NULL;
}

void mutex_oneway(struct lat_job *j)
{
	struct lat_thread pacer;
	struct mq_lat s;
	uint64_t v, last = 0, c0, w0;

	s.j = j;
	mq_init(&s.ping, 1);
	s.start = now_ns() + 1000000;
	j->n = 0;
	c0 = thread_cpu_ns();
	w0 = now_ns();
	lat_thread_start(&pacer, j->pinned ? cpu_producer(0) : -1, mq_pacer,
			 &s);
	while (mq_pop(&s.ping, &v))
		oneway_take(j, v, &last);
	j->rx_cpu_ns = thread_cpu_ns() - c0;
	j->rx_wall_ns = now_ns() - w0;
	lat_thread_join(&pacer);
	oneway_finish(j);
	mq_destroy(&s.ping);
}
