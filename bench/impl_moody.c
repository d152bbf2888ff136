/* SPDX-License-Identifier: MIT */
/*
 * impl_moody.c - the moodycamel rows, through moodycamel_shim.cpp:
 * throughput with a ProducerToken each (enqueue, enqueue_bulk(32)) or
 * without tokens (implicit producers), received with try_dequeue_bulk and
 * a ConsumerToken; latency with BlockingConcurrentQueue::wait_dequeue
 * (blocking) or a ConcurrentQueue::try_dequeue spin.
 *
 * moodycamel has no close: each producer adds one to a `done` counter
 * (release) after its last enqueue, and the receiver stops once it has
 * seen done == P (acquire) and then drained the queue until it came back
 * empty. The latency streams end with a sentinel value instead.
 */
#define _GNU_SOURCE

#include "bench.h"
#include "moodycamel_shim.h"

#include <stdlib.h>

#define SENTINEL UINT64_MAX

/* ---- throughput ----------------------------------------------------------- */

struct mc_ctx {
	mc_queue *q;
	_Alignas(64) atomic_uint done; /* producers finished */
};

static void *moody_main(struct producer *pr)
{
	struct mc_ctx *x = pr->ctx;
	mc_producer *tok = pr->handle;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		if (UNLIKELY(!mc_enqueue(tok, make_value(pr->id, i))))
			die("moodycamel enqueue: out of memory");
	atomic_fetch_add_explicit(&x->done, 1, memory_order_release);
	return NULL;
}

static void *moody_bulk_main(struct producer *pr)
{
	struct mc_ctx *x = pr->ctx;
	mc_producer *tok = pr->handle;
	uint64_t batch[BATCH];
	uint64_t i = 0;
	size_t k, n;

	gate_wait(pr->gate);
	while (i < pr->count) {
		n = pr->count - i < BATCH ? (size_t)(pr->count - i) : BATCH;
		for (k = 0; k < n; k++)
			batch[k] = make_value(pr->id, i + k);
		if (UNLIKELY(!mc_enqueue_bulk(tok, batch, n)))
			die("moodycamel enqueue_bulk: out of memory");
		i += n;
	}
	atomic_fetch_add_explicit(&x->done, 1, memory_order_release);
	return NULL;
}

/* No token: moodycamel gives each thread an implicit producer. */
static void *moody_implicit_main(struct producer *pr)
{
	struct mc_ctx *x = pr->ctx;
	mc_queue *q = x->q;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		if (UNLIKELY(!mc_enqueue_implicit(q, make_value(pr->id, i))))
			die("moodycamel enqueue: out of memory");
	atomic_fetch_add_explicit(&x->done, 1, memory_order_release);
	return NULL;
}

uint64_t moody_run(const struct job *job)
{
	uint64_t buf[MC_RECV_BUF];
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct mc_ctx *x;
	mc_consumer *cons;
	uint64_t t0, t1;
	size_t n;
	unsigned p, spins = 0;

	x = aligned_alloc(64, sizeof(*x));
	if (x == NULL)
		die("out of memory");
	atomic_init(&x->done, 0);
	x->q = mc_queue_new();
	if (x->q == NULL)
		die("moodycamel: out of memory");
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++) {
		prs[p].ctx = x;
		if (job->variant == V_IMPLICIT)
			continue;
		prs[p].handle = mc_producer_new(x->q);
		if (prs[p].handle == NULL)
			die("moodycamel: producer token: out of memory");
	}
	cons = mc_consumer_new(x->q);
	if (cons == NULL)
		die("moodycamel: consumer token: out of memory");
	checker_init(&c, job);
	producers_start(prs, job->producers,
			job->variant == V_BULK ? moody_bulk_main : job->variant == V_IMPLICIT ? moody_implicit_main
											      : moody_main);

	t0 = gate_open(&g, job->producers);
	for (;;) {
		n = mc_try_dequeue_bulk(cons, buf, MC_RECV_BUF);
		if (n != 0) {
			checker_take_many(&c, buf, n);
			spins = 0;
			continue;
		}
		if (atomic_load_explicit(&x->done, memory_order_acquire) ==
		    job->producers) {
			/* Every enqueue is complete and visible: drain. */
			while ((n = mc_try_dequeue_bulk(cons, buf,
							MC_RECV_BUF)) != 0)
				checker_take_many(&c, buf, n);
			break;
		}
		idle_wait(&spins);
	}
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	mc_consumer_free(cons);
	for (p = 0; p < job->producers; p++)
		if (prs[p].handle != NULL)
			mc_producer_free(prs[p].handle);
	mc_queue_free(x->q);
	free(x);
	free(prs);
	gate_destroy(&g);
	return t1 - t0;
}

/* ---- latency ------------------------------------------------------------------- */

/*
 * One direction of a latency run: a BlockingConcurrentQueue (LAT_BLOCK)
 * or a ConcurrentQueue (LAT_SPIN), with a producer and a consumer token.
 */
