/* SPDX-License-Identifier: MIT */
/*
 * soak.c - a bounded soak test of the u64 channel through its public API
 * (generated/spillway_u64.h and spillway_runtime.h only).
 *
 *   soak [--seconds N] [--seed S] [--workers W] [--rss-bound-mib M]
 *        [--warmup N] [--no-rss-check] [--quiet]
 *
 * The run is a sequence of epochs, each a new channel with a random
 * configuration: 1-16 lanes, unbounded or a capacity of 1 .. 65536 (half
 * the sends wait for room with send_wait / send_many_wait for up to 1 ms,
 * the others retry on SPW_FULL), segments of 0 (default) or 1-64 values, a counting
 * destroy hook. In an epoch W worker threads (default 4) repeatedly clone
 * senders (from the epoch's root sender or from one of their own), send
 * bursts with send and send_many, go idle, and close senders, while one
 * receiver thread receives with every receive call, idles now and then
 * (so the backlog builds and the senders find it parked), reads len,
 * capacity and trims. An epoch ends one of three ways:
 *
 *   graceful: the workers close their senders, the root closes, the
 *             receiver drains to SPW_CLOSED: every value accepted must
 *             have been received, nothing destroyed;
 *   drain:    the receiver calls receiver_shutdown while the workers
 *             send: later sends get SPW_CLOSED (the worker keeps the
 *             value), every value accepted is still received, then
 *             SPW_CLOSED; nothing destroyed;
 *   abrupt:   the receiver closes with values in flight while the workers
 *             go on sending (they see SPW_CLOSED, and a send racing with
 *             the close may still be accepted); after every handle is
 *             closed, the destroy hook must have seen exactly the values
 *             accepted and not received.
 *
 * A value is (epoch & 0xffff) << 48 | sender id << 32 | sequence. Each
 * sender's accepted sequence numbers are 0, 1, 2, ... with no gap (a
 * rejected send reuses its number), so the receiver checks each sender's
 * values arrive exactly in order with none missing in between, and at the
 * end of an epoch, per sender: accepted = received + destroyed, and the
 * destroyed ones are exactly the tail the receiver never saw (count and
 * sum). Totals over the run are printed at the end.
 *
 * The resident set (/proc/self/statm) is sampled every second. After the
 * warm-up (default: a third of the run, at most 60 s) the first sample is
 * the baseline; the test fails if a later sample exceeds the baseline by
 * more than max(baseline, --rss-bound-mib MiB (default 16)). The senders
 * keep the backlog below BACKLOG_MAX values (they watch sender_len), so
 * the memory a run can legitimately hold is bounded.
 *
 * A watchdog fails the run (prints the state, aborts) when nothing has
 * been sent, received or closed for 10 s.
 *
 * Exit status 0 when every check passed; the last line is "soak: ok ..."
 * or "soak: FAILED ...".
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spillway_u64.h"

#define MAX_WORKERS 16
#define MAX_IDS 4096		/* senders per epoch */
#define OWN_MAX 3		/* senders a worker holds at once */
#define BACKLOG_MAX 200000	/* values; senders idle above it */
#define BATCH_MAX 64
#define WATCHDOG_SECONDS 10

/* ---- helpers ----------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static unsigned rnd_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

static void fail(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "soak: FAILED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK_ST(expr, want) \
	do { \
		spw_status st_ = (expr); \
		if (st_ != (want)) \
			fail("%s:%d: %s returned %s, expected %s", __FILE__, \
			     __LINE__, #expr, spw_status_str(st_), \
			     spw_status_str(want)); \
	} while (0)
#define CHECK(cond) \
	do { \
		if (!(cond)) \
			fail("%s:%d: check failed: %s", __FILE__, __LINE__, \
			     #cond); \
	} while (0)

static uint64_t make_value(unsigned epoch, unsigned id, uint32_t seq)
{
	return (uint64_t)(epoch & 0xffffu) << 48 | (uint64_t)id << 32 | seq;
}

/* ---- options and run-wide counters ------------------------------------- */

static struct {
	double seconds;
	uint64_t seed;
	unsigned workers;
	double rss_bound_mib;
	double warmup;
	int rss_check;
	int quiet;
} opt = { 60, 0, 4, 16, -1, 1, 0 };

