/*
 * channel.c - the reference `channel` benchmark of Spillway for C.
 *
 * What is measured: P producer threads share N u64 values between them and
 * send them to one receiver, the main thread, until end of stream. For each
 * P of a list (default 1, 2, 4, 16) every row below runs with the same P
 * producers, the same values and the same checks:
 *
 *   spillway send            each producer has its own sender (a clone)
 *                            and calls spw_u64_send per value; the
 *                            receiver calls spw_u64_recv per value
 *   spillway send_many(32)   values go in arrays of 32 through
 *                            spw_u64_send_many; the receiver copies them
 *                            out with spw_u64_recv_many into a local
 *                            buffer of MC_RECV_BUF values, as the
 *                            moodycamel receiver does
 *   spillway send+recv_batch spw_u64_send per value; the receiver takes
 *                            whole batches with spw_u64_recv_batch
 *   spillway send+recv_many  spw_u64_send per value; the receiver copies
 *                            with spw_u64_recv_many(MC_RECV_BUF): the same
 *                            receiving method as the moodycamel rows, so
 *                            the targets compare senders like for like
 *   mutex+condvar            the queue a C programmer writes by hand: a
 *                            growable ring buffer behind one mutex and one
 *                            condvar, one value per lock round trip
 *   liburcu wfcqueue         Debian liburcu-dev's wait-free concurrent
 *                            queue; each producer enqueues nodes from its
 *                            own preallocated array (no malloc timed); the
 *                            receiver dequeues one node at a time without
 *                            a lock (__cds_wfcq_dequeue_nonblocking)
 *   moodycamel               moodycamel::ConcurrentQueue<uint64_t> (Debian
 *                            libconcurrentqueue-dev, through
 *                            moodycamel_shim.cpp), one ProducerToken per
 *                            producer, enqueue per value; the receiver
 *                            uses a ConsumerToken and try_dequeue_bulk
 *                            into a local buffer of MC_RECV_BUF values
 *   moodycamel bulk-32       the same with enqueue_bulk of 32 values
 *   memory (1 thread)        the physical limit: one thread writes the
 *                            same N values into a large array (at most
 *                            MEM_CHUNK values, reused) and reads them
 *                            back through the same checks
 *
 * The lock-free peers have no blocking receive: their receiver spins
 * briefly, then sched_yield()s, while it finds nothing. Each producer adds
 * one to a `done` counter (release) after its last enqueue; the receiver
 * stops only after it has seen done == P (acquire) and then drained the
 * queue until it is empty.
 *
 * The clock (CLOCK_MONOTONIC) starts when every producer thread exists and
 * waits at a start gate, and stops when the receiver sees end of stream.
 * Creating threads, queues, tokens and wfcqueue nodes and tearing them
 * down is outside the timed region.
 *
 * Every received value is checked, in every row. Producer p sends
 * (p << 40) | i for i = 0, 1, ...; the receiver checks that each
 * producer's values arrive exactly in order (no gap, duplicate or
 * reordering), then the total count and the exact sum (mod 2^64). Any
 * mismatch, and any failed call, is fatal (exit 1).
 *
 * Values per repetition are sized per row and per P so that each
 * repetition lasts at least --min-seconds (default 0.4 s): calibration
 * runs double the size until one takes min/4, then a scale-up to min plus
 * a 30% margin, re-checked by the warm-up run; a timed repetition that
 * still comes out shorter than min is thrown away and run again, larger
 * (throughput is computed per repetition, from its own size).
 * --values N fixes N instead.
 *
 * Reported per row, over R repetitions (after W untimed warm-up runs; rows
 * take turns, so a slow phase of the machine hits them all):
 *   M msg/s     median throughput, millions of messages per second
 *   ns/msg      at that median (1 / throughput); wall time per message
 *               with all producers sending, not a round trip
 *   std dev     of ns per message over the repetitions
 *   min, max    throughput
 *   vs X        median throughput / row X's, measured in the same run
 *
 * Build and run from the repository root: bench/run.sh [flags] (gcc/g++
 * -O2, writes bench/results/channel.{csv,png,txt}), or
 * bazel run -c opt //bench:channel -- --help. --quick uses small sizes;
 * the test uses it.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, sysconf, posix_spawnp */
#define _LGPL_SOURCE            /* liburcu: inline wfcqueue, no library */

#include <errno.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <urcu/wfcqueue.h>

#include "moodycamel_shim.h"
#include "spillway_u64.h"

extern char **environ;

#if defined(__GNUC__) || defined(__clang__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define UNLIKELY(x) (x)
#endif

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#else
#define CPU_RELAX() atomic_signal_fence(memory_order_seq_cst)
#endif

/* A value is (producer << VALUE_SHIFT) | index. */
#define VALUE_SHIFT 40
#define INDEX_MASK (((uint64_t)1 << VALUE_SHIFT) - 1)

#define MAX_PRODUCERS 1024
#define MAX_PLIST 16
#define MAX_VALUES INDEX_MASK
#define MAX_AUTO_VALUES ((uint64_t)256 << 20) /* 2 GiB of payload */
#define MAX_REPS 1000
#define BATCH 32
#ifndef MC_RECV_BUF
#define MC_RECV_BUF 1024 /* moodycamel receiver's buffer, in values */
#endif
#define MEM_CHUNK ((uint64_t)64 << 20) /* 512 MiB, beyond any L3 here */
#define SPIN_BEFORE_YIELD 64

#define DEFAULT_REPS 5
#define DEFAULT_WARMUP 1
#define DEFAULT_MIN_SECONDS 0.4
#define CAL_START 65536
#define CAL_MARGIN 1.3
#define MAX_RESIZES 3 /* per repetition that came out too short */
#define QUICK_VALUES 100000
#define QUICK_REPS 3
#define QUICK_WARMUP 0

static const char *prog = "channel";
static uint64_t t_start; /* for progress lines */

/* ---- errors ------------------------------------------------------------ */

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void check(spw_status st, const char *what)
{
	if (UNLIKELY(st != SPW_OK))
		die("%s: %s", what, spw_status_str(st));
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		die("out of memory (%zu bytes)", size);
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%7.1fs] ", (double)(now_ns() - t_start) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- rows and parameters ----------------------------------------------- */

enum row_id {
	ROW_SEND,
	ROW_SEND_MANY,
	ROW_RECV_BATCH,
	ROW_RECV_MANY,
	ROW_MUTEX,
	ROW_WFCQ,
	ROW_MOODY,
	ROW_MOODY_BULK,
	ROW_MEMORY,
	NROWS
};

