/* SPDX-License-Identifier: MIT */
/*
 * test_memory_fd.c - len/capacity introspection, memory after bursts
 * (the spare high-water mark and trim), and the pollable receive
 * descriptor (eventfd) with poll and epoll.
 *
 * Memory is measured with the counting allocator of support.c, which
 * counts the bytes of every block Spillway holds.
 */
#define _GNU_SOURCE

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "spillway_u64.h"
#include "support.h"

static spw_u64_sender *clone_of(spw_u64_sender *tx)
{
	spw_u64_sender *s = NULL;

	CHECK_ST(spw_u64_sender_clone(tx, &s), SPW_OK);
	return s;
}

static size_t rx_len(spw_u64_receiver *rx)
{
	size_t n = SIZE_MAX;

	CHECK_ST(spw_u64_len(rx, &n), SPW_OK);
	return n;
}

static size_t tx_len(spw_u64_sender *tx)
{
	size_t n = SIZE_MAX;

	CHECK_ST(spw_u64_sender_len(tx, &n), SPW_OK);
	return n;
}

/*
 * The receiver finds the channel empty for longer than SPW_SHED_IDLE_NS:
 * the channel has gone idle, so it sheds the spares above the mark.
 */
static void go_idle(spw_u64_receiver *rx)
{
	double t0 = now_seconds();
	uint64_t v;
	int looks = 0;

	/* Long enough, and often enough (the clock is read every 16th look). */
	do
		CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	while (now_seconds() - t0 < 3 * SPW_SHED_IDLE_NS / 1e9 || ++looks < 64);
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
}

/* ---- len and capacity -------------------------------------------------- */

START_TEST(test_len_unbounded)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx, *tx2;
	spw_u64_receiver *rx;
	uint64_t v, out[16];
	size_t cap = 99, n, i;

	cfg.lanes = 2;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	tx2 = clone_of(tx);
	CHECK(rx_len(rx) == 0);
	CHECK(tx_len(tx) == 0);
	for (i = 0; i < 5; i++)
		CHECK_ST(spw_u64_send(tx, i), SPW_OK);
	for (i = 0; i < 3; i++)
		CHECK_ST(spw_u64_send(tx2, 100 + i), SPW_OK);
	CHECK(rx_len(rx) == 8);
	CHECK(tx_len(tx) == 8);
	CHECK(tx_len(tx2) == 8);

	/*
	 * One value received: the receiver's count is exact; a sender's
	 * counts the rest of the lane visit (4 values) as received.
	 */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 0);
	CHECK(rx_len(rx) == 7);
	CHECK(tx_len(tx) == 3);
	CHECK_ST(spw_u64_recv_many(rx, out, 16, &n), SPW_OK);
	CHECK(n == 7);
	CHECK(rx_len(rx) == 0);
	CHECK(tx_len(tx) == 0);

	CHECK_ST(spw_u64_capacity(rx, &cap), SPW_OK);
	CHECK(cap == 0);
	cap = 99;
	CHECK_ST(spw_u64_sender_capacity(tx2, &cap), SPW_OK);
	CHECK(cap == 0);
	spw_u64_sender_close(tx);
	spw_u64_sender_close(tx2);
	spw_u64_receiver_close(rx);
}
END_TEST

START_TEST(test_len_bounded)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t vals[4] = { 1, 2, 3, 4 }, v;
	size_t cap = 0;

	cfg.capacity = 6;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_capacity(rx, &cap), SPW_OK);
	CHECK(cap == 6);
	cap = 0;
	CHECK_ST(spw_u64_sender_capacity(tx, &cap), SPW_OK);
	CHECK(cap == 6);
	CHECK_ST(spw_u64_send_many(tx, vals, 4), SPW_OK);
	CHECK(rx_len(rx) == 4);
	CHECK(tx_len(tx) == 4);
	CHECK_ST(spw_u64_send_many(tx, vals, 4), SPW_FULL);
	CHECK(rx_len(rx) == 4); /* a refused batch changes nothing */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(rx_len(rx) == 3);
	CHECK(tx_len(tx) == 3);
	spw_u64_sender_close(tx);
	spw_u64_receiver_close(rx);
}
END_TEST

