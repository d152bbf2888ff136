/* SPDX-License-Identifier: MIT */
/*
 * readme.c - the example of the original Spillway README, in C.
 *
 * Three senders on three lanes; the receiver serves lanes round-robin, a
 * whole lane's contents at a time, so the values arrive as 1 3 2 4 6 5.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spillway_u64.h"

static void check(spw_status st, const char *what)
{
	if (st != SPW_OK) {
		fprintf(stderr, "readme: %s: %s\n", what, spw_status_str(st));
		exit(1);
	}
}

static uint64_t next(spw_u64_receiver *rx)
{
	uint64_t v;

	check(spw_u64_recv(rx, &v), "recv");
	printf(" %llu", (unsigned long long)v);
	return v;
}

int main(void)
{
	spw_u64_sender *sender_1, *sender_2, *sender_3;
	spw_u64_receiver *receiver;
	uint64_t v;
	int ok = 1;

	check(spw_u64_channel(&sender_1, &receiver), "channel");

	/* Send is synchronous. */
	check(spw_u64_send(sender_1, 1), "send");

	/* Cloning a sender gives a different lane with its own order. */
	check(spw_u64_sender_clone(sender_1, &sender_2), "clone");

	/* Interleave messages to illustrate ordering. */
	check(spw_u64_send(sender_2, 2), "send");
	check(spw_u64_send(sender_1, 3), "send");
	check(spw_u64_send(sender_2, 4), "send");

	printf("received:");
	/* Only order per sender is guaranteed. */
	ok &= next(receiver) == 1; /* sender 1 is consumed first */
	check(spw_u64_send(sender_1, 5), "send");
	ok &= next(receiver) == 3; /* 5 is in another delivery batch */
	ok &= next(receiver) == 2; /* sender 2 is consumed next */
	ok &= next(receiver) == 4;

	check(spw_u64_sender_clone(sender_1, &sender_3), "clone");
	check(spw_u64_send(sender_3, 6), "send");
	ok &= next(receiver) == 6; /* lanes are serviced round-robin */
	ok &= next(receiver) == 5; /* and finally back around to 5 */

	/* Once every sender is closed and drained: end of stream. */
	spw_u64_sender_close(sender_1);
	spw_u64_sender_close(sender_2);
	spw_u64_sender_close(sender_3);
	ok &= spw_u64_recv(receiver, &v) == SPW_CLOSED;
	spw_u64_receiver_close(receiver);

	printf("\n%s\n", ok ? "order as promised: 1 3 2 4 6 5" :
			      "UNEXPECTED ORDER (expected 1 3 2 4 6 5)");
	return ok ? 0 : 1;
}
