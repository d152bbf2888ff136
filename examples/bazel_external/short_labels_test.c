/* SPDX-License-Identifier: MIT */
/*
 * short_labels_test.c - a channel generated with Spillway's short labels
 * (BUILD.bazel: a genrule runs @spillway//:spwgen with
 * @spillway//:templates, the test links @spillway//:runtime): a capacity-
 * limited channel of uint32_t, two senders, every value received once and
 * each sender's in order. Exits non-zero on the first thing that is wrong.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spillway_counter.h"

#define PER_SENDER 500u

static void check(int ok, const char *what, spw_status st)
{
	if (!ok) {
		fprintf(stderr, "short_labels_test: FAIL %s (%s)\n", what,
			spw_status_str(st));
		exit(1);
	}
}

int main(void)
{
	spw_counter_sender *tx[2];
	spw_counter_receiver *rx;
	uint32_t next[2] = { 0, 0 }, v, i;
	spw_config cfg;
	spw_status st;
	int k;

	spw_config_init(&cfg);
	cfg.lanes = 2;
	cfg.capacity = 2 * PER_SENDER;
	st = spw_config_check(&cfg);
	check(st == SPW_OK, "config_check", st);
	st = spw_counter_channel_with(&cfg, &tx[0], &rx);
	check(st == SPW_OK, "channel_with", st);
	st = spw_counter_sender_clone(tx[0], &tx[1]);
	check(st == SPW_OK, "sender_clone", st);
	for (i = 0; i < PER_SENDER; i++) {
		for (k = 0; k < 2; k++) {
			/* Sender k sends k * 1000000 + i: its id and its order. */
			st = spw_counter_send(tx[k], (uint32_t)k * 1000000u + i);
			check(st == SPW_OK, "send", st);
		}
	}
	for (k = 0; k < 2; k++) {
		st = spw_counter_sender_close(tx[k]);
		check(st == SPW_OK, "sender_close", st);
	}
	while ((st = spw_counter_recv(rx, &v)) == SPW_OK) {
		k = (int)(v / 1000000u);
		check(k < 2 && v % 1000000u == next[k], "a value out of order", st);
		next[k]++;
	}
	check(st == SPW_CLOSED, "end of stream", st);
	check(next[0] == PER_SENDER && next[1] == PER_SENDER, "count", st);
	st = spw_counter_receiver_close(rx);
	check(st == SPW_OK, "receiver_close", st);
	printf("short_labels_test: OK: %u values from 2 senders, each in order\n",
	       (unsigned)(next[0] + next[1]));
	return 0;
}