START_TEST(test_introspection_invalid)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	size_t n = 42;
	int fd = 42;

	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 7), SPW_OK);
	CHECK_ST(spw_u64_len(NULL, &n), SPW_INVALID);
	CHECK_ST(spw_u64_len(rx, NULL), SPW_INVALID);
	CHECK_ST(spw_u64_sender_len(NULL, &n), SPW_INVALID);
	CHECK_ST(spw_u64_sender_len(tx, NULL), SPW_INVALID);
	CHECK_ST(spw_u64_capacity(NULL, &n), SPW_INVALID);
	CHECK_ST(spw_u64_capacity(rx, NULL), SPW_INVALID);
	CHECK_ST(spw_u64_sender_capacity(NULL, &n), SPW_INVALID);
	CHECK_ST(spw_u64_sender_capacity(tx, NULL), SPW_INVALID);
	CHECK_ST(spw_u64_trim(NULL), SPW_INVALID);
	CHECK_ST(spw_u64_receiver_fd(NULL, &fd), SPW_INVALID);
	CHECK_ST(spw_u64_receiver_fd(rx, NULL), SPW_INVALID);
	CHECK(n == 42 && fd == 42);
	/* Nothing queued was lost. */
	CHECK(rx_len(rx) == 1);
	CHECK_ST(spw_u64_trim(rx), SPW_OK);
	CHECK(rx_len(rx) == 1);
	{
		uint64_t v = 0;

		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
		CHECK(v == 7);
	}
	spw_u64_sender_close(tx);
	spw_u64_receiver_close(rx);
}
END_TEST

/* ---- memory after bursts ----------------------------------------------- */

/*
 * One lane, 16-value segments: a burst of 100 segments, received; the
 * lane is left with its current segment and SPW_LANE_SPARES spares; trim
 * frees the spares and the channel holds exactly what it held before.
 */
START_TEST(test_spares_high_water_and_trim)
{
	enum { SEG = 16, SEGS = 100 };
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	size_t baseline, seg_bytes, after, i;
	uint64_t v;

	alloc_install();
	cfg.lanes = 1;
	cfg.initial_buffer = SEG;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 0), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	baseline = alloc_live_bytes();

	for (i = 1; i <= SEG * SEGS; i++)
		CHECK_ST(spw_u64_send(tx, i), SPW_OK);
	seg_bytes = (alloc_peak_bytes() - baseline) / SEGS;
	CHECK(seg_bytes >= SEG * sizeof(uint64_t));
	for (i = 1; i <= SEG * SEGS; i++) {
		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
		CHECK(v == i);
	}
	/* Found empty once: not idle yet, nothing is freed. */
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	CHECK(alloc_live_bytes() > baseline + SPW_LANE_SPARES * seg_bytes);
	/* The burst is over: the channel stays empty, and goes idle. */
	go_idle(rx);
	after = alloc_live_bytes();
	/* The high-water mark: at most SPW_LANE_SPARES spares are kept. */
	CHECK(after <= baseline + SPW_LANE_SPARES * seg_bytes);
	CHECK(after > baseline); /* and they are kept, for reuse */

	/* Reuse: another burst of the same size allocates nothing new... */
	for (i = 0; i < SEG * SPW_LANE_SPARES; i++)
		CHECK_ST(spw_u64_send(tx, i), SPW_OK);
	CHECK(alloc_live_bytes() == after);
	for (i = 0; i < SEG * SPW_LANE_SPARES; i++)
		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);

	/* ...and trim gives the spares back. */
	CHECK_ST(spw_u64_trim(rx), SPW_OK);
	CHECK(alloc_live_bytes() == baseline);
	CHECK_ST(spw_u64_trim(rx), SPW_OK); /* idempotent */
	CHECK(alloc_live_bytes() == baseline);

	/* The channel still works after a trim. */
	CHECK_ST(spw_u64_send(tx, 5), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 5);
	spw_u64_sender_close(tx);
	spw_u64_receiver_close(rx);
	CHECK(alloc_live() == 0);
	alloc_uninstall();
}
END_TEST

struct burst {
	spw_u64_sender *tx;
	uint64_t id, count;
	atomic_size_t *sent;
};

static void *burst_main(void *arg)
{
	struct burst *b = arg;
	uint64_t i;

	for (i = 1; i <= b->count; i++) {
		T_ASSERT_ST(spw_u64_send(b->tx, b->id << 40 | i), SPW_OK);
		if ((i & 0xffff) == 0)
			atomic_fetch_add(b->sent, 0x10000);
	}
	return NULL;
}

