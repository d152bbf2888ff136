/* SPDX-License-Identifier: MIT */
/*
 * jobs.c - the Meson example: a channel of `struct job` (job.h), generated
 * at build time by a custom_target that runs spwgen (meson.build). Two
 * senders, one sending jobs one at a time, the other in a batch; the
 * receiver checks every job arrives once, each sender's in order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spillway_job.h"

#define PER_SENDER 64u

static void check(int ok, const char *what, spw_status st)
{
	if (!ok) {
		fprintf(stderr, "jobs: FAIL %s (%s)\n", what, spw_status_str(st));
		exit(1);
	}
}

int main(void)
{
	spw_job_sender *one, *batch;
	spw_job_receiver *rx;
	struct job jobs[PER_SENDER], j;
	uint32_t next[2] = { 0, 0 }, i;
	spw_status st;

	st = spw_job_channel(&one, &rx);
	check(st == SPW_OK, "channel", st);
	st = spw_job_sender_clone(one, &batch);
	check(st == SPW_OK, "sender_clone", st);
	for (i = 0; i < PER_SENDER; i++) {
		struct job single = { i, 1 };

		jobs[i] = (struct job){ i, 2 };
		st = spw_job_send(one, &single); /* a struct: by pointer */
		check(st == SPW_OK, "send", st);
	}
	st = spw_job_send_many(batch, jobs, PER_SENDER);
	check(st == SPW_OK, "send_many", st);
	check(spw_job_sender_close(one) == SPW_OK, "close", SPW_OK);
	check(spw_job_sender_close(batch) == SPW_OK, "close", SPW_OK);
	while ((st = spw_job_recv(rx, &j)) == SPW_OK) {
		check(j.cost == 1 || j.cost == 2, "a job from nowhere", st);
		check(j.id == next[j.cost - 1], "a job out of order", st);
		next[j.cost - 1]++;
	}
	check(st == SPW_CLOSED, "end of stream", st);
	check(next[0] == PER_SENDER && next[1] == PER_SENDER, "count", st);
	check(spw_job_receiver_close(rx) == SPW_OK, "receiver_close", SPW_OK);
	printf("jobs: OK: %u jobs from 2 senders, each in order\n",
	       (unsigned)(next[0] + next[1]));
	return 0;
}
