/* SPDX-License-Identifier: MIT */
/*
 * multi_poll.c - one writer thread, several descriptors, one poll().
 *
 * The writer (the main thread) waits with poll() on three descriptors:
 *
 *   control  a u64 channel of commands (PING, then STOP) from a control
 *            thread: spw_u64_receiver_fd()
 *   data     a bounded void * channel (spillway_ptr.h) of heap records
 *            from three data senders, which block on full with send_wait:
 *            spw_ptr_receiver_fd()
 *   pipe     the read end of a pipe that another thread writes bytes to:
 *            any other descriptor of a real program
 *
 * For each readable Spillway descriptor the writer receives with the
 * non-blocking try_recv until SPW_EMPTY (which re-arms the descriptor) or
 * SPW_CLOSED (that source is finished: it leaves the poll set). It never
 * read()s a Spillway descriptor.
 *
 * STOP makes the writer call spw_ptr_receiver_shutdown() on the data
 * channel: later sends (and senders waiting for room) get SPW_CLOSED and
 * keep their record, every record accepted before is still received, and
 * then the data descriptor reports SPW_CLOSED. The writer frees every
 * record it receives, the data senders free the one that was refused, and
 * a destroy hook would free any record never received (none are: a
 * shutdown, unlike receiver_close, drains everything accepted). The loop
 * ends when all three sources are finished; the Spillway descriptors are
 * out of the poll set before their receivers are closed.
 *
 * Build:
 *   cc -std=c11 -O2 -Iruntime -Igenerated examples/multi_poll.c \
 *      generated/spillway_u64.c generated/spillway_ptr.c \
 *      runtime/spillway_runtime.c -pthread
 * Exits 0 when every command, record and byte is accounted for.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "spillway_ptr.h"
#include "spillway_u64.h"

#define DATA_SENDERS 3
#define DATA_CAPACITY 256
#define PINGS 10
#define PIPE_BYTES 500

enum { CMD_PING = 1, CMD_STOP = 2 };

struct record {
	uint32_t sender, seq;
	uint64_t check;
};

struct data_sender {
	spw_ptr_sender *tx;
	uint32_t id;
	uint64_t accepted, refused;
	pthread_t th;
};

static void die(const char *what, spw_status st)
{
	fprintf(stderr, "multi_poll: %s: %s\n", what, spw_status_str(st));
	exit(1);
}

static void die_errno(const char *what)
{
	perror(what);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "multi_poll: FAILED: hung for 10 s\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

static uint64_t checksum(uint32_t sender, uint32_t seq)
{
	return ((uint64_t)sender << 32 | seq) * 0x9e3779b97f4a7c15u;
}

/* A data sender: records until the channel refuses one. */
static void *data_main(void *arg)
{
	struct data_sender *d = arg;
	uint32_t seq;

	for (seq = 0;; seq++) {
		struct record *r = malloc(sizeof(*r));
		spw_status st;

		if (r == NULL)
			die("malloc", SPW_NOMEM);
		r->sender = d->id;
		r->seq = seq;
		r->check = checksum(d->id, seq);
		st = spw_ptr_send_wait(d->tx, r, SPW_FOREVER);
		if (st == SPW_CLOSED) { /* shut down: the record is still ours */
			free(r);
			d->refused++;
			break;
		}
		if (st != SPW_OK)
			die("send_wait", st);
		d->accepted++;
		if (seq % 64 == 63)
			pause_ms(1);
	}
	spw_ptr_sender_close(d->tx);
	return NULL;
}

/* The control thread: a few PINGs, then STOP. */
static void *control_main(void *arg)
{
	spw_u64_sender *tx = arg;
	spw_status st;
	int i;

	for (i = 0; i < PINGS; i++) {
		pause_ms(10);
		if ((st = spw_u64_send(tx, CMD_PING)) != SPW_OK)
			die("send PING", st);
	}
	if ((st = spw_u64_send(tx, CMD_STOP)) != SPW_OK)
		die("send STOP", st);
	spw_u64_sender_close(tx);
	return NULL;
}

/* The other descriptor: bytes 0, 1, 2, ... into a pipe, then EOF. */
static void *pipe_main(void *arg)
{
	int fd = *(int *)arg, i;

	for (i = 0; i < PIPE_BYTES; i++) {
		unsigned char b = (unsigned char)i;

		if (write(fd, &b, 1) != 1)
			die_errno("multi_poll: write");
		if (i % 50 == 49)
			pause_ms(2);
	}
	close(fd);
	return NULL;
}

/* Records never received would go here when the last handle closes. */
static void destroy_record(void *elem, void *ctx)
{
	free(*(void **)elem);
	++*(uint64_t *)ctx;
}