static void burst_dump(void *ctx)
{
	fprintf(stderr, "burst: %zu values sent\n",
		atomic_load((atomic_size_t *)ctx));
}

/*
 * A busy try_recv receiver that stalls now and then (50-300 us every
 * 200,000 values) while one producer streams, waiting for it to catch up
 * and leaving a 20 us gap every 2,000 values: the receiver often finds the
 * channel momentarily empty, but it never frees a segment while values
 * flow (a free there would take the producer's arena lock). The test
 * splits the run into quiet spells (from the first SPW_EMPTY to the next
 * value) and counts the receiver's frees in each: a spell shorter than
 * SPW_SHED_IDLE_NS must free nothing. (A loaded machine may deschedule
 * the producer for longer; such a spell may shed, by design.)
 */
struct stream {
	spw_u64_sender *tx;
	size_t n;
	atomic_size_t received;
};

static void *stream_main(void *arg)
{
	struct stream *st = arg;
	size_t i;

	for (i = 1; i <= st->n; i++) {
		T_ASSERT_ST(spw_u64_send(st->tx, i), SPW_OK);
		if (i % 2000 == 0) {
			/*
			 * Let the receiver catch up, then leave a short gap,
			 * busy (the producer keeps its CPU): the receiver
			 * finds the channel empty for about 20 us.
			 */
			double t;

			while (atomic_load_explicit(&st->received,
						    memory_order_relaxed) < i)
				sched_yield();
			t = now_seconds();
			while (now_seconds() - t < 20e-6)
				;
		}
	}
	T_ASSERT_ST(spw_u64_sender_close(st->tx), SPW_OK);
	return NULL;
}

START_TEST(test_no_free_while_streaming)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	struct stream st;
	pthread_t th;
	size_t got = 0, spell_frees = 0, short_spells = 0, long_spells = 0;
	size_t bad_frees = 0, long_frees = 0;
	double quiet_since = 0;
	uint64_t v, expect = 1;
	spw_status s;
	unsigned seed = 12345;

	alloc_install();
	cfg.lanes = 1;
	cfg.initial_buffer = 64; /* small segments: many go round */
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	st.tx = tx;
	st.n = test_scaled(2000000);
	atomic_init(&st.received, 0);
	CHECK(pthread_create(&th, NULL, stream_main, &st) == 0);
	for (;;) {
		size_t f0 = alloc_thread_frees();

		s = spw_u64_try_recv(rx, &v);
		if (s == SPW_EMPTY) {
			if (quiet_since == 0) {
				quiet_since = now_seconds();
				spell_frees = 0;
			}
			spell_frees += alloc_thread_frees() - f0;
			continue;
		}
		if (quiet_since != 0) {
			double q = now_seconds() - quiet_since;

			if (q < 0.95 * SPW_SHED_IDLE_NS / 1e9) {
				short_spells++;
				bad_frees += spell_frees;
			} else {
				long_spells++;
				long_frees += spell_frees;
			}
			quiet_since = 0;
		}
		if (s == SPW_CLOSED)
			break;
		CHECK_ST(s, SPW_OK);
		CHECK(v == expect);
		expect++;
		atomic_store_explicit(&st.received, ++got, memory_order_relaxed);
		if (got % 200000 == 0) {
			struct timespec ts = { 0, 50000 + (long)(rand_r(&seed) % 250000) };

			nanosleep(&ts, NULL);
		}
	}
	CHECK(pthread_join(th, NULL) == 0);
	fprintf(stderr,
		"stream of %zu values: %zu short quiet spells (frees %zu), "
		"%zu of 1 ms or more (frees %zu)\n",
		got, short_spells, bad_frees, long_spells, long_frees);
	CHECK(got == st.n);
	/*
	 * Valgrind runs one thread at a time: every spell is long there, and
	 * test.sh says so with SPW_TEST_SERIAL.
	 */
	CHECK(short_spells > 0 || getenv("SPW_TEST_SERIAL") != NULL);
	CHECK(bad_frees == 0);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	CHECK(alloc_live() == 0);
	alloc_uninstall();
}
END_TEST