static atomic_ullong progress;	/* bumped by every successful operation */
static atomic_ullong sent_all;	/* values accepted so far, every epoch */
static atomic_ullong epochs_done;
static atomic_int monitor_stop;
static atomic_int phase;	/* what the main thread is doing */
static const char *phase_names[] = { "running", "stopping workers",
				     "closing root", "joining receiver",
				     "checking", "between epochs" };

static struct {
	unsigned long long epochs, graceful, abrupt, drained;
	unsigned long long sent, received, destroyed;
	unsigned long long closed_rejects, full_retries, senders;
	unsigned long long recv_calls[6];
} total;

/* ---- one epoch --------------------------------------------------------- */

struct epoch {
	unsigned number;
	spw_config cfg;
	int abrupt;
	int drain;			/* ends with receiver_shutdown + drain */
	spw_u64_sender *root;
	spw_u64_receiver *rx;
	atomic_uint next_id;
	atomic_int stop_workers;	/* workers: close everything, leave */
	atomic_int stop_receiver;	/* abrupt: receiver_close now */
	atomic_int do_shutdown;		/* drain: receiver_shutdown now */
	atomic_int receiver_done;

	/* per sender id; see the comments on who writes what */
	uint32_t sent[MAX_IDS];		/* accepted: the owning worker */
	uint32_t next_seq[MAX_IDS];	/* received: the receiver */
	uint32_t destroyed[MAX_IDS];	/* the destroy hook (one thread) */
	uint64_t destroyed_sum[MAX_IDS];

	/* the receiver's counts */
	unsigned long long received, recv_calls[6];
	atomic_ullong received_live;	/* for the watchdog's dump */
	atomic_ullong sent_live;
	unsigned long long destroyed_total;
	atomic_ullong closed_rejects, full_retries;
};

static _Atomic(struct epoch *) cur;	/* the epoch the watchdog reports */

static void destroy_hook(void *elem, void *ctx)
{
	struct epoch *e = ctx;
	uint64_t v = *(const uint64_t *)elem;
	unsigned id = (unsigned)(v >> 32 & 0xffff);
	uint32_t seq = (uint32_t)v;

	if ((v >> 48) != (e->number & 0xffffu))
		fail("destroy: value %#" PRIx64 " of another epoch (%u)", v,
		     e->number);
	if (id >= MAX_IDS)
		fail("destroy: value %#" PRIx64 ": bad sender id", v);
	e->destroyed[id]++;
	e->destroyed_sum[id] += seq;
	e->destroyed_total++;
}

/* The receiver checks one value: right epoch, right sender, next in order. */
static void take(struct epoch *e, uint64_t v)
{
	unsigned id = (unsigned)(v >> 32 & 0xffff);
	uint32_t seq = (uint32_t)v;

	if ((v >> 48) != (e->number & 0xffffu))
		fail("recv: value %#" PRIx64 " of another epoch (%u)", v,
		     e->number);
	if (id >= MAX_IDS)
		fail("recv: value %#" PRIx64 ": bad sender id", v);
	if (seq != e->next_seq[id])
		fail("recv: epoch %u sender %u: got seq %" PRIu32
		     ", expected %" PRIu32 " (lost, duplicated or reordered)",
		     e->number, id, seq, e->next_seq[id]);
	e->next_seq[id]++;
	e->received++;
}

