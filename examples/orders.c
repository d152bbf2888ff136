/* SPDX-License-Identifier: MIT */
/*
 * orders.c - a channel of `struct order`, generated at build time by the
 * Bazel rule spillway_channel (see BUILD.bazel):
 *
 *   spillway_channel(name = "order_channel", type = "struct order",
 *                    type_name = "order", hdrs = ["order.h"])
 *
 * Four trading desks (threads) place orders, some one at a time and some
 * in atomic batches; one matcher thread receives them with zero-copy
 * batches and checks each desk's orders arrive in the order it placed them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillway_order.h"

#define DESKS 4
#define ORDERS_PER_DESK 10000

struct desk {
	spw_order_sender *tx;
	uint32_t id;
};

static void die(const char *what, spw_status st)
{
	fprintf(stderr, "orders: %s: %s\n", what, spw_status_str(st));
	exit(1);
}

static struct order make_order(uint32_t desk, uint32_t seq)
{
	struct order o;

	memset(&o, 0, sizeof(o));
	o.desk = desk;
	o.seq = seq;
	o.price_cents = 10000 + (int64_t)(seq % 100);
	memcpy(o.symbol, desk % 2 ? "ACME" : "INIT", 5);
	return o;
}

static void *desk_main(void *arg)
{
	struct desk *d = arg;
	struct order basket[16];
	uint32_t seq = 0;
	spw_status st;

	while (seq < ORDERS_PER_DESK) {
		if (seq % 100 == 0 && ORDERS_PER_DESK - seq >= 16) {
			/* A basket: the matcher sees all 16 or none. */
			uint32_t k;

			for (k = 0; k < 16; k++)
				basket[k] = make_order(d->id, seq + k);
			st = spw_order_send_many(d->tx, basket, 16);
			seq += 16;
		} else {
			/* struct order is passed by pointer (spwgen --pass). */
			struct order o = make_order(d->id, seq);

			st = spw_order_send(d->tx, &o);
			seq++;
		}
		if (st != SPW_OK)
			die("send", st);
	}
	spw_order_sender_close(d->tx);
	return NULL;
}

int main(void)
{
	struct desk desks[DESKS];
	pthread_t threads[DESKS];
	uint32_t next_seq[DESKS] = { 0 };
	spw_order_sender *tx;
	spw_order_receiver *rx;
	const struct order *batch;
	size_t n, i, batches = 0, total = 0;
	int64_t notional = 0;
	spw_status st;

	st = spw_order_channel(&tx, &rx);
	if (st != SPW_OK)
		die("channel", st);
	for (i = 0; i < DESKS; i++) {
		desks[i].id = (uint32_t)i;
		if (i == 0)
			desks[i].tx = tx;
		else if ((st = spw_order_sender_clone(tx, &desks[i].tx)) !=
			 SPW_OK)
			die("clone", st);
	}
	for (i = 0; i < DESKS; i++)
		pthread_create(&threads[i], NULL, desk_main, &desks[i]);

	/* The matcher: zero-copy views until every desk has closed. */
	while ((st = spw_order_recv_batch(rx, &batch, &n)) == SPW_OK) {
		batches++;
		for (i = 0; i < n; i++) {
			const struct order *o = &batch[i];

			if (o->desk >= DESKS || o->seq != next_seq[o->desk]) {
				fprintf(stderr, "orders: desk %u out of order\n",
					o->desk);
				return 1;
			}
			next_seq[o->desk]++;
			notional += o->price_cents;
			total++;
		}
	}
	if (st != SPW_CLOSED)
		die("recv_batch", st);
	for (i = 0; i < DESKS; i++)
		pthread_join(threads[i], NULL);
	spw_order_receiver_close(rx);

	printf("orders: %zu orders from %d desks in %zu batches, "
	       "notional %lld cents, every desk in order\n",
	       total, DESKS, batches, (long long)notional);
	return total == (size_t)DESKS * ORDERS_PER_DESK ? 0 : 1;
}
