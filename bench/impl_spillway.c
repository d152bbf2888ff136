/* SPDX-License-Identifier: MIT */
/*
 * impl_spillway.c - the Spillway rows: throughput (send, send_many(32),
 * send + recv_batch, send + recv_many, one sender shared by every
 * producer, send_wait and send_many_wait(32) on a bounded channel) and latency (ping-pong, one-way at an offered rate; blocking
 * recv or a try_recv spin). Only the public API of spillway_u64.h.
 */
#define _GNU_SOURCE

#include "bench.h"

#include <stdlib.h>

/* ---- throughput ----------------------------------------------------------- */

struct sp_shared {
	spw_u64_sender *tx; /* V_SHARED: the one sender */
	atomic_uint remaining; /* V_SHARED: producers still sending */
};

static void *send_main(struct producer *pr)
{
	spw_u64_sender *tx = pr->handle;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		check(spw_u64_send(tx, make_value(pr->id, i)), "send");
	check(spw_u64_sender_close(tx), "sender_close");
	return NULL;
}

/* Batches of 32: send_many, or on a bounded channel send_many_wait. */
static void *send_batches(struct producer *pr, int wait)
{
	spw_u64_sender *tx = pr->handle;
	spw_u64_value batch[BATCH];
	uint64_t i = 0;
	size_t k, n;

	gate_wait(pr->gate);
	while (i < pr->count) {
		n = pr->count - i < BATCH ? (size_t)(pr->count - i) : BATCH;
		for (k = 0; k < n; k++)
			batch[k] = make_value(pr->id, i + k);
		if (wait)
			check(spw_u64_send_many_wait(tx, batch, n, SPW_FOREVER), "send_many_wait");
		else
			check(spw_u64_send_many(tx, batch, n), "send_many");
		i += n;
	}
	check(spw_u64_sender_close(tx), "sender_close");
	return NULL;
}

static void *send_many_main(struct producer *pr)
{
	return send_batches(pr, 0);
}

/*
 * Bounded channel: wait for room (no limit) rather than spin on SPW_FULL.
 */
static void *send_wait_main(struct producer *pr)
{
	spw_u64_sender *tx = pr->handle;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		check(spw_u64_send_wait(tx, make_value(pr->id, i), SPW_FOREVER),
		      "send_wait");
	check(spw_u64_sender_close(tx), "sender_close");
	return NULL;
}

/* Bounded channel, in batches: one reservation per batch of 32. */
static void *send_many_wait_main(struct producer *pr)
{
	return send_batches(pr, 1);
}

/* Every producer sends on the same handle; the last one closes it. */
static void *send_shared_main(struct producer *pr)
{
	struct sp_shared *sh = pr->ctx;
	spw_u64_sender *tx = sh->tx;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		check(spw_u64_send(tx, make_value(pr->id, i)), "send");
	if (atomic_fetch_sub_explicit(&sh->remaining, 1,
				      memory_order_acq_rel) == 1)
		check(spw_u64_sender_close(tx), "sender_close");
	return NULL;
}

uint64_t spillway_run(const struct job *job)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	const spw_u64_value *items;
	struct producer *prs;
	struct sp_shared sh;
	struct checker c;
	struct gate g;
	spw_status st;
	uint64_t t0, t1, v;
	static uint64_t buf[MC_RECV_BUF];
	size_t n;
	unsigned p;

	cfg.lanes = job->lanes;
	if (job->variant == V_SEND_WAIT || job->variant == V_SEND_MANY_WAIT) {
		if (job->capacity == 0)
			die("%s: no capacity", job->name);
		cfg.capacity = job->capacity;
	}
	check(spw_u64_channel_with(&cfg, &tx, &rx), "channel_with");
	gate_init(&g);
	prs = producers_new(job, &g);
	if (job->variant == V_SHARED) {
		sh.tx = tx;
		atomic_init(&sh.remaining, job->producers);
		for (p = 0; p < job->producers; p++)
			prs[p].ctx = &sh;
	} else {
		for (p = 0; p < job->producers; p++) {
			spw_u64_sender *own;

			check(spw_u64_sender_clone(tx, &own), "sender_clone");
			prs[p].handle = own;
		}
		check(spw_u64_sender_close(tx), "sender_close");
	}
	checker_init(&c, job);
	producers_start(prs, job->producers,
			job->variant == V_SEND_MANY        ? send_many_main
			: job->variant == V_SHARED         ? send_shared_main
			: job->variant == V_SEND_WAIT      ? send_wait_main
			: job->variant == V_SEND_MANY_WAIT ? send_many_wait_main
							   : send_main);

	t0 = gate_open(&g, job->producers);
	if (job->variant == V_RECV_BATCH) {
		while ((st = spw_u64_recv_batch(rx, &items, &n)) == SPW_OK)
			checker_take_many(&c, items, n);
	} else if (job->variant == V_RECV_MANY ||
		   job->variant == V_SEND_MANY ||
		   job->variant == V_SEND_WAIT ||
		   job->variant == V_SEND_MANY_WAIT) {
		while ((st = spw_u64_recv_many(rx, buf, MC_RECV_BUF, &n)) ==
		       SPW_OK)
			checker_take_many(&c, buf, n);
	} else {
		while ((st = spw_u64_recv(rx, &v)) == SPW_OK)
			checker_take(&c, v);
	}
	t1 = now_ns();
	if (st != SPW_CLOSED)
		die("%s: receive: %s", job->name, spw_status_str(st));

	producers_join(prs, job->producers);
	checker_finish(&c);
	check(spw_u64_receiver_close(rx), "receiver_close");
	free(prs);
	gate_destroy(&g);
	return t1 - t0;
}