static void *receiver_main(void *arg)
{
	struct epoch *e = arg;
	uint64_t rs = e->number * 0x9E3779B97F4A7C15ull + opt.seed + 1;
	spw_u64_value buf[97];
	size_t cap = 0;
	int closed = 0;

	int shut = 0;

	CHECK_ST(spw_u64_capacity(e->rx, &cap), SPW_OK);
	CHECK(cap == e->cfg.capacity);
	while (!closed) {
		unsigned mode = rnd_below(&rs, 6);
		unsigned rounds = 1 + rnd_below(&rs, 2000);

		if (atomic_load(&e->stop_receiver))
			break;
		if (!shut && atomic_load(&e->do_shutdown)) {
			/* refuse new sends, go on receiving what was accepted */
			CHECK_ST(spw_u64_receiver_shutdown(e->rx), SPW_OK);
			shut = 1;
		}
		for (unsigned r = 0; r < rounds && !closed; r++) {
			spw_u64_value v;
			const spw_u64_value *items;
			size_t n = 0;
			spw_status st;

			if ((r & 63) == 0 && atomic_load(&e->stop_receiver))
				break;
			e->recv_calls[mode]++;
			switch (mode) {
			case 0: /* recv, bounded by a timeout so stop is seen */
				st = spw_u64_recv_timeout(e->rx, &v, 20000000);
				if (st == SPW_OK)
					take(e, v);
				break;
			case 1:
				st = spw_u64_try_recv(e->rx, &v);
				if (st == SPW_OK)
					take(e, v);
				break;
			case 2:
				st = spw_u64_try_recv_batch(e->rx, &items, &n);
				if (st == SPW_OK) {
					CHECK(n > 0);
					for (size_t i = 0; i < n; i++)
						take(e, items[i]);
				}
				break;
			case 3:
				st = spw_u64_recv_many(e->rx, buf,
						       1 + rnd_below(&rs, 97),
						       &n);
				if (st == SPW_OK) {
					CHECK(n > 0);
					for (size_t i = 0; i < n; i++)
						take(e, buf[i]);
				}
				break;
			case 4:
				/* blocking calls: only while senders exist,
				 * which they do until the root closes, and
				 * the root closes only in a graceful end */
				if (e->abrupt || e->drain) {
					st = spw_u64_recv_timeout(e->rx, &v, 0);
					if (st == SPW_OK)
						take(e, v);
					break;
				}
				if (rnd_below(&rs, 2)) {
					st = spw_u64_recv(e->rx, &v);
					if (st == SPW_OK)
						take(e, v);
				} else {
					st = spw_u64_recv_batch(e->rx, &items,
								&n);
					if (st == SPW_OK) {
						CHECK(n > 0);
						for (size_t i = 0; i < n; i++)
							take(e, items[i]);
					}
				}
				break;
			default: /* introspection, trim, then one try */
				st = spw_u64_len(e->rx, &n);
				CHECK(st == SPW_OK);
				if (cap > 0)
					CHECK(n <= cap);
				if (rnd_below(&rs, 8) == 0)
					CHECK_ST(spw_u64_trim(e->rx), SPW_OK);
				st = spw_u64_try_recv(e->rx, &v);
				if (st == SPW_OK)
					take(e, v);
				break;
			}
			if (st == SPW_CLOSED) {
				closed = 1;
			} else if (st == SPW_OK) {
				atomic_store_explicit(&e->received_live,
						      e->received,
						      memory_order_relaxed);
				atomic_fetch_add_explicit(&progress, 1,
							  memory_order_relaxed);
			} else if (st != SPW_EMPTY && st != SPW_TIMEOUT) {
				fail("receive mode %u returned %s", mode,
				     spw_status_str(st));
			}
		}
		/* an idle period now and then: the backlog builds */
		if (!closed && rnd_below(&rs, 64) == 0)
			sleep_us(rnd_below(&rs, 30000));
	}
	if (closed) {
		size_t n = 1;

		CHECK(!e->abrupt);
		CHECK_ST(spw_u64_len(e->rx, &n), SPW_OK);
		/*
		 * After a shutdown the workers may still be inside a send that
		 * will be refused: on a bounded channel its reservation counts
		 * until it is given back (len counts a send in progress), at
		 * most one batch per worker. Otherwise nothing is in flight.
		 */
		if (e->drain && cap != 0)
			CHECK(n <= (size_t)opt.workers * BATCH_MAX);
		else
			CHECK(n == 0);
	}
	CHECK_ST(spw_u64_receiver_close(e->rx), SPW_OK);
	atomic_store(&e->receiver_done, 1);
	atomic_fetch_add(&progress, 1);
	return NULL;
}

struct own {
	spw_u64_sender *tx;
	unsigned id;
	int closed;		/* a send returned SPW_CLOSED */
};

struct worker {
	struct epoch *e;
	unsigned index;
	pthread_t thread;
};

/* A new sender, cloned from the root or one of our own; 0 if none. */
static int open_sender(struct epoch *e, struct own *own, unsigned *n,
		       uint64_t *rs)
{
	unsigned id;
	spw_u64_sender *src = e->root;

	if (*n >= OWN_MAX)
		return 0;
	id = atomic_fetch_add(&e->next_id, 1);
	if (id >= MAX_IDS)
		return 0;
	if (*n > 0 && rnd_below(rs, 2))
		src = own[rnd_below(rs, *n)].tx;
	CHECK_ST(spw_u64_sender_clone(src, &own[*n].tx), SPW_OK);
	own[*n].id = id;
	own[*n].closed = 0;
	(*n)++;
	atomic_fetch_add(&progress, 1);
	return 1;
}