static const char *const row_key[NROWS] = {
	"send", "send_many", "recv_batch", "recv_many", "mutex", "wfcq", "moody",
	"moody_bulk", "memory"
};
static const char *const row_name[NROWS] = {
	"spillway send",
	"spillway send_many(32)",
	"spillway send + recv_batch",
	"spillway send + recv_many",
	"mutex+condvar",
	"liburcu wfcqueue",
	"moodycamel (tokens)",
	"moodycamel bulk-32 (tokens)",
	"memory, 1 thread (limit)",
};

struct params {
	unsigned plist[MAX_PLIST]; /* producer counts, in order */
	unsigned nplist;
	uint64_t values;    /* per repetition; 0: auto-size per row */
	double min_seconds; /* auto-sizing target */
	unsigned reps;
	unsigned warmup;
	size_t lanes;       /* 0: auto, one lane per producer */
	int row_on[NROWS];
	int quick;
	const char *csv;
	const char *plot;
};

/* One run of one row. */
struct job {
	enum row_id row;
	unsigned producers;
	uint64_t values;
	size_t lanes;
};

/* How many of the values producer p sends. */
static uint64_t share(const struct job *job, unsigned p)
{
	return job->values / job->producers +
	       (p < job->values % job->producers ? 1 : 0);
}

static inline uint64_t make_value(unsigned p, uint64_t i)
{
	return (uint64_t)p << VALUE_SHIFT | i;
}

/* ---- the receiver's checks, identical for every row -------------------- */

struct checker {
	const struct job *job;
	uint64_t *next; /* per producer: the index expected next */
	uint64_t count;
	uint64_t sum;   /* mod 2^64 */
};

static void checker_init(struct checker *c, const struct job *job)
{
	c->job = job;
	c->next = xmalloc(job->producers * sizeof(*c->next));
	memset(c->next, 0, job->producers * sizeof(*c->next));
	c->count = 0;
	c->sum = 0;
}

static _Noreturn void bad_value(const struct checker *c, uint64_t v)
{
	uint64_t p = v >> VALUE_SHIFT;
	const char *row = row_name[c->job->row];

	if (p >= c->job->producers)
		die("%s: received %#llx from no producer (value %llu)", row,
		    (unsigned long long)v, (unsigned long long)c->count);
	die("%s: producer %llu: expected index %llu, received %llu "
	    "(out of order, lost or duplicated)", row,
	    (unsigned long long)p, (unsigned long long)c->next[p],
	    (unsigned long long)(v & INDEX_MASK));
}

static inline void checker_take(struct checker *c, uint64_t v)
{
	uint64_t p = v >> VALUE_SHIFT;

	if (UNLIKELY(p >= c->job->producers ||
		     (v & INDEX_MASK) != c->next[p]))
		bad_value(c, v);
	c->next[p]++;
	c->count++;
	c->sum += v;
}

/* Sum of every value sent in one repetition, mod 2^64. */
static uint64_t expected_sum(const struct job *job)
{
	uint64_t sum = 0, n, tri;
	unsigned p;

	for (p = 0; p < job->producers; p++) {
		n = share(job, p);
		/* 0 + 1 + ... + (n - 1), halving before the multiply. */
		tri = n % 2 == 0 ? n / 2 * (n - 1) : (n - 1) / 2 * n;
		sum += make_value(p, 0) * n + tri;
	}
	return sum;
}

static void checker_finish(struct checker *c)
{
	const struct job *job = c->job;
	const char *row = row_name[job->row];
	unsigned p;

	if (c->count != job->values)
		die("%s: received %llu values, expected %llu", row,
		    (unsigned long long)c->count,
		    (unsigned long long)job->values);
	for (p = 0; p < job->producers; p++)
		if (c->next[p] != share(job, p))
			die("%s: producer %u: received %llu values, sent %llu",
			    row, p, (unsigned long long)c->next[p],
			    (unsigned long long)share(job, p));
	if (c->sum != expected_sum(job))
		die("%s: sum %llu, expected %llu", row,
		    (unsigned long long)c->sum,
		    (unsigned long long)expected_sum(job));
	free(c->next);
	c->next = NULL;
}

/* ---- the start gate ---------------------------------------------------- */

/* Producers wait here until the receiver starts the clock. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t arrived;
	pthread_cond_t opened;
	unsigned waiting;
	int open;
};

static void gate_init(struct gate *g)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->arrived, NULL);
	pthread_cond_init(&g->opened, NULL);
	g->waiting = 0;
	g->open = 0;
}

static void gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->opened);
	pthread_cond_destroy(&g->arrived);
	pthread_mutex_destroy(&g->lock);
}

static void gate_wait(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->waiting++;
	pthread_cond_signal(&g->arrived);
	while (!g->open)
		pthread_cond_wait(&g->opened, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

/* Wait for n producers at the gate, then open it. Returns the start time. */
static uint64_t gate_open(struct gate *g, unsigned n)
{
	uint64_t t0;

	pthread_mutex_lock(&g->lock);
	while (g->waiting < n)
		pthread_cond_wait(&g->arrived, &g->lock);
	t0 = now_ns();
	g->open = 1;
	pthread_cond_broadcast(&g->opened);
	pthread_mutex_unlock(&g->lock);
	return t0;
}

/* The lock-free peers' receiver found nothing: spin a little, then yield. */
static inline void idle_wait(unsigned *spins)
{
	if (*spins < SPIN_BEFORE_YIELD) {
		++*spins;
		CPU_RELAX();
	} else {
		sched_yield();
	}
}

/* ---- the mutex+condvar queue ------------------------------------------- */

/*
 * An unbounded FIFO as written by hand: a ring buffer that doubles when
 * full, one mutex, one condvar for "not empty or finished".
 */
struct mq {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	uint64_t *buf;
	size_t cap;       /* a power of two */
	size_t head;      /* the oldest value */
	size_t len;
	unsigned senders; /* producers still sending */
};

static void mq_init(struct mq *q, unsigned senders)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->ready, NULL);
	q->cap = 64;
	q->buf = xmalloc(q->cap * sizeof(*q->buf));
	q->head = 0;
	q->len = 0;
	q->senders = senders;
}

static void mq_destroy(struct mq *q)
{
	free(q->buf);
	pthread_cond_destroy(&q->ready);
	pthread_mutex_destroy(&q->lock);
}