/*
 * The same receiver after the stream: the channel stays quiet, so after
 * SPW_SHED_IDLE_NS the receiver (and only then) frees the spares above the
 * mark, in its own thread.
 */
START_TEST(test_shed_after_idle)
{
	enum { SEG = 16, SEGS = 50 };
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	size_t frees0, i;
	uint64_t v;

	alloc_install();
	cfg.lanes = 1;
	cfg.initial_buffer = SEG;
	CHECK_ST(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	for (i = 0; i < SEG * SEGS; i++)
		CHECK_ST(spw_u64_send(tx, i), SPW_OK);
	for (i = 0; i < SEG * SEGS; i++)
		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	frees0 = alloc_thread_frees();
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	CHECK(alloc_thread_frees() == frees0); /* empty once is not idle */
	/* A blocking receive that waits past the idle time sheds, then times out. */
	CHECK_ST(spw_u64_recv_timeout(rx, &v, 3 * SPW_SHED_IDLE_NS), SPW_TIMEOUT);
	CHECK(alloc_thread_frees() - frees0 >= SEGS - SPW_LANE_SPARES - 2);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
	CHECK(alloc_live() == 0);
	alloc_uninstall();
}
END_TEST

/*
 * The 10-million-value burst (divided by SPW_TEST_SCALE_DIV): 4 sender
 * threads send everything before the receiver starts (so the channel
 * holds the whole burst), or while it receives. Once the burst is
 * received and the receiver has found the channel empty, the channel holds
 * no more than its baseline (each lane's current segment) plus
 * SPW_LANE_SPARES spares per lane; after trim, the baseline.
 */
static void burst_run(int concurrent)
{
	enum { P = 4 };
	spw_u64_sender *tx, *txs[P];
	spw_u64_receiver *rx;
	struct burst b[P];
	pthread_t th[P];
	atomic_size_t sent = 0;
	uint64_t next[P], *buf;
	size_t total = test_scaled(10000000), per = total / P;
	size_t baseline, peak, drained, trimmed, seg_bytes, got = 0, n, i;
	double t0;

	alloc_install();
	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	/* Baseline: every sender has sent once, everything is received. */
	for (i = 0; i < P; i++) {
		uint64_t v;

		txs[i] = i == 0 ? tx : clone_of(tx);
		CHECK_ST(spw_u64_send(txs[i], (uint64_t)i << 40), SPW_OK);
		CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
		next[i] = 1;
	}
	baseline = alloc_live_bytes();
	/* One segment: 8 KiB of values by default, plus its header. */
	seg_bytes = SPW_DEFAULT_SEGMENT_BYTES + 64;

	buf = malloc(4096 * sizeof(*buf));
	CHECK(buf != NULL);
	for (i = 0; i < P; i++) {
		b[i].tx = txs[i];
		b[i].id = i;
		b[i].count = per;
		b[i].sent = &sent;
	}
	watchdog_start_progress("burst", 30, &sent, burst_dump, &sent);
	t0 = now_seconds();
	for (i = 0; i < P; i++)
		CHECK(pthread_create(&th[i], NULL, burst_main, &b[i]) == 0);
	if (!concurrent)
		for (i = 0; i < P; i++)
			pthread_join(th[i], NULL);
	while (got < per * P) {
		CHECK_ST(spw_u64_recv_many(rx, buf, 4096, &n), SPW_OK);
		for (i = 0; i < n; i++) {
			uint64_t id = buf[i] >> 40;

			CHECK(id < P);
			CHECK((buf[i] & (((uint64_t)1 << 40) - 1)) ==
			      next[id]);
			next[id]++;
		}
		got += n;
	}
	if (concurrent)
		for (i = 0; i < P; i++)
			pthread_join(th[i], NULL);
	watchdog_stop();
	for (i = 0; i < P; i++)
		CHECK(next[i] == per + 1);
	CHECK(rx_len(rx) == 0);
	/* The burst is over: the receiver finds the channel idle. */
	go_idle(rx);
	peak = alloc_peak_bytes();
	drained = alloc_live_bytes();
	CHECK_ST(spw_u64_trim(rx), SPW_OK);
	trimmed = alloc_live_bytes();
	fprintf(stderr,
		"burst of %zu values (%s) in %.2f s: baseline %zu B, peak "
		"%zu B, after receiving %zu B, after trim %zu B\n",
		per * P, concurrent ? "received while sent" :
				      "sent, then received",
		now_seconds() - t0, baseline, peak, drained, trimmed);
	/*
	 * The channel really held the burst (less the room left in each
	 * lane's first segment, which matters at small sizes).
	 */
	if (!concurrent)
		CHECK(peak >= baseline + per * P * sizeof(uint64_t) / 10 * 9);
	CHECK(drained <= baseline + P * SPW_LANE_SPARES * seg_bytes);
	CHECK(trimmed <= baseline);

	free(buf);
	for (i = 0; i < P; i++)
		spw_u64_sender_close(txs[i]);
	spw_u64_receiver_close(rx);
	CHECK(alloc_live() == 0);
	alloc_uninstall();
}

START_TEST(test_burst_10m_sent_then_received)
{
	burst_run(0);
}
END_TEST

START_TEST(test_burst_10m_received_while_sent)
{
	burst_run(1);
}
END_TEST

/* ---- the pollable descriptor ------------------------------------------- */

static int readable(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0);
	return rc == 1 && (p.revents & POLLIN);
}

