/* SPDX-License-Identifier: MIT */
/*
 * ticks.c - the CMake example: a channel of `struct tick` (tick.h),
 * generated at build time by spillway_add_channel() in CMakeLists.txt.
 * Two threads send ticks (by pointer: a struct), the main thread receives
 * them and checks each sender's order and count.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "spillway_tick.h"

#define SENDERS 2
#define PER_SENDER 10000u

struct sender {
	spw_tick_sender *tx;
	uint32_t id;
};

static void fail(const char *what, spw_status st)
{
	fprintf(stderr, "ticks: FAIL %s: %s\n", what, spw_status_str(st));
	exit(1);
}

static void *send_ticks(void *arg)
{
	struct sender *s = arg;
	uint32_t seq;
	spw_status st;

	for (seq = 0; seq < PER_SENDER; seq++) {
		struct tick t = { s->id, seq, 100.0 + seq / 4.0 };

		if ((st = spw_tick_send(s->tx, &t)) != SPW_OK)
			fail("send", st);
	}
	if ((st = spw_tick_sender_close(s->tx)) != SPW_OK)
		fail("sender_close", st);
	return NULL;
}

int main(void)
{
	struct sender senders[SENDERS];
	pthread_t threads[SENDERS];
	uint32_t next[SENDERS] = { 0, 0 };
	spw_tick_receiver *rx;
	struct tick t;
	spw_status st;
	int i;

	if ((st = spw_tick_channel(&senders[0].tx, &rx)) != SPW_OK)
		fail("channel", st);
	if ((st = spw_tick_sender_clone(senders[0].tx, &senders[1].tx)) != SPW_OK)
		fail("sender_clone", st);
	for (i = 0; i < SENDERS; i++) {
		senders[i].id = (uint32_t)i;
		if (pthread_create(&threads[i], NULL, send_ticks, &senders[i]) != 0)
			fail("pthread_create", SPW_OK);
	}
	while ((st = spw_tick_recv(rx, &t)) == SPW_OK) {
		if (t.source >= SENDERS || t.seq != next[t.source] ||
		    t.price != 100.0 + t.seq / 4.0)
			fail("a tick out of order", SPW_OK);
		next[t.source]++;
	}
	if (st != SPW_CLOSED)
		fail("recv", st);
	for (i = 0; i < SENDERS; i++)
		pthread_join(threads[i], NULL);
	if ((st = spw_tick_receiver_close(rx)) != SPW_OK)
		fail("receiver_close", st);
	if (next[0] != PER_SENDER || next[1] != PER_SENDER)
		fail("a tick missing", SPW_OK);
	printf("ticks: OK: %u ticks from %d senders, each in order\n",
	       (unsigned)(next[0] + next[1]), SENDERS);
	return 0;
}