/* The queue is full: double it, oldest value first. Lock held. */
static void mq_grow(struct mq *q)
{
	uint64_t *buf = xmalloc(2 * q->cap * sizeof(*buf));
	size_t first = q->cap - q->head;

	memcpy(buf, &q->buf[q->head], first * sizeof(*buf));
	memcpy(&buf[first], q->buf, q->head * sizeof(*buf));
	free(q->buf);
	q->buf = buf;
	q->head = 0;
	q->cap *= 2;
}

static void mq_push(struct mq *q, uint64_t v)
{
	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap)
		mq_grow(q);
	q->buf[(q->head + q->len) & (q->cap - 1)] = v;
	/* One consumer, and it only sleeps on an empty queue. */
	if (q->len++ == 0)
		pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

static void mq_sender_done(struct mq *q)
{
	pthread_mutex_lock(&q->lock);
	if (--q->senders == 0)
		pthread_cond_signal(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

/* Take the oldest value into *v, waiting; 0 at end of stream. */
static int mq_pop(struct mq *q, uint64_t *v)
{
	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && q->senders != 0)
		pthread_cond_wait(&q->ready, &q->lock);
	if (q->len == 0) {
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	*v = q->buf[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->len--;
	pthread_mutex_unlock(&q->lock);
	return 1;
}

/* ---- liburcu wfcqueue ---------------------------------------------------- */

struct wnode {
	struct cds_wfcq_node node;
	uint64_t value;
};

/* Head (receiver) and tail (producers) on cache lines of their own. */
struct wq {
	_Alignas(64) struct __cds_wfcq_head head;
	_Alignas(64) struct cds_wfcq_tail tail;
	_Alignas(64) atomic_uint done; /* producers finished */
};

/* ---- reusable big arrays (wfcqueue nodes, the memory row) -------------- */

struct arena {
	void *mem;
	size_t size;
};

static struct arena node_arena, memory_arena;

/* At least size bytes, touched once so that no page fault is timed. */
static void *arena_get(struct arena *a, size_t size)
{
	if (a->size < size) {
		free(a->mem);
		a->mem = xmalloc(size);
		memset(a->mem, 0, size);
		a->size = size;
	}
	return a->mem;
}

static void arena_free(struct arena *a)
{
	free(a->mem);
	a->mem = NULL;
	a->size = 0;
}

/* ---- producers --------------------------------------------------------- */

struct producer {
	pthread_t thread;
	unsigned id;
	uint64_t count;
	struct gate *gate;
	spw_u64_sender *tx;  /* spillway rows */
	struct mq *mq;       /* mutex row */
	struct wq *wq;       /* wfcqueue row */
	struct wnode *nodes; /* wfcqueue row: count preallocated nodes */
	mc_producer *mc;     /* moodycamel rows */
	atomic_uint *done;   /* lock-free peers: end-of-stream count */
};

static void *send_main(void *arg)
{
	struct producer *pr = arg;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		check(spw_u64_send(pr->tx, make_value(pr->id, i)), "send");
	check(spw_u64_sender_close(pr->tx), "sender_close");
	return NULL;
}

static void *send_many_main(void *arg)
{
	struct producer *pr = arg;
	spw_u64_value batch[BATCH];
	uint64_t i = 0;
	size_t k, n;

	gate_wait(pr->gate);
	while (i < pr->count) {
		n = pr->count - i < BATCH ? (size_t)(pr->count - i) : BATCH;
		for (k = 0; k < n; k++)
			batch[k] = make_value(pr->id, i + k);
		check(spw_u64_send_many(pr->tx, batch, n), "send_many");
		i += n;
	}
	check(spw_u64_sender_close(pr->tx), "sender_close");
	return NULL;
}

static void *mutex_main(void *arg)
{
	struct producer *pr = arg;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		mq_push(pr->mq, make_value(pr->id, i));
	mq_sender_done(pr->mq);
	return NULL;
}

static void *wfcq_main(void *arg)
{
	struct producer *pr = arg;
	struct wq *q = pr->wq;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++) {
		pr->nodes[i].value = make_value(pr->id, i);
		cds_wfcq_enqueue(&q->head, &q->tail, &pr->nodes[i].node);
	}
	atomic_fetch_add_explicit(pr->done, 1, memory_order_release);
	return NULL;
}

static void *moody_main(void *arg)
{
	struct producer *pr = arg;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++)
		if (UNLIKELY(!mc_enqueue(pr->mc, make_value(pr->id, i))))
			die("moodycamel enqueue: out of memory");
	atomic_fetch_add_explicit(pr->done, 1, memory_order_release);
	return NULL;
}

static void *moody_bulk_main(void *arg)
{
	struct producer *pr = arg;
	uint64_t batch[BATCH];
	uint64_t i = 0;
	size_t k, n;

	gate_wait(pr->gate);
	while (i < pr->count) {
		n = pr->count - i < BATCH ? (size_t)(pr->count - i) : BATCH;
		for (k = 0; k < n; k++)
			batch[k] = make_value(pr->id, i + k);
		if (UNLIKELY(!mc_enqueue_bulk(pr->mc, batch, n)))
			die("moodycamel enqueue_bulk: out of memory");
		i += n;
	}
	atomic_fetch_add_explicit(pr->done, 1, memory_order_release);
	return NULL;
}

static struct producer *producers_new(const struct job *job, struct gate *g)
{
	struct producer *prs = xmalloc(job->producers * sizeof(*prs));
	unsigned p;

	memset(prs, 0, job->producers * sizeof(*prs));
	for (p = 0; p < job->producers; p++) {
		prs[p].id = p;
		prs[p].count = share(job, p);
		prs[p].gate = g;
	}
	return prs;
}

static void producers_start(struct producer *prs, unsigned n,
	void *(*fn)(void *))
{
	unsigned p;
	int rc;

	for (p = 0; p < n; p++) {
		rc = pthread_create(&prs[p].thread, NULL, fn, &prs[p]);
		if (rc != 0)
			die("pthread_create: %s", strerror(rc));
	}
}

static void producers_join(struct producer *prs, unsigned n)
{
	unsigned p;

	for (p = 0; p < n; p++)
		pthread_join(prs[p].thread, NULL);
}

/* ---- one timed repetition per row, each returns elapsed ns ------------- */

static uint64_t run_spillway(const struct job *job)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	const spw_u64_value *items;
	struct producer *prs;
	struct checker c;
	struct gate g;
	spw_status st;
	uint64_t t0, t1, v;
	static uint64_t buf[MC_RECV_BUF];
	size_t k, n;
	unsigned p;

	cfg.lanes = job->lanes;
	check(spw_u64_channel_with(&cfg, &tx, &rx), "channel_with");
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++)
		check(spw_u64_sender_clone(tx, &prs[p].tx), "sender_clone");
	check(spw_u64_sender_close(tx), "sender_close");
	checker_init(&c, job);
	producers_start(prs, job->producers,
			job->row == ROW_SEND_MANY ? send_many_main : send_main);

	t0 = gate_open(&g, job->producers);
	if (job->row == ROW_RECV_BATCH) {
		while ((st = spw_u64_recv_batch(rx, &items, &n)) == SPW_OK)
			for (k = 0; k < n; k++)
				checker_take(&c, items[k]);
	} else if (job->row == ROW_RECV_MANY || job->row == ROW_SEND_MANY) {
		while ((st = spw_u64_recv_many(rx, buf, MC_RECV_BUF, &n)) ==
		       SPW_OK)
			for (k = 0; k < n; k++)
				checker_take(&c, buf[k]);
	} else {
		while ((st = spw_u64_recv(rx, &v)) == SPW_OK)
			checker_take(&c, v);
	}
	t1 = now_ns();
	if (st != SPW_CLOSED)
		die("%s: receive: %s", row_name[job->row],
		    spw_status_str(st));

	producers_join(prs, job->producers);
	checker_finish(&c);
	check(spw_u64_receiver_close(rx), "receiver_close");
	free(prs);
	gate_destroy(&g);
	return t1 - t0;
}