struct mc_pipe {
	enum lat_kind kind;
	mc_bqueue *bq;
	mc_bproducer *bp;
	mc_bconsumer *bc;
	mc_queue *q;
	mc_producer *p;
	mc_consumer *c;
};

static void pipe_init(struct mc_pipe *m, enum lat_kind kind)
{
	m->kind = kind;
	m->bq = NULL;
	m->q = NULL;
	if (kind == LAT_BLOCK) {
		m->bq = mc_bqueue_new();
		if (m->bq == NULL)
			die("moodycamel: out of memory");
		m->bp = mc_bproducer_new(m->bq);
		m->bc = mc_bconsumer_new(m->bq);
		if (m->bp == NULL || m->bc == NULL)
			die("moodycamel: token: out of memory");
	} else {
		m->q = mc_queue_new();
		if (m->q == NULL)
			die("moodycamel: out of memory");
		m->p = mc_producer_new(m->q);
		m->c = mc_consumer_new(m->q);
		if (m->p == NULL || m->c == NULL)
			die("moodycamel: token: out of memory");
	}
}

static void pipe_destroy(struct mc_pipe *m)
{
	if (m->kind == LAT_BLOCK) {
		mc_bconsumer_free(m->bc);
		mc_bproducer_free(m->bp);
		mc_bqueue_free(m->bq);
	} else {
		mc_consumer_free(m->c);
		mc_producer_free(m->p);
		mc_queue_free(m->q);
	}
}

static inline void pipe_put(struct mc_pipe *m, uint64_t v)
{
	int ok = m->kind == LAT_BLOCK ? mc_benqueue(m->bp, v) : mc_enqueue(m->p, v);

	if (UNLIKELY(!ok))
		die("moodycamel enqueue: out of memory");
}

static inline uint64_t pipe_take(struct mc_pipe *m)
{
	uint64_t v;

	if (m->kind == LAT_BLOCK) {
		mc_bwait_dequeue(m->bc, &v);
		return v;
	}
	while (!mc_try_dequeue(m->c, &v))
		CPU_RELAX();
	return v;
}

struct mc_lat {
	struct lat_job *j;
	struct mc_pipe ping, pong; /* one-way: ping only */
	uint64_t start;
};

static void *mc_echo(struct lat_thread *t)
{
	struct mc_lat *e = t->arg;
	uint64_t v, c0 = thread_cpu_ns(), w0 = now_ns();

	while ((v = pipe_take(&e->ping)) != SENTINEL)
		pipe_put(&e->pong, v);
	t->cpu_ns = thread_cpu_ns() - c0;
	t->wall_ns = now_ns() - w0;
	return NULL;
}

void moody_pingpong(struct lat_job *j)
{
	struct lat_thread echo;
	struct mc_lat e;
	uint64_t i, t0, t1, v, deadline;

	e.j = j;
	pipe_init(&e.ping, j->kind);
	pipe_init(&e.pong, j->kind);
	lat_thread_start(&echo, j->pinned ? cpu_producer(0) : -1, mc_echo, &e);

	j->n = 0;
	deadline = now_ns() + j->duration_ns;
	for (i = 0, t1 = 0; j->n < j->cap && t1 < deadline; i++) {
		t0 = now_ns();
		pipe_put(&e.ping, i);
		v = pipe_take(&e.pong);
		t1 = now_ns();
		if (v != i)
			die("%s: pong %llu, expected %llu", j->name,
			    (unsigned long long)v, (unsigned long long)i);
		j->lat[j->n++] = t1 - t0;
	}
	pipe_put(&e.ping, SENTINEL);
	lat_thread_join(&echo);
	j->rx_cpu_ns = echo.cpu_ns;
	j->rx_wall_ns = echo.wall_ns;
	pipe_destroy(&e.ping);
	pipe_destroy(&e.pong);
}

static void *mc_pacer(struct lat_thread *t)
{
	struct mc_lat *s = t->arg;
	uint64_t per = oneway_per_burst(s->j), bursts = oneway_bursts(s->j);
	uint64_t b, k, at;

	pace_thread_setup();
	for (b = 0; b < bursts; b++) {
		at = s->start + b * s->j->burst_ns;
		sleep_until(at);
		for (k = 0; k < per; k++)
			pipe_put(&s->ping, at);
	}
	pipe_put(&s->ping, SENTINEL);
	return NULL;
}

void moody_oneway(struct lat_job *j)
{
	struct lat_thread pacer;
	struct mc_lat s;
	uint64_t v, last = 0, c0, w0;

	s.j = j;
	pipe_init(&s.ping, j->kind);
	s.start = now_ns() + 1000000;
	j->n = 0;
	c0 = thread_cpu_ns();
	w0 = now_ns();
	lat_thread_start(&pacer, j->pinned ? cpu_producer(0) : -1, mc_pacer,
			 &s);
	while ((v = pipe_take(&s.ping)) != SENTINEL)
		oneway_take(j, v, &last);
	j->rx_cpu_ns = thread_cpu_ns() - c0;
	j->rx_wall_ns = now_ns() - w0;
	lat_thread_join(&pacer);
	oneway_finish(j);
	pipe_destroy(&s.ping);
}
