/* SPDX-License-Identifier: MIT */
/*
 * epoll.c - a Spillway receiver living in an epoll loop.
 *
 * The receiver thread also owns a timerfd that ticks every 10 ms (standing
 * in for sockets and other work of a real event loop). Three producer
 * threads send 100,000 values each, pausing now and then, so the loop
 * sleeps in epoll_wait often. The channel's descriptor wakes it:
 *
 *   1. spw_u64_receiver_fd() gives the descriptor; add it for EPOLLIN.
 *   2. When it is readable, receive with the non-blocking calls until one
 *      returns SPW_EMPTY (that call re-arms the descriptor) or SPW_CLOSED.
 *   3. Do not read() the descriptor yourself and do not close it; take it
 *      out of the epoll set before spw_u64_receiver_close().
 *
 * Build (checked-in u64 channel):
 *   cc -std=c11 -O2 -Iruntime -Igenerated examples/epoll.c \
 *      generated/spillway_u64.c runtime/spillway_runtime.c -pthread
 * Exits 0 when every value arrived in per-producer order.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "spillway_u64.h"

#define PRODUCERS 3
#define PER_PRODUCER 100000u

struct producer {
	spw_u64_sender *tx;
	uint64_t id;
};

static void die(const char *what, spw_status st)
{
	fprintf(stderr, "epoll: %s: %s\n", what, spw_status_str(st));
	exit(1);
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	uint64_t i;

	for (i = 0; i < PER_PRODUCER; i++) {
		spw_status st = spw_u64_send(p->tx, p->id << 32 | i);

		if (st != SPW_OK)
			die("send", st);
		if (i % 5000 == 4999) { /* a pause: the loop goes to sleep */
			struct timespec ts = { 0, 2000000 };

			nanosleep(&ts, NULL);
		}
	}
	spw_u64_sender_close(p->tx);
	return NULL;
}

/*
 * Receive everything that is ready, checking per-producer order. Returns
 * 1 at end of stream, 0 when the channel is empty (and armed).
 */
static int drain(spw_u64_receiver *rx, uint64_t *next, uint64_t *received)
{
	const uint64_t *items;
	size_t n, k;
	spw_status st;

	while ((st = spw_u64_try_recv_batch(rx, &items, &n)) == SPW_OK) {
		for (k = 0; k < n; k++) {
			uint64_t id = items[k] >> 32;

			if (id >= PRODUCERS ||
			    (items[k] & 0xffffffffu) != next[id]) {
				fprintf(stderr, "epoll: out of order\n");
				exit(1);
			}
			next[id]++;
		}
		*received += n;
	}
	if (st != SPW_EMPTY && st != SPW_CLOSED)
		die("try_recv_batch", st);
	return st == SPW_CLOSED;
}

int main(void)
{
	struct producer prod[PRODUCERS];
	pthread_t th[PRODUCERS];
	uint64_t next[PRODUCERS] = { 0 }, received = 0, ticks = 0, wakeups = 0;
	struct itimerspec every_10ms = { { 0, 10000000 }, { 0, 10000000 } };
	struct epoll_event ev;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	spw_status st;
	int chan_fd, timer_fd, ep, closed = 0, i;

	if ((st = spw_u64_channel(&tx, &rx)) != SPW_OK)
		die("channel", st);
	if ((st = spw_u64_receiver_fd(rx, &chan_fd)) != SPW_OK)
		die("receiver_fd", st);
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (timer_fd < 0 || ep < 0 ||
	    timerfd_settime(timer_fd, 0, &every_10ms, NULL) != 0) {
		perror("epoll: timerfd/epoll");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = chan_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, chan_fd, &ev) != 0)
		return perror("epoll_ctl"), 1;
	ev.data.fd = timer_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, timer_fd, &ev) != 0)
		return perror("epoll_ctl"), 1;

	for (i = 0; i < PRODUCERS; i++) {
		prod[i].id = (uint64_t)i;
		if (i == 0)
			prod[i].tx = tx;
		else if ((st = spw_u64_sender_clone(tx, &prod[i].tx)) != SPW_OK)
			die("sender_clone", st);
	}
	for (i = 0; i < PRODUCERS; i++)
		if (pthread_create(&th[i], NULL, producer_main, &prod[i]) != 0)
			return perror("pthread_create"), 1;

	/*
	 * The loop. The channel counts as readable at the start: draining it
	 * until SPW_EMPTY is what arms the descriptor.
	 */
	ev.data.fd = chan_fd;
	while (!closed) {
		if (ev.data.fd == timer_fd) {
			uint64_t n;

			if (read(timer_fd, &n, sizeof(n)) == sizeof(n))
				ticks += n;
		} else {
			wakeups++;
			closed = drain(rx, next, &received);
		}
		while (!closed && epoll_wait(ep, &ev, 1, -1) < 0) {
			if (errno != EINTR)
				return perror("epoll_wait"), 1;
		}
	}

	for (i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, chan_fd, NULL);
	spw_u64_receiver_close(rx);
	close(timer_fd);
	close(ep);
	printf("epoll: %llu values from %d producers, in order; %llu channel "
	       "wake-ups, %llu timer ticks\n",
	       (unsigned long long)received, PRODUCERS,
	       (unsigned long long)wakeups, (unsigned long long)ticks);
	return closed && received == (uint64_t)PRODUCERS * PER_PRODUCER ? 0 : 1;
}