static uint64_t run_mutex(const struct job *job)
{
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct mq q;
	uint64_t t0, t1, v;
	unsigned p;

	mq_init(&q, job->producers);
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++)
		prs[p].mq = &q;
	checker_init(&c, job);
	producers_start(prs, job->producers, mutex_main);

	t0 = gate_open(&g, job->producers);
	while (mq_pop(&q, &v))
		checker_take(&c, v);
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	free(prs);
	mq_destroy(&q);
	gate_destroy(&g);
	return t1 - t0;
}

static uint64_t run_wfcq(const struct job *job)
{
	struct wnode *nodes;
	struct cds_wfcq_node *node;
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct wq q;
	uint64_t t0, t1, i, off = 0;
	unsigned p, spins = 0;

	__cds_wfcq_init(&q.head, &q.tail);
	atomic_init(&q.done, 0);
	nodes = arena_get(&node_arena, job->values * sizeof(*nodes));
	for (i = 0; i < job->values; i++)
		cds_wfcq_node_init(&nodes[i].node);
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++) {
		prs[p].wq = &q;
		prs[p].done = &q.done;
		prs[p].nodes = &nodes[off];
		off += prs[p].count;
	}
	checker_init(&c, job);
	producers_start(prs, job->producers, wfcq_main);

	/* One receiver thread: the lock-free __ dequeue is allowed. */
	t0 = gate_open(&g, job->producers);
	for (;;) {
		node = __cds_wfcq_dequeue_nonblocking(&q.head, &q.tail);
		if (node != NULL && node != CDS_WFCQ_WOULDBLOCK) {
			checker_take(&c, caa_container_of(node, struct wnode,
							  node)->value);
			spins = 0;
			continue;
		}
		if (atomic_load_explicit(&q.done, memory_order_acquire) ==
		    job->producers) {
			/* Every enqueue is complete and visible: drain. */
			while ((node = __cds_wfcq_dequeue_nonblocking(
					&q.head, &q.tail)) != NULL) {
				if (node == CDS_WFCQ_WOULDBLOCK)
					die("wfcqueue: blocked after every "
					    "producer finished");
				checker_take(&c, caa_container_of(
					node, struct wnode, node)->value);
			}
			break;
		}
		idle_wait(&spins);
	}
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	free(prs);
	gate_destroy(&g);
	return t1 - t0;
}

static uint64_t run_moody(const struct job *job)
{
	uint64_t buf[MC_RECV_BUF];
	struct producer *prs;
	struct checker c;
	struct gate g;
	mc_queue *q;
	mc_consumer *cons;
	_Alignas(64) atomic_uint done;
	uint64_t t0, t1;
	size_t k, n;
	unsigned p, spins = 0;

	atomic_init(&done, 0);
	q = mc_queue_new();
	if (q == NULL)
		die("moodycamel: out of memory");
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++) {
		prs[p].mc = mc_producer_new(q);
		if (prs[p].mc == NULL)
			die("moodycamel: producer token: out of memory");
		prs[p].done = &done;
	}
	cons = mc_consumer_new(q);
	if (cons == NULL)
		die("moodycamel: consumer token: out of memory");
	checker_init(&c, job);
	producers_start(prs, job->producers,
			job->row == ROW_MOODY_BULK ? moody_bulk_main :
						     moody_main);

	t0 = gate_open(&g, job->producers);
	for (;;) {
		n = mc_try_dequeue_bulk(cons, buf, MC_RECV_BUF);
		if (n != 0) {
			for (k = 0; k < n; k++)
				checker_take(&c, buf[k]);
			spins = 0;
			continue;
		}
		if (atomic_load_explicit(&done, memory_order_acquire) ==
		    job->producers) {
			/* Every enqueue is complete and visible: drain. */
			while ((n = mc_try_dequeue_bulk(cons, buf,
							MC_RECV_BUF)) != 0)
				for (k = 0; k < n; k++)
					checker_take(&c, buf[k]);
			break;
		}
		idle_wait(&spins);
	}
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	mc_consumer_free(cons);
	for (p = 0; p < job->producers; p++)
		mc_producer_free(prs[p].mc);
	mc_queue_free(q);
	free(prs);
	gate_destroy(&g);
	return t1 - t0;
}

/*
 * The physical limit: one thread writes the values (interleaved across the
 * P producers, each producer's in order) into a large array, then reads
 * them back through the same checks; in chunks of MEM_CHUNK values.
 */
static uint64_t run_memory(const struct job *job)
{
	uint64_t chunk = job->values < MEM_CHUNK ? job->values : MEM_CHUNK;
	uint64_t *a = arena_get(&memory_arena, chunk * sizeof(*a));
	uint64_t t0, t1, done = 0, k, n, round = 0;
	unsigned p = 0;
	struct checker c;

	checker_init(&c, job);
	t0 = now_ns();
	while (done < job->values) {
		n = job->values - done < chunk ? job->values - done : chunk;
		for (k = 0; k < n; k++) {
			a[k] = make_value(p, round);
			if (++p == job->producers) {
				p = 0;
				round++;
			}
		}
		/* Keep the compiler from fusing writing and reading. */
		atomic_signal_fence(memory_order_seq_cst);
		for (k = 0; k < n; k++)
			checker_take(&c, a[k]);
		done += n;
	}
	t1 = now_ns();
	checker_finish(&c);
	return t1 - t0;
}