START_TEST(test_fd_protocol)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	const uint64_t *items;
	int fd = -1, fd2 = -1;
	uint64_t v;
	size_t n;

	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	CHECK(fd >= 0);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd2), SPW_OK);
	CHECK(fd2 == fd); /* one descriptor per channel */
	CHECK(!readable(fd, 0));

	/* Armed from the start: a send makes it readable at once. */
	CHECK_ST(spw_u64_send(tx, 1), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_OK);
	CHECK(v == 1);

	/* An empty receive arms it; a send makes it readable. */
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	CHECK(!readable(fd, 0));
	CHECK_ST(spw_u64_send(tx, 2), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_send(tx, 3), SPW_OK);
	CHECK_ST(spw_u64_try_recv_batch(rx, &items, &n), SPW_OK);
	CHECK(n == 2 && items[0] == 2 && items[1] == 3);
	/* The next empty receive empties and re-arms it. */
	CHECK_ST(spw_u64_try_recv_batch(rx, &items, &n), SPW_EMPTY);
	CHECK(!readable(fd, 0));

	/* recv_timeout with 0 arms it too. */
	CHECK_ST(spw_u64_recv_timeout(rx, &v, 0), SPW_TIMEOUT);
	CHECK(!readable(fd, 0));
	CHECK_ST(spw_u64_send(tx, 4), SPW_OK);
	CHECK(readable(fd, 0));

	/* Blocking receives still work with a descriptor. */
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 4);

	/* The last sender's close makes it readable: end of stream. */
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	CHECK(!readable(fd, 0));
	spw_u64_sender_close(tx);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_CLOSED);
	spw_u64_receiver_close(rx);
}
END_TEST

struct fd_producer {
	spw_u64_sender *tx;
	uint64_t id, count, seed;
	atomic_size_t *sent;
};

/*
 * The descriptor is readable from the moment receiver_fd() returns it
 * whenever something is there: values sent before it was made, values the
 * receiver holds in its window but has not handed out, the end of the
 * stream. A loop that polls before its first receive never hangs.
 */
START_TEST(test_fd_ready_from_start)
{
	spw_u64_sender *tx, *tx2;
	spw_u64_receiver *rx;
	uint64_t v, three[3] = { 1, 2, 3 };
	int fd = -1;

	/* Values queued before the descriptor exists. */
	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_send(tx, 7), SPW_OK);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_OK);
	CHECK(v == 7);
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	CHECK(!readable(fd, 0));
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);

	/* Values in the receiver's window (a batch partly received). */
	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_send_many(tx, three, 3), SPW_OK);
	CHECK_ST(spw_u64_recv(rx, &v), SPW_OK);
	CHECK(v == 1);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_OK);
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_OK);
	CHECK(v == 3);
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_EMPTY);
	CHECK(!readable(fd, 0));
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);

	/* The stream already ended. */
	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_sender_clone(tx, &tx2), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_sender_close(tx2), SPW_OK);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_CLOSED);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);

	/* Nothing there: not readable until a send. */
	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	CHECK(!readable(fd, 0));
	CHECK_ST(spw_u64_send(tx, 9), SPW_OK);
	CHECK(readable(fd, 0));
	CHECK_ST(spw_u64_try_recv(rx, &v), SPW_OK);
	CHECK(v == 9);
	CHECK_ST(spw_u64_sender_close(tx), SPW_OK);
	CHECK_ST(spw_u64_receiver_close(rx), SPW_OK);
}
END_TEST

