/* SPDX-License-Identifier: MIT */
/*
 * worker_pool.c - backpressure and shutdown.
 *
 * WORKERS threads produce responses into a bounded channel (capacity 64).
 * When it is full, send_wait blocks the worker until the writer makes room
 * (no spin loop). The writer (the main thread) receives WANTED responses,
 * then calls receiver_shutdown: every later send, and every worker waiting
 * for room, gets SPW_CLOSED and keeps its value, while everything accepted
 * before is still received; the writer drains it until SPW_CLOSED. A
 * monitor thread that only watches the backlog stops with wait_closed.
 *
 * Build:
 *   cc -std=c11 -O2 -Iruntime -Igenerated examples/worker_pool.c \
 *      generated/spillway_u64.c runtime/spillway_runtime.c -pthread
 * Exits 0 when accepted == received and nothing was lost.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "spillway_u64.h"

#define WORKERS 4
#define CAPACITY 64
#define WANTED 20000 /* the writer shuts down after this many */

struct worker {
	spw_u64_sender *tx;
	uint64_t id, accepted, refused;
	pthread_t th;
};

static void check(spw_status st, const char *what)
{
	if (st != SPW_OK) {
		fprintf(stderr, "worker_pool: %s: %s\n", what,
			spw_status_str(st));
		exit(1);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t seq;

	for (seq = 0;; seq++) {
		uint64_t response = w->id << 32 | seq; /* the work */
		spw_status st = spw_u64_send_wait(w->tx, response, SPW_FOREVER);

		if (st == SPW_CLOSED) { /* shut down: response is still ours */
			w->refused++;
			break;
		}
		check(st, "send_wait");
		w->accepted++;
	}
	spw_u64_sender_close(w->tx);
	return NULL;
}

struct monitor {
	spw_u64_sender *tx;
	size_t max_backlog;
	pthread_t th;
};

/* Watches the backlog every millisecond until the writer shuts down. */
static void *monitor_main(void *arg)
{
	struct monitor *m = arg;
	size_t len;

	while (spw_u64_wait_closed(m->tx, 1000000) == SPW_TIMEOUT) {
		check(spw_u64_sender_len(m->tx, &len), "sender_len");
		if (len > m->max_backlog)
			m->max_backlog = len;
	}
	spw_u64_sender_close(m->tx);
	return NULL;
}

static void start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	if (pthread_create(th, NULL, fn, arg) != 0)
		check(SPW_NOMEM, "pthread_create");
}

int main(void)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	struct worker w[WORKERS];
	uint64_t next[WORKERS] = { 0 }, v, received = 0, accepted = 0;
	uint64_t refused = 0;
	struct monitor m;
	spw_u64_receiver *rx;
	spw_status st;
	int i, ok = 1;

	cfg.capacity = CAPACITY;
	m.max_backlog = 0;
	check(spw_u64_channel_with(&cfg, &m.tx, &rx), "channel_with");
	for (i = 0; i < WORKERS; i++) {
		w[i].id = (uint64_t)i;
		w[i].accepted = w[i].refused = 0;
		check(spw_u64_sender_clone(m.tx, &w[i].tx), "sender_clone");
		start(&w[i].th, worker_main, &w[i]);
	}
	start(&m.th, monitor_main, &m); /* the first sender: it closes it */

	/* The writer: receive, shut down after WANTED, drain, stop. */
	while ((st = spw_u64_recv(rx, &v)) == SPW_OK) {
		uint64_t id = v >> 32;

		if (id >= WORKERS || (v & 0xffffffffu) != next[id]++)
			ok = 0; /* lost, duplicated or out of order */
		if (++received == WANTED)
			check(spw_u64_receiver_shutdown(rx), "shutdown");
	}
	if (st != SPW_CLOSED)
		check(st, "recv");

	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i].th, NULL);
		accepted += w[i].accepted;
		refused += w[i].refused;
		ok = ok && next[i] == w[i].accepted && w[i].refused == 1;
	}
	pthread_join(m.th, NULL);
	spw_u64_receiver_close(rx);

	ok = ok && accepted == received && m.max_backlog <= CAPACITY;
	printf("worker_pool: %llu accepted = %llu received (shutdown after "
	       "%d), %llu refused and kept by %d workers, backlog at most "
	       "%zu of %d; %s\n",
	       (unsigned long long)accepted, (unsigned long long)received,
	       WANTED, (unsigned long long)refused, WORKERS, m.max_backlog,
	       CAPACITY, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