static uint64_t run_job(const struct job *job)
{
	switch (job->row) {
	case ROW_SEND:
	case ROW_SEND_MANY:
	case ROW_RECV_BATCH:
	case ROW_RECV_MANY:
		return run_spillway(job);
	case ROW_MUTEX:
		return run_mutex(job);
	case ROW_WFCQ:
		return run_wfcq(job);
	case ROW_MOODY:
	case ROW_MOODY_BULK:
		return run_moody(job);
	case ROW_MEMORY:
		return run_memory(job);
	case NROWS:
		break;
	}
	die("internal error: row %d", (int)job->row);
}

/* ---- sizing ------------------------------------------------------------ */

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* Values for a repetition of `want` seconds, from a run of n in t ns. */
static uint64_t scale_values(uint64_t n, uint64_t t, double want,
	unsigned producers)
{
	double v = (double)n * want / (t > 0 ? seconds(t) : 1e-9);

	if (v > (double)MAX_AUTO_VALUES)
		v = (double)MAX_AUTO_VALUES;
	if (v < (double)n)
		v = (double)n;
	return (uint64_t)v < producers ? producers : (uint64_t)v;
}

/*
 * Values per repetition for job->row: --values, the quick size, or
 * doubling runs until one takes min/4 and a scale-up to min * CAL_MARGIN.
 */
static uint64_t calibrate(const struct params *prm, struct job *job)
{
	uint64_t n = CAL_START, t;

	if (prm->values != 0)
		return prm->values;
	if (prm->quick)
		return QUICK_VALUES;
	for (;;) {
		job->values = n < job->producers ? job->producers : n;
		t = run_job(job);
		if (seconds(t) >= prm->min_seconds / 4 || n >= MAX_AUTO_VALUES)
			break;
		n *= seconds(t) < prm->min_seconds / 64 ? 8 : 2;
		if (n > MAX_AUTO_VALUES)
			n = MAX_AUTO_VALUES;
	}
	return scale_values(job->values, t,
			    prm->min_seconds * CAL_MARGIN, job->producers);
}

/* ---- statistics -------------------------------------------------------- */

struct summary {
	double median;   /* throughput, M msg/s */
	double min;
	double max;
	double latency;  /* ns/msg at the median */
	double stddev;   /* of ns/msg over the repetitions */
	double shortest; /* seconds, the shortest repetition */
};

struct result {
	int valid;
	uint64_t values;   /* per repetition: the latest size */
	uint64_t *elapsed; /* ns, one per repetition */
	uint64_t *sizes;   /* values, one per repetition */
	struct summary s;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Square root by Newton's method: the build does not link libm. */
static double root(double x)
{
	double r = x > 1 ? x : 1, prev = 0;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 200 && r != prev; i++) {
		prev = r;
		r = (r + x / r) / 2;
	}
	return r;
}

static void summarize(const uint64_t *elapsed, const uint64_t *sizes,
	unsigned reps, struct summary *s)
{
	double thr[MAX_REPS], mean = 0, var = 0, ns;
	uint64_t shortest = elapsed[0];
	unsigned i;

	for (i = 0; i < reps; i++) {
		ns = (double)elapsed[i] / (double)sizes[i];
		thr[i] = 1e3 / ns;
		mean += ns;
		if (elapsed[i] < shortest)
			shortest = elapsed[i];
	}
	mean /= reps;
	for (i = 0; i < reps; i++) {
		ns = (double)elapsed[i] / (double)sizes[i];
		var += (ns - mean) * (ns - mean);
	}
	s->stddev = reps > 1 ? root(var / (reps - 1)) : 0;
	s->shortest = seconds(shortest);

	qsort(thr, reps, sizeof(thr[0]), cmp_double);
	s->median = reps % 2 ? thr[reps / 2] :
			       (thr[reps / 2 - 1] + thr[reps / 2]) / 2;
	s->min = thr[0];
	s->max = thr[reps - 1];
	s->latency = 1e3 / s->median;
}

/* ---- the report -------------------------------------------------------- */

/* The rows every other row is compared with, in column order. */
static const enum row_id peer_cols[] = {
	ROW_MUTEX, ROW_WFCQ, ROW_MOODY, ROW_MOODY_BULK
};
static const char *const peer_col_name[] = {
	"vs mutex", "vs wfcq", "vs moody", "vs moody bulk"
};
#define NPEERS (sizeof(peer_cols) / sizeof(peer_cols[0]))

static size_t lanes_for(const struct params *prm, unsigned producers)
{
	return prm->lanes != 0 ? prm->lanes : producers;
}

static void print_header(const struct params *prm)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i;

	printf("channel: P producers -> 1 receiver, u64 values, P = ");
	for (i = 0; i < prm->nplist; i++)
		printf("%s%u", i ? "," : "", prm->plist[i]);
	if (prm->lanes == 0)
		printf("; spillway lanes auto (= P, one lane per producer)");
	else
		printf("; spillway lanes %zu", prm->lanes);
	if (prm->values != 0)
		printf("; %llu values per repetition",
		       (unsigned long long)prm->values);
	else if (prm->quick)
		printf("; --quick: %d values per repetition", QUICK_VALUES);
	else
		printf("; values sized per row for >= %.2f s per repetition",
		       prm->min_seconds);
	printf("; %u repetitions (+%u warm-up) per row; moodycamel receiver "
	       "try_dequeue_bulk(%d); %ld CPUs online",
	       prm->reps, prm->warmup, MC_RECV_BUF, cpus);
#ifdef __VERSION__
	printf("; compiler %s", __VERSION__);
#endif
	printf("\n");
}

static void print_ratio(const struct result *res, enum row_id r,
	enum row_id peer)
{
	if (res[peer].valid)
		printf(" %.2fx |", res[r].s.median / res[peer].s.median);
	else
		printf(" - |");
}

static void print_table(const struct params *prm, unsigned producers,
	const struct result *res)
{
	size_t i;
	int r;

	printf("\n### P = %u producer%s (spillway lanes: %zu)\n\n", producers,
	       producers == 1 ? "" : "s", lanes_for(prm, producers));
	printf("| implementation | M msg/s | ns/msg | std dev (ns) | min | max |");
	for (i = 0; i < NPEERS; i++)
		printf(" %s |", peer_col_name[i]);
	printf(" values/rep | shortest rep (s) |\n|-|-|-|-|-|-|");
	for (i = 0; i < NPEERS; i++)
		printf("-|");
	printf("-|-|\n");
	for (r = 0; r < NROWS; r++) {
		const struct summary *s = &res[r].s;

		if (!res[r].valid)
			continue;
		printf("| %s | %.1f | %.2f | %.2f | %.1f | %.1f |",
		       row_name[r], s->median, s->latency, s->stddev, s->min,
		       s->max);
		for (i = 0; i < NPEERS; i++)
			print_ratio(res, r, peer_cols[i]);
		printf(" %llu | %.2f |\n", (unsigned long long)res[r].values,
		       s->shortest);
	}
	fflush(stdout);
}