/* ---- latency ----------------------------------------------------------------- */

struct sp_lat {
	struct lat_job *j;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t start; /* one-way: the first burst's intended time */
};

static inline spw_status sp_take(enum lat_kind kind, spw_u64_receiver *rx,
				 uint64_t *v)
{
	spw_status st;

	if (kind == LAT_BLOCK)
		return spw_u64_recv(rx, v);
	while ((st = spw_u64_try_recv(rx, v)) == SPW_EMPTY)
		CPU_RELAX();
	return st;
}

/* The other end of a ping-pong: send back what arrives, until closed. */
static void *sp_echo(struct lat_thread *t)
{
	struct sp_lat *e = t->arg;
	uint64_t v, c0 = thread_cpu_ns(), w0 = now_ns();
	spw_status st;

	while ((st = sp_take(e->j->kind, e->rx, &v)) == SPW_OK)
		check(spw_u64_send(e->tx, v), "send (echo)");
	if (st != SPW_CLOSED)
		die("%s: echo receive: %s", e->j->name, spw_status_str(st));
	t->cpu_ns = thread_cpu_ns() - c0;
	t->wall_ns = now_ns() - w0;
	check(spw_u64_sender_close(e->tx), "sender_close");
	return NULL;
}

void spillway_pingpong(struct lat_job *j)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *ping_tx, *pong_tx;
	spw_u64_receiver *ping_rx, *pong_rx;
	struct lat_thread echo;
	struct sp_lat e;
	uint64_t i, t0, t1, v, deadline;
	spw_status st;

	spw_u64_sender **idle = NULL;
	size_t k;

	if (j->lanes != 0)
		cfg.lanes = j->lanes;
	check(spw_u64_channel_with(&cfg, &ping_tx, &ping_rx), "channel_with");
	check(spw_u64_channel_with(&cfg, &pong_tx, &pong_rx), "channel_with");
	if (j->idle_senders != 0) {
		idle = xmalloc(2 * j->idle_senders * sizeof(*idle));
		for (k = 0; k < j->idle_senders; k++) {
			check(spw_u64_sender_clone(ping_tx, &idle[2 * k]), "sender_clone");
			check(spw_u64_sender_clone(pong_tx, &idle[2 * k + 1]), "sender_clone");
			check(spw_u64_send(idle[2 * k], k), "send (idle)");
			check(spw_u64_send(idle[2 * k + 1], k), "send (idle)");
			check(spw_u64_recv(ping_rx, &v), "recv (idle)");
			check(spw_u64_recv(pong_rx, &v), "recv (idle)");
		}
	}
	e.j = j;
	e.rx = ping_rx;
	e.tx = pong_tx;
	lat_thread_start(&echo, j->pinned ? cpu_producer(0) : -1, sp_echo, &e);

	j->n = 0;
	deadline = now_ns() + j->duration_ns;
	for (i = 0, t1 = 0; j->n < j->cap && t1 < deadline; i++) {
		t0 = now_ns();
		check(spw_u64_send(ping_tx, i), "send (ping)");
		st = sp_take(j->kind, pong_rx, &v);
		t1 = now_ns();
		if (st != SPW_OK || v != i)
			die("%s: pong %llu (%s), expected %llu", j->name,
			    (unsigned long long)v, spw_status_str(st),
			    (unsigned long long)i);
		j->lat[j->n++] = t1 - t0;
	}
	check(spw_u64_sender_close(ping_tx), "sender_close");
	for (k = 0; k < 2 * j->idle_senders; k++)
		check(spw_u64_sender_close(idle[k]), "sender_close");
	free(idle);
	lat_thread_join(&echo);
	j->rx_cpu_ns = echo.cpu_ns;
	j->rx_wall_ns = echo.wall_ns;
	if (spw_u64_recv(pong_rx, &v) != SPW_CLOSED)
		die("%s: pong channel not closed", j->name);
	check(spw_u64_receiver_close(ping_rx), "receiver_close");
	check(spw_u64_receiver_close(pong_rx), "receiver_close");
}

static void *sp_pacer(struct lat_thread *t)
{
	struct sp_lat *s = t->arg;
	uint64_t per = oneway_per_burst(s->j), bursts = oneway_bursts(s->j);
	uint64_t b, k, at;

	pace_thread_setup();
	for (b = 0; b < bursts; b++) {
		at = s->start + b * s->j->burst_ns;
		sleep_until(at);
		for (k = 0; k < per; k++)
			check(spw_u64_send(s->tx, at), "send");
	}
	check(spw_u64_sender_close(s->tx), "sender_close");
	return NULL;
}

void spillway_oneway(struct lat_job *j)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	struct lat_thread pacer;
	struct sp_lat s;
	uint64_t v, last = 0, c0, w0;
	spw_status st;

	if (j->lanes != 0)
		cfg.lanes = j->lanes;
	check(spw_u64_channel_with(&cfg, &s.tx, &s.rx), "channel_with");
	s.j = j;
	s.start = now_ns() + 1000000; /* 1 ms to start the thread */
	j->n = 0;
	c0 = thread_cpu_ns();
	w0 = now_ns();
	lat_thread_start(&pacer, j->pinned ? cpu_producer(0) : -1, sp_pacer,
			 &s);
	while ((st = sp_take(j->kind, s.rx, &v)) == SPW_OK)
		oneway_take(j, v, &last);
	j->rx_cpu_ns = thread_cpu_ns() - c0;
	j->rx_wall_ns = now_ns() - w0;
	if (st != SPW_CLOSED)
		die("%s: receive: %s", j->name, spw_status_str(st));
	lat_thread_join(&pacer);
	oneway_finish(j);
	check(spw_u64_receiver_close(s.rx), "receiver_close");
}
