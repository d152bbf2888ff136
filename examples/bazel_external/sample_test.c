/* SPDX-License-Identifier: MIT */
/*
 * sample_test.c - a channel of `sample_t`, a typedef from another package
 * (//types:sample.h), passed to spw_sample_send by value (pass_by =
 * "value" in BUILD.bazel). Two senders, one thread: every value arrives,
 * each sender's in order. Exits non-zero on the first thing that is wrong.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spillway_sample.h"
#include "types/sample.h"

#define PER_SENDER 1000

#define CHECK(cond, what)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "sample_test: FAIL line %d: %s: %s\n", \
				__LINE__, #cond, what);                      \
			exit(1);                                             \
		}                                                            \
	} while (0)

int main(void)
{
	spw_sample_sender *tx[2];
	spw_sample_receiver *rx;
	int next[2] = { 0, 0 };
	sample_t s;
	spw_status st;
	int i, k;

	CHECK(spw_sample_channel(&tx[0], &rx) == SPW_OK, "channel");
	CHECK(spw_sample_sender_clone(tx[0], &tx[1]) == SPW_OK, "clone");
	for (i = 0; i < PER_SENDER; i++) {
		for (k = 0; k < 2; k++) {
			sample_t v = { (uint16_t)k, (int16_t)(i - 500) };

			/* By value: the argument is a sample_t, not a pointer. */
			CHECK(spw_sample_send(tx[k], v) == SPW_OK, "send");
		}
	}
	for (k = 0; k < 2; k++)
		CHECK(spw_sample_sender_close(tx[k]) == SPW_OK, "close");
	while ((st = spw_sample_recv(rx, &s)) == SPW_OK) {
		CHECK(s.channel < 2, "unknown channel");
		CHECK(s.level == next[s.channel] - 500, "out of order");
		next[s.channel]++;
	}
	CHECK(st == SPW_CLOSED, "end of stream");
	CHECK(next[0] == PER_SENDER && next[1] == PER_SENDER, "count");
	CHECK(spw_sample_receiver_close(rx) == SPW_OK, "receiver_close");
	printf("sample_test: OK: %d samples from 2 senders, each in order\n",
	       next[0] + next[1]);
	return 0;
}