static void print_footer(void)
{
	printf("\nM msg/s, min, max: millions of messages per second (median, "
	       "slowest, fastest repetition);\n"
	       "ns/msg: at the median (1 / throughput), wall time per message "
	       "with all producers sending;\n"
	       "std dev: of ns/msg over the repetitions; vs X: median / X's "
	       "median in the same run.\n"
	       "Every value was checked in every row (per-producer order, "
	       "count, exact sum).\n");
}

/* ratio of rows a / b at one P, or 0 when either is missing. */
static double ratio(const struct result *res, enum row_id a, enum row_id b)
{
	if (!res[a].valid || !res[b].valid)
		return 0;
	return res[a].s.median / res[b].s.median;
}

static void print_target(double got, double want)
{
	if (got == 0)
		printf(" - |");
	else
		printf(" %.2fx %s |", got, got >= want ? "met" : "MISSED");
}

static void print_targets(const struct params *prm,
	struct result (*res)[NROWS])
{
	unsigned i, met = 0, total = 0;
	double x;

	printf("\n### Targets\n\n"
	       "| P | send + recv_many / moodycamel per message (>= 1.0) "
	       "| send_many(32) / moodycamel bulk-32 (>= 1.5) "
	       "| send / mutex+condvar at P = 16 (>= 10) |\n|-|-|-|-|\n");
	for (i = 0; i < prm->nplist; i++) {
		printf("| %u |", prm->plist[i]);
		x = ratio(res[i], ROW_RECV_MANY, ROW_MOODY);
		print_target(x, 1.0);
		total += x != 0;
		met += x >= 1.0;
		x = ratio(res[i], ROW_SEND_MANY, ROW_MOODY_BULK);
		print_target(x, 1.5);
		total += x != 0;
		met += x >= 1.5;
		x = prm->plist[i] == 16 ? ratio(res[i], ROW_SEND, ROW_MUTEX) : 0;
		print_target(x, 10.0);
		total += x != 0;
		met += x >= 10.0;
		printf("\n");
	}
	printf("\n%u of %u targets met.\n", met, total);
}

/* ---- CSV and plot ------------------------------------------------------ */

static void write_csv(const struct params *prm, struct result (*res)[NROWS])
{
	FILE *f = fopen(prm->csv, "w");
	unsigned i, k;
	size_t j;
	int r;

	if (f == NULL)
		die("%s: %s", prm->csv, strerror(errno));
	fprintf(f, "producers,row,implementation,lanes,values_per_rep,reps,"
		   "median_mmsg_s,ns_per_msg,stddev_ns,min_mmsg_s,max_mmsg_s,"
		   "shortest_rep_s,vs_mutex,vs_wfcq,vs_moody,vs_moody_bulk,"
		   "rep_ns,rep_values\n");
	for (i = 0; i < prm->nplist; i++) {
		for (r = 0; r < NROWS; r++) {
			const struct result *x = &res[i][r];

			if (!x->valid)
				continue;
			fprintf(f, "%u,%s,\"%s\",%zu,%llu,%u,%.3f,%.3f,%.3f,"
				   "%.3f,%.3f,%.3f",
				prm->plist[i], row_key[r], row_name[r],
				lanes_for(prm, prm->plist[i]),
				(unsigned long long)x->values, prm->reps,
				x->s.median, x->s.latency, x->s.stddev,
				x->s.min, x->s.max, x->s.shortest);
			for (j = 0; j < NPEERS; j++) {
				double q = ratio(res[i], r, peer_cols[j]);

				if (q != 0)
					fprintf(f, ",%.3f", q);
				else
					fprintf(f, ",");
			}
			fprintf(f, ",");
			for (k = 0; k < prm->reps; k++)
				fprintf(f, "%s%llu", k ? ";" : "",
					(unsigned long long)x->elapsed[k]);
			fprintf(f, ",");
			for (k = 0; k < prm->reps; k++)
				fprintf(f, "%s%llu", k ? ";" : "",
					(unsigned long long)x->sizes[k]);
			fprintf(f, "\n");
		}
	}
	if (fclose(f) != 0)
		die("%s: %s", prm->csv, strerror(errno));
	progress("wrote %s", prm->csv);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Write a gnuplot script next to the plot (FILE with its extension
 * replaced by .gp) and run gnuplot on it: throughput against P, one line
 * per row, bars from the slowest to the fastest repetition.
 */
static int write_plot(const struct params *prm, struct result (*res)[NROWS])
{
	char script[4096];
	const char *dot = strrchr(prm->plot, '.'), *slash;
	char *argv[3];
	size_t base;
	FILE *f;
	pid_t pid;
	unsigned i;
	int r, first = 1, status, rc;

	slash = strrchr(prm->plot, '/');
	base = dot != NULL && (slash == NULL || dot > slash) ?
		       (size_t)(dot - prm->plot) :
		       strlen(prm->plot);
	if (base + 4 >= sizeof(script))
		die("--plot: path too long");
	if (strchr(prm->plot, '\'') != NULL)
		die("--plot: the path may not contain a quote");
	memcpy(script, prm->plot, base);
	strcpy(script + base, ".gp");

	f = fopen(script, "w");
	if (f == NULL)
		die("%s: %s", script, strerror(errno));
	fprintf(f, "# Written by bench/channel.c; run: gnuplot %s\n", script);
	if (ends_with(prm->plot, ".svg"))
		fprintf(f, "set terminal svg size 1000,640 dynamic "
			   "background rgb 'white'\n");
	else
		fprintf(f, "set terminal pngcairo size 1000,640\n");
	fprintf(f, "set termoption noenhanced\n"); /* send_many: no subscript */
	fprintf(f, "set output '%s'\n"
		   "set title 'Spillway channel benchmark: P producers -> 1 "
		   "receiver, u64 (median; bars: min..max)'\n"
		   "set xlabel 'producer threads P'\n"
		   "set ylabel 'million messages per second'\n"
		   "set logscale x 2\nset logscale y 10\n"
		   "set grid\nset key outside right top\n"
		   "set xrange [%g:%g]\nset xtics (",
		prm->plot, prm->plist[0] / 1.3,
		prm->plist[prm->nplist - 1] * 1.3);
	for (i = 0; i < prm->nplist; i++)
		fprintf(f, "%s%u", i ? ", " : "", prm->plist[i]);
	fprintf(f, ")\n");
	for (r = 0; r < NROWS; r++) {
		fprintf(f, "$%s << EOD\n", row_key[r]);
		for (i = 0; i < prm->nplist; i++)
			if (res[i][r].valid)
				fprintf(f, "%u %.4f %.4f %.4f\n",
					prm->plist[i], res[i][r].s.median,
					res[i][r].s.min, res[i][r].s.max);
		fprintf(f, "EOD\n");
	}
	fprintf(f, "plot ");
	for (r = 0; r < NROWS; r++) {
		if (!res[0][r].valid)
			continue;
		fprintf(f, "%s$%s using 1:2:3:4 with yerrorlines lw 2 pt 7 "
			   "title '%s'",
			first ? "" : ", \\\n     ", row_key[r], row_name[r]);
		first = 0;
	}
	fprintf(f, "\n");
	if (fclose(f) != 0)
		die("%s: %s", script, strerror(errno));

	argv[0] = "gnuplot";
	argv[1] = script;
	argv[2] = NULL;
	rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot run gnuplot (%s); the script is "
				"%s\n", prog, strerror(rc), script);
		return 1;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: gnuplot failed on %s\n", prog, script);
		return 1;
	}
	progress("wrote %s (script %s)", prm->plot, script);
	return 0;
}