int main(void)
{
	struct data_sender ds[DATA_SENDERS];
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *ctl_tx;
	spw_u64_receiver *ctl_rx;
	spw_ptr_sender *data_tx;
	spw_ptr_receiver *data_rx;
	pthread_t ctl_th, pipe_th;
	struct pollfd fds[3];
	uint64_t pings = 0, stops = 0, received = 0, refused = 0, destroyed = 0;
	uint64_t accepted = 0, pipe_bytes = 0, wakeups = 0;
	uint32_t next[DATA_SENDERS] = { 0 };
	spw_status st;
	int pipefd[2], i, ok = 1;

	signal(SIGALRM, on_alarm);
	alarm(10);

	cfg.capacity = DATA_CAPACITY;
	cfg.destroy = destroy_record;
	cfg.destroy_ctx = &destroyed;
	if ((st = spw_u64_channel(&ctl_tx, &ctl_rx)) != SPW_OK ||
	    (st = spw_ptr_channel_with(&cfg, &data_tx, &data_rx)) != SPW_OK)
		die("channel", st);
	if (pipe(pipefd) != 0 ||
	    fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK))
		die_errno("multi_poll: pipe");

	fds[0].events = fds[1].events = fds[2].events = POLLIN;
	if ((st = spw_u64_receiver_fd(ctl_rx, &fds[0].fd)) != SPW_OK ||
	    (st = spw_ptr_receiver_fd(data_rx, &fds[1].fd)) != SPW_OK)
		die("receiver_fd", st);
	fds[2].fd = pipefd[0];

	for (i = 0; i < DATA_SENDERS; i++) {
		ds[i].id = (uint32_t)i;
		ds[i].accepted = ds[i].refused = 0;
		if (i == 0)
			ds[i].tx = data_tx;
		else if ((st = spw_ptr_sender_clone(data_tx, &ds[i].tx)) !=
			 SPW_OK)
			die("sender_clone", st);
	}
	for (i = 0; i < DATA_SENDERS; i++)
		if (pthread_create(&ds[i].th, NULL, data_main, &ds[i]) != 0)
			die_errno("multi_poll: pthread_create");
	if (pthread_create(&ctl_th, NULL, control_main, ctl_tx) != 0 ||
	    pthread_create(&pipe_th, NULL, pipe_main, &pipefd[1]) != 0)
		die_errno("multi_poll: pthread_create");

	/* The writer's loop: until every source is finished (fd -1). */
	while (fds[0].fd >= 0 || fds[1].fd >= 0 || fds[2].fd >= 0) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("multi_poll: poll");
		}
		wakeups++;
		if (fds[0].revents) { /* control: drain every command */
			uint64_t cmd;

			while ((st = spw_u64_try_recv(ctl_rx, &cmd)) == SPW_OK) {
				if (cmd == CMD_PING) {
					pings++;
				} else if (cmd == CMD_STOP) {
					stops++;
					/* Refuse new data, keep what was accepted. */
					spw_ptr_receiver_shutdown(data_rx);
				}
			}
			if (st == SPW_CLOSED)
				fds[0].fd = -1; /* out of the poll set */
			else if (st != SPW_EMPTY)
				die("try_recv (control)", st);
		}
		if (fds[1].revents) { /* data: drain every record */
			void *p;

			while ((st = spw_ptr_try_recv(data_rx, &p)) == SPW_OK) {
				struct record *r = p;

				if (r->sender >= DATA_SENDERS ||
				    r->seq != next[r->sender] ||
				    r->check != checksum(r->sender, r->seq)) {
					fprintf(stderr, "multi_poll: bad record\n");
					ok = 0;
				} else {
					next[r->sender]++;
				}
				free(r);
				received++;
			}
			if (st == SPW_CLOSED) /* shut down and drained */
				fds[1].fd = -1;
			else if (st != SPW_EMPTY)
				die("try_recv (data)", st);
		}
		if (fds[2].revents) { /* the pipe: read until EAGAIN or EOF */
			unsigned char buf[256];
			ssize_t n, k;

			while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
				for (k = 0; k < n; k++, pipe_bytes++)
					if (buf[k] != (unsigned char)pipe_bytes)
						ok = 0;
			if (n == 0) { /* EOF */
				close(pipefd[0]);
				fds[2].fd = -1;
			} else if (errno != EAGAIN && errno != EINTR) {
				die_errno("multi_poll: read");
			}
		}
	}

	for (i = 0; i < DATA_SENDERS; i++) {
		pthread_join(ds[i].th, NULL);
		accepted += ds[i].accepted;
		refused += ds[i].refused;
		if (next[i] != ds[i].accepted || ds[i].refused != 1)
			ok = 0;
	}
	pthread_join(ctl_th, NULL);
	pthread_join(pipe_th, NULL);
	spw_u64_receiver_close(ctl_rx);
	spw_ptr_receiver_close(data_rx);

	ok = ok && pings == PINGS && stops == 1 && pipe_bytes == PIPE_BYTES &&
	     accepted == received + destroyed && destroyed == 0;
	printf("multi_poll: %llu wake-ups of one poll() on 3 descriptors; "
	       "%llu pings and a stop; %llu records accepted = received, "
	       "%llu refused after shutdown (freed by their senders), %llu "
	       "destroyed; %llu pipe bytes in order; %s\n",
	       (unsigned long long)wakeups, (unsigned long long)pings,
	       (unsigned long long)received, (unsigned long long)refused,
	       (unsigned long long)destroyed, (unsigned long long)pipe_bytes,
	       ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