static void *fd_producer_main(void *arg)
{
	struct fd_producer *p = arg;
	uint64_t i;

	for (i = 0; i < p->count; i++) {
		uint64_t x = p->seed;

		T_ASSERT_ST(spw_u64_send(p->tx, p->id << 32 | i), SPW_OK);
		atomic_fetch_add(p->sent, 1);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p->seed = x;
		if (x % 8 == 0) {
			struct timespec ts = { 0, (long)(x % 50) * 1000L };

			nanosleep(&ts, NULL);
		}
	}
	spw_u64_sender_close(p->tx);
	return NULL;
}

/*
 * An epoll loop: 4 producers send with random pauses, the receiver waits
 * in epoll_wait and drains with try_recv_batch until SPW_EMPTY. A wait of
 * 5 s while a value is pending is a lost wake-up.
 */
START_TEST(test_fd_epoll_threads)
{
	enum { P = 4 };
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	struct fd_producer p[P];
	pthread_t th[P];
	atomic_size_t sent = 0;
	uint64_t next[P] = { 0 };
	size_t per = test_scaled(50000), received = 0, waits = 0, i;
	struct epoll_event ev = { 0 };
	int fd, ep, done = 0;

	CHECK_ST(spw_u64_channel(&tx, &rx), SPW_OK);
	CHECK_ST(spw_u64_receiver_fd(rx, &fd), SPW_OK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	ev.events = EPOLLIN;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
	for (i = 0; i < P; i++) {
		p[i].tx = i == 0 ? tx : clone_of(tx);
		p[i].id = i;
		p[i].count = per;
		p[i].seed = 0x9e3779b97f4a7c15ull * (i + 1);
		p[i].sent = &sent;
	}
	for (i = 0; i < P; i++)
		CHECK(pthread_create(&th[i], NULL, fd_producer_main, &p[i]) ==
		      0);
	while (!done) {
		const uint64_t *items;
		size_t n, k;
		spw_status st;

		/* Drain until empty (which re-arms the descriptor)... */
		while ((st = spw_u64_try_recv_batch(rx, &items, &n)) ==
		       SPW_OK) {
			for (k = 0; k < n; k++) {
				uint64_t id = items[k] >> 32;

				CHECK(id < P);
				CHECK((items[k] & 0xffffffffu) == next[id]);
				next[id]++;
			}
			received += n;
		}
		if (st == SPW_CLOSED)
			break;
		CHECK_ST(st, SPW_EMPTY);
		/* ...then wait for it. */
		for (;;) {
			int rc = epoll_wait(ep, &ev, 1, 5000);

			if (rc == 1)
				break;
			CHECK(rc == 0); /* EINTR does not happen here */
			if (atomic_load(&sent) > received)
				ck_abort_msg("lost wake-up: %zu values pending"
					     " after 5 s in epoll_wait",
					     atomic_load(&sent) - received);
		}
		waits++;
	}
	for (i = 0; i < P; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < P; i++)
		CHECK(next[i] == per);
	CHECK(received == per * P);
	CHECK(waits > 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == 0);
	close(ep);
	spw_u64_receiver_close(rx);
}
END_TEST

static Suite *memory_fd_suite(void)
{
	Suite *s = suite_create("memory_fd");
	TCase *tc;

	tc = tcase_create("introspection");
	tcase_add_test(tc, test_len_unbounded);
	tcase_add_test(tc, test_len_bounded);
	tcase_add_test(tc, test_introspection_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_spares_high_water_and_trim);
	tcase_add_test(tc, test_no_free_while_streaming);
	tcase_add_test(tc, test_shed_after_idle);
	tcase_add_test(tc, test_burst_10m_sent_then_received);
	tcase_add_test(tc, test_burst_10m_received_while_sent);
	suite_add_tcase(s, tc);

	tc = tcase_create("fd");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fd_protocol);
	tcase_add_test(tc, test_fd_ready_from_start);
	tcase_add_test(tc, test_fd_epoll_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(memory_fd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