/* ---- flags ------------------------------------------------------------- */

static void usage(FILE *f)
{
	int r;

	fprintf(f,
		"usage: %s [flags]\n"
		"\n"
		"P producer threads send u64 values to one receiver, for each P\n"
		"of a list and each row; every value is checked. Prints one\n"
		"markdown table per P and a targets summary to stdout, progress\n"
		"to stderr.\n"
		"\n"
		"  --producers LIST  producer counts, e.g. 1,2,4,16 (default)\n"
		"  --values N        values per repetition, all producers "
		"together;\n"
		"                    default: sized per row and P for "
		"--min-seconds\n"
		"  --min-seconds S   shortest repetition when sizing "
		"(default %.1f)\n"
		"  --reps R          timed repetitions (default %d)\n"
		"  --warmup W        untimed runs before them (default %d)\n"
		"  --lanes L|auto    spillway lanes (spw_config.lanes); auto: "
		"P (default)\n"
		"  --rows LIST       comma-separated rows (default all); also "
		"the groups\n"
		"                    spillway, peers, all. Rows:",
		prog, DEFAULT_MIN_SECONDS, DEFAULT_REPS, DEFAULT_WARMUP);
	for (r = 0; r < NROWS; r++)
		fprintf(f, "%s%s", r % 4 == 0 ? "\n                     " : " ",
			row_key[r]);
	fprintf(f,
		"\n"
		"  --csv FILE        also write the results as CSV\n"
		"  --plot FILE       also plot throughput against P with "
		"gnuplot\n"
		"                    (.png or .svg; the script goes to FILE.gp)\n"
		"  --quick           small sizes for tests: %d values, --reps %d"
		" --warmup %d\n"
		"                    (explicit flags still win)\n"
		"  --help            this text\n",
		QUICK_VALUES, QUICK_REPS, QUICK_WARMUP);
}

static _Noreturn void bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

static uint64_t parse_uint(const char *flag, const char *s, uint64_t min,
	uint64_t max)
{
	unsigned long long v;
	char *end;

	if (s == NULL)
		bad_usage("%s needs a value", flag);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min ||
	    v > max)
		bad_usage("%s: '%s' is not a number in %llu..%llu", flag, s,
			  (unsigned long long)min, (unsigned long long)max);
	return v;
}

static double parse_seconds(const char *flag, const char *s)
{
	double v;
	char *end;

	if (s == NULL)
		bad_usage("%s needs a value", flag);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= 60))
		bad_usage("%s: '%s' is not a number of seconds in 0..60", flag,
			  s);
	return v;
}

/* Copy a comma-separated list into buf for strtok_r. */
static void list_copy(char *buf, size_t size, const char *flag,
	const char *list)
{
	if (list == NULL)
		bad_usage("%s needs a value", flag);
	if (strlen(list) >= size)
		bad_usage("%s: list too long", flag);
	strcpy(buf, list);
}

static void parse_producers(struct params *prm, const char *list)
{
	char buf[256], *tok, *save = NULL;

	list_copy(buf, sizeof(buf), "--producers", list);
	prm->nplist = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (prm->nplist == MAX_PLIST)
			bad_usage("--producers: at most %d counts", MAX_PLIST);
		prm->plist[prm->nplist++] =
			parse_uint("--producers", tok, 1, MAX_PRODUCERS);
	}
	if (prm->nplist == 0)
		bad_usage("--producers: no count given");
}

static void parse_rows(struct params *prm, const char *list)
{
	char buf[256], *tok, *save = NULL;
	int r, found;

	list_copy(buf, sizeof(buf), "--rows", list);
	memset(prm->row_on, 0, sizeof(prm->row_on));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		found = 0;
		for (r = 0; r < NROWS; r++)
			if (strcmp(tok, row_key[r]) == 0 ||
			    strcmp(tok, "all") == 0 ||
			    (strcmp(tok, "spillway") == 0 &&
			     r <= ROW_RECV_MANY) ||
			    (strcmp(tok, "peers") == 0 && r >= ROW_MUTEX &&
			     r <= ROW_MOODY_BULK))
				prm->row_on[r] = found = 1;
		if (!found)
			bad_usage("--rows: unknown row '%s'", tok);
	}
	for (r = 0; r < NROWS && !prm->row_on[r]; r++)
		;
	if (r == NROWS)
		bad_usage("--rows: no row chosen");
}