static void close_sender(struct own *own, unsigned *n, unsigned k)
{
	CHECK_ST(spw_u64_sender_close(own[k].tx), SPW_OK);
	own[k] = own[--(*n)];
	atomic_fetch_add(&progress, 1);
}

/*
 * Send `count` values (one send_many of `count`, or single sends) on o.
 * Retries on SPW_FULL until stop; returns how many were accepted.
 */
static unsigned send_some(struct epoch *e, struct own *o, unsigned count,
			  int many)
{
	spw_u64_value vals[BATCH_MAX];
	unsigned done = 0, spins = 0;

	while (done < count) {
		unsigned k = many ? count - done : 1;
		spw_status st;

		for (unsigned i = 0; i < k; i++)
			vals[i] = make_value(e->number, o->id,
					     e->sent[o->id] + i);
		if (e->cfg.capacity != 0 && (vals[0] & 1)) {
			/* waiting sends on a bounded channel, 1 ms at most */
			if (k == 1)
				st = spw_u64_send_wait(o->tx, vals[0], 1000000);
			else
				st = spw_u64_send_many_wait(o->tx, vals, k,
							    1000000);
			if (st == SPW_TIMEOUT)
				st = SPW_FULL;
		} else if (k == 1) {
			st = spw_u64_send(o->tx, vals[0]);
		} else {
			st = spw_u64_send_many(o->tx, vals, k);
		}
		if (st == SPW_OK) {
			e->sent[o->id] += k;
			done += k;
			atomic_fetch_add_explicit(&e->sent_live, k,
						  memory_order_relaxed);
			atomic_fetch_add_explicit(&sent_all, k,
						  memory_order_relaxed);
			atomic_fetch_add_explicit(&progress, 1,
						  memory_order_relaxed);
			spins = 0;
		} else if (st == SPW_FULL) {
			atomic_fetch_add_explicit(&e->full_retries, 1,
						  memory_order_relaxed);
			if (atomic_load_explicit(&e->stop_workers,
						 memory_order_relaxed))
				break;
			if (++spins < 16)
				sched_yield();
			else
				sleep_us(50);
		} else if (st == SPW_CLOSED) {
			CHECK(e->abrupt || e->drain);
			atomic_fetch_add_explicit(&e->closed_rejects, 1,
						  memory_order_relaxed);
			o->closed = 1;
			break;
		} else {
			fail("send returned %s", spw_status_str(st));
		}
	}
	return done;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoch *e = w->e;
	uint64_t rs = (e->number + 1) * 0x2545F4914F6CDD1Dull + w->index * 7919 +
		      opt.seed;
	struct own own[OWN_MAX];
	unsigned n = 0;
	size_t cap = e->cfg.capacity;

	(void)open_sender(e, own, &n, &rs);
	while (!atomic_load_explicit(&e->stop_workers, memory_order_relaxed)) {
		unsigned act = rnd_below(&rs, 100);

		if (n == 0) {
			if (!open_sender(e, own, &n, &rs)) {
				sleep_us(1000);	/* ids used up: idle */
				continue;
			}
		}
		if (act < 6) {
			(void)open_sender(e, own, &n, &rs);
		} else if (act < 11) {
			close_sender(own, &n, rnd_below(&rs, n));
		} else if (act < 14) {
			/* idle: the receiver may park meanwhile */
			sleep_us(rnd_below(&rs, act == 13 ? 100000 : 3000));
		} else {
			/* a burst on one sender */
			struct own *o = &own[rnd_below(&rs, n)];
			unsigned burst = 1 + rnd_below(&rs, 2000);
			size_t backlog = 0;

			CHECK_ST(spw_u64_sender_len(o->tx, &backlog), SPW_OK);
			if (cap > 0)
				CHECK(backlog <= cap);
			if (backlog > BACKLOG_MAX) {
				sleep_us(1000);
				continue;
			}
			while (burst > 0 && !o->closed &&
			       !atomic_load_explicit(&e->stop_workers,
						     memory_order_relaxed)) {
				unsigned k = 1;
				int many = rnd_below(&rs, 3) == 0;

				if (many) {
					k = 1 + rnd_below(&rs, BATCH_MAX);
					if (cap > 0 && k > cap)
						k = (unsigned)cap;
					if (k > burst)
						k = burst;
				}
				if (send_some(e, o, k, many) < k)
					break;
				burst -= k;
			}
			if (o->closed && rnd_below(&rs, 2))
				close_sender(own, &n, (unsigned)(o - own));
		}
	}
	while (n > 0)
		close_sender(own, &n, n - 1);
	return NULL;
}

