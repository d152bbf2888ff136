/* SPDX-License-Identifier: MIT */
/*
 * event_loop.c - a Spillway receiver in a libevent loop.
 *
 * An event (EV_READ | EV_PERSIST) watches spw_u64_receiver_fd(). Four
 * sender threads send values; before the loop starts (and before
 * receiver_fd is even called) the main thread sends EARLY values on each
 * sender, and the threads start only from the loop's first callback: so
 * that first callback is woken by the early values alone, which proves the
 * descriptor is readable from the moment receiver_fd() returns.
 *
 * What the loop does with the descriptor:
 *   1. event_new(base, fd, EV_READ | EV_PERSIST, ...) and event_add().
 *   2. In the callback, receive with try_recv_batch until SPW_EMPTY (that
 *      empty receive re-arms the descriptor) or SPW_CLOSED.
 *   3. On SPW_CLOSED, event_del(): no event is left and the loop ends.
 *   Never read() the descriptor and never close it; the event is deleted
 *   and freed before spw_u64_receiver_close().
 *
 * Build:
 *   cc -std=c11 -O2 -Iruntime -Igenerated examples/event_loop.c \
 *      generated/spillway_u64.c runtime/spillway_runtime.c -pthread \
 *      $(pkg-config --cflags --libs libevent)
 * Exits 0 when every value arrived once, in per-sender order.
 */
#define _POSIX_C_SOURCE 200809L

#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "spillway_u64.h"

#define SENDERS 4
#define EARLY 100u          /* per sender, before the loop and receiver_fd */
#define PER_SENDER 50000u   /* per sender in all, EARLY included */

struct sender {
	spw_u64_sender *tx;
	uint64_t id;
	pthread_t th;
};

struct state {
	spw_u64_receiver *rx;
	struct event *ev;
	struct sender senders[SENDERS];
	uint64_t next[SENDERS]; /* the next sequence number of each sender */
	uint64_t received, wakeups, first_wakeup;
	int started, closed, failed;
};

static void die(const char *what, spw_status st)
{
	fprintf(stderr, "event_loop: %s: %s\n", what, spw_status_str(st));
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "event_loop: FAILED: hung for 10 s\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint64_t seq;

	for (seq = EARLY; seq < PER_SENDER; seq++) {
		spw_status st = spw_u64_send(s->tx, s->id << 32 | seq);

		if (st != SPW_OK)
			die("send", st);
		if (seq % 2000 == 1999) { /* a pause: the loop goes to sleep */
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	spw_u64_sender_close(s->tx);
	return NULL;
}

/* The event callback: drain until SPW_EMPTY or SPW_CLOSED. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct state *s = arg;
	const uint64_t *items;
	size_t n, k;
	spw_status st;
	uint64_t before = s->received;

	(void)fd;
	(void)what;
	s->wakeups++;
	while ((st = spw_u64_try_recv_batch(s->rx, &items, &n)) == SPW_OK) {
		for (k = 0; k < n; k++) {
			uint64_t id = items[k] >> 32, seq = items[k] & 0xffffffffu;

			if (id >= SENDERS || seq != s->next[id]) {
				fprintf(stderr, "event_loop: value %llx out of "
					"order\n", (unsigned long long)items[k]);
				s->failed = 1;
			} else {
				s->next[id]++;
			}
		}
		s->received += n;
	}
	if (st == SPW_CLOSED) {
		s->closed = 1;
		event_del(s->ev); /* no event left: the loop ends */
	} else if (st != SPW_EMPTY) {
		die("try_recv_batch", st);
	}
	if (!s->started) { /* the first wake-up: only the early values */
		int i;

		s->first_wakeup = s->received - before;
		s->started = 1;
		for (i = 0; i < SENDERS; i++)
			if (pthread_create(&s->senders[i].th, NULL, sender_main,
					   &s->senders[i]) != 0)
				die("pthread_create", SPW_NOMEM);
	}
}

int main(void)
{
	static struct state s;
	struct event_base *base;
	spw_status st;
	uint64_t seq;
	int fd, i, rc, ok;

	signal(SIGALRM, on_alarm);
	alarm(10);

	if ((st = spw_u64_channel(&s.senders[0].tx, &s.rx)) != SPW_OK)
		die("channel", st);
	for (i = 0; i < SENDERS; i++) {
		s.senders[i].id = (uint64_t)i;
		if (i > 0 && (st = spw_u64_sender_clone(s.senders[0].tx,
							&s.senders[i].tx)) !=
				     SPW_OK)
			die("sender_clone", st);
	}
	/* Values sent before receiver_fd() and before the loop runs. */
	for (seq = 0; seq < EARLY; seq++)
		for (i = 0; i < SENDERS; i++)
			if ((st = spw_u64_send(s.senders[i].tx,
					       (uint64_t)i << 32 | seq)) != SPW_OK)
				die("send", st);

	if ((st = spw_u64_receiver_fd(s.rx, &fd)) != SPW_OK)
		die("receiver_fd", st);
	base = event_base_new();
	if (base == NULL)
		return fprintf(stderr, "event_loop: event_base_new\n"), 1;
	s.ev = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, &s);
	if (s.ev == NULL || event_add(s.ev, NULL) != 0)
		return fprintf(stderr, "event_loop: event_new/add\n"), 1;
	rc = event_base_dispatch(base); /* until no event is left */

	if (s.started)
		for (i = 0; i < SENDERS; i++)
			pthread_join(s.senders[i].th, NULL);
	event_free(s.ev);
	event_base_free(base);
	spw_u64_receiver_close(s.rx); /* after the event is freed */

	ok = !s.failed && s.closed && rc == 1 && /* 1: no events left */
	     s.first_wakeup == (uint64_t)SENDERS * EARLY &&
	     s.received == (uint64_t)SENDERS * PER_SENDER;
	for (i = 0; i < SENDERS; i++)
		ok = ok && s.next[i] == PER_SENDER;
	printf("event_loop: %llu values from %d senders, each once and in "
	       "order (first wake-up: the %llu sent before receiver_fd); %llu "
	       "wake-ups; %s\n",
	       (unsigned long long)s.received, SENDERS,
	       (unsigned long long)s.first_wakeup,
	       (unsigned long long)s.wakeups, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