static void parse_args(int argc, char **argv, struct params *prm)
{
	int i, set_reps = 0, set_warmup = 0, r;

	memset(prm, 0, sizeof(*prm));
	prm->plist[0] = 1;
	prm->plist[1] = 2;
	prm->plist[2] = 4;
	prm->plist[3] = 16;
	prm->nplist = 4;
	prm->min_seconds = DEFAULT_MIN_SECONDS;
	prm->reps = DEFAULT_REPS;
	prm->warmup = DEFAULT_WARMUP;
	for (r = 0; r < NROWS; r++)
		prm->row_on[r] = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = argv[i + 1];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--quick") == 0) {
			prm->quick = 1;
			continue;
		} else if (strcmp(a, "--producers") == 0) {
			parse_producers(prm, v);
		} else if (strcmp(a, "--values") == 0) {
			prm->values = parse_uint(a, v, 1, MAX_VALUES);
		} else if (strcmp(a, "--min-seconds") == 0) {
			prm->min_seconds = parse_seconds(a, v);
		} else if (strcmp(a, "--reps") == 0) {
			prm->reps = parse_uint(a, v, 1, MAX_REPS);
			set_reps = 1;
		} else if (strcmp(a, "--warmup") == 0) {
			prm->warmup = parse_uint(a, v, 0, MAX_REPS);
			set_warmup = 1;
		} else if (strcmp(a, "--lanes") == 0) {
			prm->lanes = v != NULL && strcmp(v, "auto") == 0 ?
					     0 :
					     parse_uint(a, v, 1, SPW_MAX_LANES);
		} else if (strcmp(a, "--rows") == 0) {
			parse_rows(prm, v);
		} else if (strcmp(a, "--csv") == 0) {
			if (v == NULL)
				bad_usage("--csv needs a file");
			prm->csv = v;
		} else if (strcmp(a, "--plot") == 0) {
			if (v == NULL)
				bad_usage("--plot needs a file");
			prm->plot = v;
		} else {
			bad_usage("unknown flag '%s'", a);
		}
		i++; /* the flag's value */
	}
	if (prm->quick && !set_reps)
		prm->reps = QUICK_REPS;
	if (prm->quick && !set_warmup)
		prm->warmup = QUICK_WARMUP;
	for (i = 0; i < (int)prm->nplist; i++)
		if (prm->values != 0 && prm->values < prm->plist[i])
			bad_usage("--values %llu: fewer than %u producers",
				  (unsigned long long)prm->values,
				  prm->plist[i]);
}

/* ---- main -------------------------------------------------------------- */

static void progress_rep(const char *what, unsigned producers,
	const struct result *res, unsigned rep)
{
	char line[1024];
	size_t len = 0;
	int r;

	for (r = 0; r < NROWS && len < sizeof(line) - 64; r++)
		if (res[r].valid)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
				"%s%s %.1f", len ? " | " : "", row_key[r],
				(double)res[r].sizes[rep] * 1e3 /
					(double)res[r].elapsed[rep]);
	progress("P=%u %s: %s M msg/s", producers, what, line);
}

/* Every row at one P: sizing, warm-up, then the repetitions in turns. */
static void measure(const struct params *prm, unsigned producers,
	struct result *res)
{
	struct job job;
	unsigned rep, tries;
	uint64_t t;
	int r;

	job.producers = producers;
	job.lanes = lanes_for(prm, producers);
	for (r = 0; r < NROWS; r++) {
		res[r].valid = 0;
		if (!prm->row_on[r])
			continue;
		res[r].elapsed = xmalloc(prm->reps * sizeof(*res[r].elapsed));
		res[r].sizes = xmalloc(prm->reps * sizeof(*res[r].sizes));
		job.row = r;
		res[r].values = calibrate(prm, &job);
		if (prm->values == 0 && !prm->quick)
			progress("P=%u %s: %llu values per repetition",
				 producers, row_key[r],
				 (unsigned long long)res[r].values);
	}

	for (rep = 0; rep < prm->warmup; rep++) {
		uint64_t resized[NROWS];

		for (r = 0; r < NROWS; r++) {
			if (!prm->row_on[r])
				continue;
			job.row = r;
			job.values = resized[r] = res[r].values;
			t = run_job(&job);
			res[r].elapsed[0] = t;
			res[r].sizes[0] = job.values;
			res[r].valid = 1;
			/* Too short, or without margin: size up again. */
			if (prm->values == 0 && !prm->quick &&
			    seconds(t) < prm->min_seconds * 1.1)
				resized[r] = scale_values(
					job.values, t,
					prm->min_seconds * CAL_MARGIN,
					producers);
		}
		progress_rep("warm-up", producers, res, 0);
		for (r = 0; r < NROWS; r++)
			if (prm->row_on[r] && resized[r] != res[r].values) {
				progress("P=%u %s: resized to %llu values",
					 producers, row_key[r],
					 (unsigned long long)resized[r]);
				res[r].values = resized[r];
			}
	}

	for (rep = 0; rep < prm->reps; rep++) {
		for (r = 0; r < NROWS; r++) {
			if (!prm->row_on[r])
				continue;
			job.row = r;
			for (tries = 0;; tries++) {
				job.values = res[r].values;
				t = run_job(&job);
				if (prm->values != 0 || prm->quick ||
				    seconds(t) >= prm->min_seconds ||
				    tries == MAX_RESIZES)
					break;
				res[r].values = scale_values(
					job.values, t,
					prm->min_seconds * CAL_MARGIN,
					producers);
				progress("P=%u %s: %.2f s is too short; "
					 "again with %llu values", producers,
					 row_key[r], seconds(t),
					 (unsigned long long)res[r].values);
			}
			res[r].elapsed[rep] = t;
			res[r].sizes[rep] = job.values;
			res[r].valid = 1;
		}
		{
			char what[64];

			snprintf(what, sizeof(what), "rep %u/%u", rep + 1,
				 prm->reps);
			progress_rep(what, producers, res, rep);
		}
	}
	for (r = 0; r < NROWS; r++)
		if (res[r].valid)
			summarize(res[r].elapsed, res[r].sizes, prm->reps,
				  &res[r].s);
}

int main(int argc, char **argv)
{
	static struct result res[MAX_PLIST][NROWS];
	struct params prm;
	unsigned i;
	int r, rc = 0;

	t_start = now_ns();
	parse_args(argc, argv, &prm);
	print_header(&prm);
	fflush(stdout);

	for (i = 0; i < prm.nplist; i++) {
		measure(&prm, prm.plist[i], res[i]);
		print_table(&prm, prm.plist[i], res[i]);
	}
	print_footer();
	print_targets(&prm, res);
	fflush(stdout);

	if (prm.csv != NULL)
		write_csv(&prm, res);
	if (prm.plot != NULL)
		rc = write_plot(&prm, res);
	progress("done");

	for (i = 0; i < prm.nplist; i++)
		for (r = 0; r < NROWS; r++)
		{
			free(res[i][r].elapsed);
			free(res[i][r].sizes);
		}
	arena_free(&node_arena);
	arena_free(&memory_arena);
	return rc;
}