static void dump_state(void)
{
	struct epoch *e = atomic_load(&cur);

	fprintf(stderr, "soak: state: phase %s, epochs done %llu\n",
		phase_names[atomic_load(&phase)],
		(unsigned long long)atomic_load(&epochs_done));
	if (e == NULL)
		return;
	fprintf(stderr,
		"soak: epoch %u: lanes %zu capacity %zu initial_buffer %zu %s; "
		"senders opened %u; sent %llu received %llu; stop_workers %d "
		"stop_receiver %d receiver_done %d; closed rejects %llu, full "
		"retries %llu\n",
		e->number, e->cfg.lanes, e->cfg.capacity, e->cfg.initial_buffer,
		e->abrupt ? "abrupt" : e->drain ? "drain" : "graceful",
		atomic_load(&e->next_id),
		(unsigned long long)atomic_load(&e->sent_live),
		(unsigned long long)atomic_load(&e->received_live),
		atomic_load(&e->stop_workers), atomic_load(&e->stop_receiver),
		atomic_load(&e->receiver_done),
		(unsigned long long)atomic_load(&e->closed_rejects),
		(unsigned long long)atomic_load(&e->full_retries));
}

/* ---- RSS ---------------------------------------------------------------- */

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (double)resident * (double)sysconf(_SC_PAGESIZE) /
	       (1024.0 * 1024.0);
}

static struct {
	double start, min, max, end, base, base_max_after;
	double t0;
	int have_base;
	unsigned samples;
	double next_sample;
} rss;

static void rss_sample(double t)
{
	double r = rss_mib();

	if (r < 0)
		return;
	rss.samples++;
	if (rss.samples == 1)
		rss.start = rss.min = rss.max = r;
	if (r < rss.min)
		rss.min = r;
	if (r > rss.max)
		rss.max = r;
	rss.end = r;
	if (t - rss.t0 >= opt.warmup) {
		if (!rss.have_base) {
			rss.have_base = 1;
			rss.base = r;
			rss.base_max_after = r;
			if (!opt.quiet)
				printf("soak: %.0f s: warm-up over, RSS "
				       "baseline %.1f MiB\n",
				       t - rss.t0, r);
		}
		if (r > rss.base_max_after)
			rss.base_max_after = r;
		if (opt.rss_check) {
			double allow = rss.base > opt.rss_bound_mib
					       ? rss.base
					       : opt.rss_bound_mib;

			if (r > rss.base + allow) {
				dump_state();
				fail("RSS %.1f MiB after warm-up, baseline "
				     "%.1f MiB, allowed growth %.1f MiB",
				     r, rss.base, allow);
			}
		}
	}
}

/*
 * The monitor thread: samples RSS each second, prints a line every 10 s,
 * and aborts when progress has not moved for WATCHDOG_SECONDS.
 */
static void *monitor_main(void *arg)
{
	unsigned long long last = atomic_load(&progress);
	double since = now_s(), next_report = rss.t0 + 10.0;

	(void)arg;
	while (!atomic_load(&monitor_stop)) {
		double t = now_s();
		unsigned long long p = atomic_load(&progress);

		if (p != last) {
			last = p;
			since = t;
		} else if (t - since > WATCHDOG_SECONDS) {
			dump_state();
			fail("watchdog: no progress for %d s", WATCHDOG_SECONDS);
		}
		if (t >= rss.next_sample) {
			rss_sample(t);
			rss.next_sample += 1.0;
		}
		if (!opt.quiet && t >= next_report) {
			printf("soak: %4.0f s: %llu epochs, %llu values sent, "
			       "RSS %.1f MiB (min %.1f, max %.1f)\n",
			       t - rss.t0,
			       (unsigned long long)atomic_load(&epochs_done),
			       (unsigned long long)atomic_load(&sent_all),
			       rss.end, rss.min, rss.max);
			fflush(stdout);
			next_report += 10.0;
		}
		sleep_us(50000);
	}
	return NULL;
}

