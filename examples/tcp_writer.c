/* SPDX-License-Identifier: MIT */
/*
 * tcp_writer.c - the shape Spillway was made for: many workers produce
 * responses, one writer thread owns the connection.
 *
 *   workers (4 threads)   --send_many-->   channel of struct response
 *   writer (main thread)  <--recv_batch--  then writev() straight from
 *                                          the batch view into a TCP socket
 *   client (a thread)     reads the loopback connection and checks that
 *                         every response arrives, in per-worker order
 *
 * The writer never copies a response: recv_batch hands it a view into the
 * channel's buffer, valid until its next receive call, and writev() sends
 * straight from there. A worker's batch is never split across views, and
 * responses of one worker arrive in the order it sent them, so the client
 * sees each worker's sequence numbers 0, 1, 2, ... with no gaps.
 *
 * The channel is generated at build time (BUILD.bazel):
 *   spillway_channel(name = "response_channel", type = "struct response",
 *                    type_name = "response", hdrs = ["response.h"])
 * Exits 0 when the client received every response in order.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "spillway_response.h"

#define WORKERS 4
#define RESPONSES_PER_WORKER 50000u
#define MAX_BATCH 32

static void die(const char *what, spw_status st)
{
	fprintf(stderr, "tcp_writer: %s: %s\n", what, spw_status_str(st));
	exit(1);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "tcp_writer: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- workers ----------------------------------------------------------- */

struct worker {
	spw_response_sender *tx;
	uint32_t id;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct response batch[MAX_BATCH];
	uint32_t seq = 0, rnd = w->id * 2654435761u + 1;

	while (seq < RESPONSES_PER_WORKER) {
		uint32_t n, k;
		spw_status st;

		/* Batches of 1..MAX_BATCH responses, sent atomically. */
		rnd = rnd * 1103515245u + 12345u;
		n = 1 + (rnd >> 16) % MAX_BATCH;
		if (n > RESPONSES_PER_WORKER - seq)
			n = RESPONSES_PER_WORKER - seq;
		for (k = 0; k < n; k++) {
			struct response *r = &batch[k];
			int len;

			r->worker = w->id;
			r->seq = seq + k;
			len = snprintf(r->body, sizeof(r->body),
				       "worker %u says hello #%u", w->id,
				       seq + k);
			r->len = (uint32_t)len;
		}
		st = spw_response_send_many(w->tx, batch, n);
		if (st != SPW_OK)
			die("send_many", st);
		seq += n;
	}
	spw_response_sender_close(w->tx);
	return NULL;
}

/* ---- client ------------------------------------------------------------ */

struct client {
	uint16_t port;
	uint64_t received;
	int ok;
};

/* Read exactly n bytes; 0 at a clean end of stream before any byte. */
static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r == 0 && got == 0)
			return 0;
		if (r == 0)
			return -1; /* cut in the middle of a response */
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return 1;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in addr;
	uint32_t next[WORKERS] = { 0 };
	struct response r;
	int fd, rc, i;

	c->ok = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("client socket");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(c->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		die_errno("connect");
	while ((rc = read_full(fd, &r, RESPONSE_HEADER)) == 1) {
		char expect[sizeof(r.body)];
		int len;

		if (r.worker >= WORKERS || r.seq != next[r.worker] ||
		    r.len > sizeof(r.body) ||
		    read_full(fd, r.body, r.len) != 1) {
			fprintf(stderr, "client: bad response (worker %u, seq "
				"%u, expected seq %u)\n", r.worker, r.seq,
				r.worker < WORKERS ? next[r.worker] : 0);
			close(fd);
			return NULL;
		}
		len = snprintf(expect, sizeof(expect),
			       "worker %u says hello #%u", r.worker, r.seq);
		if ((uint32_t)len != r.len || memcmp(expect, r.body, r.len)) {
			fprintf(stderr, "client: body mismatch\n");
			close(fd);
			return NULL;
		}
		next[r.worker]++;
		c->received++;
	}
	close(fd);
	if (rc != 0) {
		fprintf(stderr, "client: connection cut mid-response\n");
		return NULL;
	}
	c->ok = 1;
	for (i = 0; i < WORKERS; i++)
		if (next[i] != RESPONSES_PER_WORKER)
			c->ok = 0;
	return NULL;
}

/* ---- writer ------------------------------------------------------------ */

/* writev() everything in iov[0..n), however the kernel splits it. */
static void writev_full(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die_errno("writev");
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

int main(void)
{
	static struct iovec iov[IOV_MAX];
	struct worker workers[WORKERS];
	pthread_t wth[WORKERS], cth;
	struct client client = { 0, 0, 0 };
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	spw_response_sender *tx;
	spw_response_receiver *rx;
	uint64_t written = 0, batches = 0;
	spw_status st;
	int lfd, cfd, one = 1, i;

	/* A listening socket on an ephemeral loopback port, and the client. */
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die_errno("socket");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0)
		die_errno("bind/listen");
	client.port = ntohs(addr.sin_port);
	if (pthread_create(&cth, NULL, client_main, &client) != 0)
		die_errno("pthread_create");
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		die_errno("accept");
	close(lfd);
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	/* The workers, one sender each. */
	if ((st = spw_response_channel(&tx, &rx)) != SPW_OK)
		die("channel", st);
	for (i = 0; i < WORKERS; i++) {
		workers[i].id = (uint32_t)i;
		if (i == 0)
			workers[i].tx = tx;
		else if ((st = spw_response_sender_clone(tx, &workers[i].tx)) !=
			 SPW_OK)
			die("sender_clone", st);
	}
	for (i = 0; i < WORKERS; i++)
		if (pthread_create(&wth[i], NULL, worker_main, &workers[i]))
			die_errno("pthread_create");

	/*
	 * The writer: each view becomes one writev() of header+body pieces,
	 * straight out of the channel's buffer. The view stays valid until
	 * the next receive call, which is after the write.
	 */
	for (;;) {
		const struct response *items;
		size_t n, k;
		int cnt = 0;

		st = spw_response_recv_batch(rx, &items, &n);
		if (st == SPW_CLOSED)
			break;
		if (st != SPW_OK)
			die("recv_batch", st);
		for (k = 0; k < n; k++) {
			iov[cnt].iov_base = (void *)&items[k];
			iov[cnt].iov_len = RESPONSE_HEADER + items[k].len;
			if (++cnt == IOV_MAX) {
				writev_full(cfd, iov, cnt);
				cnt = 0;
			}
		}
		writev_full(cfd, iov, cnt);
		written += n;
		batches++;
	}
	spw_response_receiver_close(rx);
	for (i = 0; i < WORKERS; i++)
		pthread_join(wth[i], NULL);
	/* End of stream for the client. */
	close(cfd);
	pthread_join(cth, NULL);

	printf("tcp_writer: %llu responses from %d workers written in %llu "
	       "writev batches; client received %llu, %s\n",
	       (unsigned long long)written, WORKERS,
	       (unsigned long long)batches,
	       (unsigned long long)client.received,
	       client.ok ? "all in per-worker order" : "FAILED");
	return client.ok && written == (uint64_t)WORKERS * RESPONSES_PER_WORKER
		       ? 0
		       : 1;
}