static void wait_flag(atomic_int *flag)
{
	while (!atomic_load(flag))
		sleep_us(1000);
}

static void run_epoch(unsigned number, uint64_t *rs, double deadline)
{
	static const size_t caps[] = { 1, 2, 7, 64, 1000, 65536 };
	struct epoch *e = calloc(1, sizeof(*e));
	struct worker workers[MAX_WORKERS];
	pthread_t rt;
	double len;

	CHECK(e != NULL);
	e->number = number;
	spw_config_init(&e->cfg);
	e->cfg.lanes = 1 + rnd_below(rs, 16);
	e->cfg.capacity = rnd_below(rs, 2) ? 0 : caps[rnd_below(rs, 6)];
	e->cfg.initial_buffer = rnd_below(rs, 3) ? 0 : 1 + rnd_below(rs, 64);
	e->cfg.destroy = destroy_hook;
	e->cfg.destroy_ctx = e;
	switch (rnd_below(rs, 4)) {
	case 0:
		e->abrupt = 1;
		break;
	case 1:
		e->drain = 1;
		break;
	}
	CHECK_ST(spw_u64_channel_with(&e->cfg, &e->root, &e->rx), SPW_OK);
	atomic_store(&cur, e);

	CHECK(pthread_create(&rt, NULL, receiver_main, e) == 0);
	for (unsigned i = 0; i < opt.workers; i++) {
		workers[i].e = e;
		workers[i].index = i;
		CHECK(pthread_create(&workers[i].thread, NULL, worker_main,
				     &workers[i]) == 0);
	}

	len = 0.2 + (double)rnd_below(rs, 2800) / 1000.0;
	if (now_s() + len > deadline)
		len = deadline - now_s();
	if (len < 0.05)
		len = 0.05;
	sleep_us((long)(len * 1e6));

	if (e->drain) {
		/*
		 * receiver_shutdown while the workers send: every accepted
		 * value is still received, then SPW_CLOSED; later sends are
		 * refused (SPW_CLOSED, kept by the worker); nothing destroyed
		 */
		atomic_store(&e->do_shutdown, 1);
		atomic_store(&phase, 3);
		wait_flag(&e->receiver_done);
	}
	if (e->abrupt) {
		/* the receiver closes with values in flight; workers go on */
		atomic_store(&e->stop_receiver, 1);
		atomic_store(&phase, 3);
		wait_flag(&e->receiver_done);
		sleep_us(10000L * rnd_below(rs, 20));
	}
	atomic_store(&phase, 1);
	atomic_store(&e->stop_workers, 1);
	for (unsigned i = 0; i < opt.workers; i++)
		CHECK(pthread_join(workers[i].thread, NULL) == 0);
	atomic_store(&phase, 2);
	CHECK_ST(spw_u64_sender_close(e->root), SPW_OK);
	atomic_store(&phase, 3);
	wait_flag(&e->receiver_done);
	CHECK(pthread_join(rt, NULL) == 0);

	/* accounting: every accepted value received or destroyed, once */
	atomic_store(&phase, 4);
	{
		unsigned ids = atomic_load(&e->next_id);
		unsigned long long sent = 0;

		if (ids > MAX_IDS)
			ids = MAX_IDS;
		for (unsigned id = 0; id < ids; id++) {
			uint64_t lo = e->next_seq[id], hi = e->sent[id];
			uint64_t want_sum = (hi - lo) * (lo + hi - 1) / 2;

			sent += e->sent[id];
			if (e->next_seq[id] > e->sent[id])
				fail("epoch %u sender %u: received %" PRIu32
				     " of %" PRIu32 " sent",
				     number, id, e->next_seq[id], e->sent[id]);
			if (e->next_seq[id] + e->destroyed[id] != e->sent[id])
				fail("epoch %u sender %u: sent %" PRIu32
				     " != received %" PRIu32
				     " + destroyed %" PRIu32,
				     number, id, e->sent[id], e->next_seq[id],
				     e->destroyed[id]);
			if (hi > lo && e->destroyed_sum[id] != want_sum)
				fail("epoch %u sender %u: destroyed values are "
				     "not exactly the unreceived tail",
				     number, id);
		}
		if (!e->abrupt)
			CHECK(e->destroyed_total == 0);
		CHECK(sent == e->received + e->destroyed_total);
		total.epochs++;
		if (e->abrupt)
			total.abrupt++;
		else if (e->drain)
			total.drained++;
		else
			total.graceful++;
		total.sent += sent;
		total.received += e->received;
		total.destroyed += e->destroyed_total;
		total.closed_rejects += atomic_load(&e->closed_rejects);
		total.full_retries += atomic_load(&e->full_retries);
		total.senders += ids;
		for (int i = 0; i < 6; i++)
			total.recv_calls[i] += e->recv_calls[i];
	}
	atomic_store(&epochs_done, total.epochs);
	atomic_store(&phase, 5);
	atomic_store(&cur, NULL);
	free(e);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: soak [--seconds N] [--seed S] [--workers W] "
		"[--rss-bound-mib M] [--warmup N] [--no-rss-check] [--quiet]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t rs;
	double t0, deadline;
	unsigned number = 0;
	pthread_t monitor;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--no-rss-check") == 0) {
			opt.rss_check = 0;
			continue;
		}
		if (strcmp(a, "--quiet") == 0) {
			opt.quiet = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "--seconds") == 0)
			opt.seconds = atof(argv[++i]);
		else if (strcmp(a, "--seed") == 0)
			opt.seed = strtoull(argv[++i], NULL, 0);
		else if (strcmp(a, "--workers") == 0)
			opt.workers = (unsigned)atoi(argv[++i]);
		else if (strcmp(a, "--rss-bound-mib") == 0)
			opt.rss_bound_mib = atof(argv[++i]);
		else if (strcmp(a, "--warmup") == 0)
			opt.warmup = atof(argv[++i]);
		else
			usage();
	}
	if (opt.seconds <= 0 || opt.workers < 1 || opt.workers > MAX_WORKERS)
		usage();
	if (opt.seed == 0)
		opt.seed = (uint64_t)time(NULL);
	if (opt.warmup < 0)
		opt.warmup = opt.seconds / 3 < 60 ? opt.seconds / 3 : 60;
	rs = opt.seed * 0x9E3779B97F4A7C15ull | 1;
	printf("soak: %.0f s, seed %" PRIu64 ", %u workers, warm-up %.0f s, "
	       "RSS bound: baseline + max(baseline, %.0f MiB)%s\n",
	       opt.seconds, opt.seed, opt.workers, opt.warmup,
	       opt.rss_bound_mib, opt.rss_check ? "" : " (not checked)");

	t0 = now_s();
	deadline = t0 + opt.seconds;
	rss.t0 = t0;
	rss.next_sample = t0;
	CHECK(pthread_create(&monitor, NULL, monitor_main, NULL) == 0);
	while (now_s() < deadline)
		run_epoch(number++, &rs, deadline);
	atomic_store(&monitor_stop, 1);
	CHECK(pthread_join(monitor, NULL) == 0);
	rss_sample(now_s());

	printf("soak: %llu epochs (%llu graceful, %llu drained after "
	       "receiver_shutdown, %llu abrupt), %llu senders\n",
	       total.epochs, total.graceful, total.drained, total.abrupt,
	       total.senders);
	printf("soak: values: sent %llu = received %llu + destroyed %llu; "
	       "sends refused after receiver close %llu, SPW_FULL retries "
	       "%llu\n",
	       total.sent, total.received, total.destroyed,
	       total.closed_rejects, total.full_retries);
	printf("soak: receive calls: recv_timeout %llu, try_recv %llu, "
	       "try_recv_batch %llu, recv_many %llu, recv/recv_batch %llu, "
	       "len+try %llu\n",
	       total.recv_calls[0], total.recv_calls[1], total.recv_calls[2],
	       total.recv_calls[3], total.recv_calls[4], total.recv_calls[5]);
	printf("soak: RSS MiB: start %.1f, min %.1f, max %.1f, end %.1f; "
	       "after warm-up: baseline %.1f, max %.1f (%u samples)\n",
	       rss.start, rss.min, rss.max, rss.end, rss.base,
	       rss.base_max_after, rss.samples);
	if (total.sent != total.received + total.destroyed)
		fail("totals do not add up");
	printf("soak: ok\n");
	return 0;
}
