/*
 * channel.c - the seed's `channel` benchmark, for Spillway for C.
 *
 * What is measured: P producer threads (default 16, as in the Rust seed)
 * share N u64 values between them and send them to one receiver, the main
 * thread, which takes them one at a time until end of stream. Rows:
 *
 *   spillway send           each producer has its own sender (a clone) and
 *                           calls spw_u64_send once per value
 *   spillway send_many(32)  the same, but the values go in arrays of 32
 *                           through spw_u64_send_many (the rest in one call)
 *   mutex+condvar           the queue a C programmer writes by hand: a
 *                           growable ring buffer behind one pthread mutex
 *                           and one condvar, one value per lock round trip
 *
 * In every row the receiver takes one value per call (spw_u64_recv, or one
 * pop of the mutex queue).
 *
 * The clock (CLOCK_MONOTONIC) starts when every producer thread exists and
 * waits at a start gate, and stops when the receiver sees end of stream
 * (every producer finished and every value received). Creating threads and
 * channels and tearing them down is outside the timed region.
 *
 * Every received value is checked. Producer p sends (p << 40) | i for
 * i = 0, 1, ..., so the receiver checks that each producer's values arrive
 * exactly in order, without gaps or duplicates. It then checks the total
 * count and the exact sum (mod 2^64). Any mismatch, and any send or receive
 * status other than the expected one, is fatal (exit 1).
 *
 * Reported per row, over R repetitions (after W untimed warm-up runs):
 *   throughput  median, in millions of messages per second
 *   latency     ns per message at that median (1 / throughput). This is
 *               wall time per message with all producers sending, as in the
 *               seed's table, and not a round trip.
 *   std dev     of ns per message over the repetitions
 *   min, max    throughput
 *   vs mutex    median throughput / mutex+condvar's, measured in the same run
 *
 * Run from the repository root:
 *
 *   gcc -std=c11 -O2 -Iruntime -Igenerated bench/channel.c \
 *       generated/spillway_u64.c runtime/spillway_runtime.c -pthread \
 *       -o /tmp/channel_bench && /tmp/channel_bench
 *   bazel run //bench:channel -- --producers 4 --reps 10
 *
 * --help lists the flags. --quick uses small sizes; the test uses it.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, sysconf */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spillway_u64.h"

#if defined(__GNUC__) || defined(__clang__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define UNLIKELY(x) (x)
#endif

/* A value is (producer << VALUE_SHIFT) | index. */
#define VALUE_SHIFT 40
#define INDEX_MASK (((uint64_t)1 << VALUE_SHIFT) - 1)

#define MAX_PRODUCERS 1024
#define MAX_VALUES INDEX_MASK
#define MAX_REPS 1000
#define BATCH 32

#define DEFAULT_PRODUCERS 16
#define DEFAULT_VALUES 8000000
#define DEFAULT_REPS 5
#define DEFAULT_WARMUP 1
#define QUICK_VALUES 200000
#define QUICK_REPS 3
#define QUICK_WARMUP 0

static const char *prog = "channel";

/* ---- errors ------------------------------------------------------------ */

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;

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

/* ---- parameters -------------------------------------------------------- */

enum row_id { ROW_SEND, ROW_SEND_MANY, ROW_MUTEX, NROWS };

static const char *const row_key[NROWS] = { "send", "send_many", "mutex" };
static const char *const row_name[NROWS] = {
	"spillway send", "spillway send_many(32)", "mutex+condvar"
};

struct params {
	unsigned producers;
	uint64_t values; /* total per repetition */
	unsigned reps;
	unsigned warmup;
	size_t lanes;
	int row_on[NROWS];
};

/* How many of the values producer p sends. */
static uint64_t share(const struct params *prm, unsigned p)
{
	return prm->values / prm->producers +
	       (p < prm->values % prm->producers ? 1 : 0);
}

static uint64_t make_value(unsigned p, uint64_t i)
{
	return (uint64_t)p << VALUE_SHIFT | i;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the receiver's checks --------------------------------------------- */

struct checker {
	const struct params *prm;
	const char *row;
	uint64_t *next; /* per producer: the index expected next */
	uint64_t count;
	uint64_t sum;   /* mod 2^64 */
};

static void checker_init(struct checker *c, const struct params *prm,
	const char *row)
{
	c->prm = prm;
	c->row = row;
	c->next = xmalloc(prm->producers * sizeof(*c->next));
	memset(c->next, 0, prm->producers * sizeof(*c->next));
	c->count = 0;
	c->sum = 0;
}

static _Noreturn void bad_value(const struct checker *c, uint64_t v)
{
	uint64_t p = v >> VALUE_SHIFT;

	if (p >= c->prm->producers)
		die("%s: received %#llx from no producer (value %llu)", c->row,
		    (unsigned long long)v, (unsigned long long)c->count);
	die("%s: producer %llu: expected index %llu, received %llu "
	    "(out of order, lost or duplicated)", c->row,
	    (unsigned long long)p, (unsigned long long)c->next[p],
	    (unsigned long long)(v & INDEX_MASK));
}

static inline void checker_take(struct checker *c, uint64_t v)
{
	uint64_t p = v >> VALUE_SHIFT;

	if (UNLIKELY(p >= c->prm->producers ||
		     (v & INDEX_MASK) != c->next[p]))
		bad_value(c, v);
	c->next[p]++;
	c->count++;
	c->sum += v;
}

/* Sum of every value sent in one repetition, mod 2^64. */
static uint64_t expected_sum(const struct params *prm)
{
	uint64_t sum = 0, n, tri;
	unsigned p;

	for (p = 0; p < prm->producers; p++) {
		n = share(prm, p);
		/* 0 + 1 + ... + (n - 1), halving before the multiply. */
		tri = n % 2 == 0 ? n / 2 * (n - 1) : (n - 1) / 2 * n;
		sum += make_value(p, 0) * n + tri;
	}
	return sum;
}

static void checker_finish(struct checker *c)
{
	const struct params *prm = c->prm;
	unsigned p;

	if (c->count != prm->values)
		die("%s: received %llu values, expected %llu", c->row,
		    (unsigned long long)c->count,
		    (unsigned long long)prm->values);
	for (p = 0; p < prm->producers; p++)
		if (c->next[p] != share(prm, p))
			die("%s: producer %u: received %llu values, sent %llu",
			    c->row, p, (unsigned long long)c->next[p],
			    (unsigned long long)share(prm, p));
	if (c->sum != expected_sum(prm))
		die("%s: sum %llu, expected %llu", c->row,
		    (unsigned long long)c->sum,
		    (unsigned long long)expected_sum(prm));
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

/* ---- producers --------------------------------------------------------- */

struct producer {
	pthread_t thread;
	unsigned id;
	uint64_t count;
	struct gate *gate;
	spw_u64_sender *tx; /* spillway rows */
	struct mq *q;       /* mutex row */
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
		mq_push(pr->q, make_value(pr->id, i));
	mq_sender_done(pr->q);
	return NULL;
}

static struct producer *producers_new(const struct params *prm,
	struct gate *g)
{
	struct producer *prs = xmalloc(prm->producers * sizeof(*prs));
	unsigned p;

	memset(prs, 0, prm->producers * sizeof(*prs));
	for (p = 0; p < prm->producers; p++) {
		prs[p].id = p;
		prs[p].count = share(prm, p);
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
	free(prs);
}

/* ---- one timed run per row --------------------------------------------- */

/* One repetition of a spillway row; returns the elapsed nanoseconds. */
static uint64_t run_spillway(const struct params *prm, enum row_id row)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	struct producer *prs;
	struct checker c;
	struct gate g;
	spw_status st;
	uint64_t t0, t1, v;
	unsigned p;

	cfg.lanes = prm->lanes;
	check(spw_u64_channel_with(&cfg, &tx, &rx), "channel_with");
	gate_init(&g);
	prs = producers_new(prm, &g);
	for (p = 0; p < prm->producers; p++)
		check(spw_u64_sender_clone(tx, &prs[p].tx), "sender_clone");
	check(spw_u64_sender_close(tx), "sender_close");
	checker_init(&c, prm, row_name[row]);
	producers_start(prs, prm->producers,
			row == ROW_SEND ? send_main : send_many_main);

	t0 = gate_open(&g, prm->producers);
	while ((st = spw_u64_recv(rx, &v)) == SPW_OK)
		checker_take(&c, v);
	t1 = now_ns();
	if (st != SPW_CLOSED)
		die("%s: recv: %s", row_name[row], spw_status_str(st));

	producers_join(prs, prm->producers);
	checker_finish(&c);
	check(spw_u64_receiver_close(rx), "receiver_close");
	gate_destroy(&g);
	return t1 - t0;
}

/* One repetition of the mutex+condvar row; returns elapsed nanoseconds. */
static uint64_t run_mutex(const struct params *prm)
{
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct mq q;
	uint64_t t0, t1, v;
	unsigned p;

	mq_init(&q, prm->producers);
	gate_init(&g);
	prs = producers_new(prm, &g);
	for (p = 0; p < prm->producers; p++)
		prs[p].q = &q;
	checker_init(&c, prm, row_name[ROW_MUTEX]);
	producers_start(prs, prm->producers, mutex_main);

	t0 = gate_open(&g, prm->producers);
	while (mq_pop(&q, &v))
		checker_take(&c, v);
	t1 = now_ns();

	producers_join(prs, prm->producers);
	checker_finish(&c);
	mq_destroy(&q);
	gate_destroy(&g);
	return t1 - t0;
}

static uint64_t run_row(const struct params *prm, enum row_id row)
{
	return row == ROW_MUTEX ? run_mutex(prm) : run_spillway(prm, row);
}

/* ---- statistics -------------------------------------------------------- */

struct summary {
	double median;  /* throughput, M msg/s */
	double min;
	double max;
	double latency; /* ns/msg at the median */
	double stddev;  /* of ns/msg over the repetitions */
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

static void summarize(const uint64_t *elapsed, unsigned reps,
	uint64_t values, struct summary *s)
{
	double thr[MAX_REPS], mean = 0, var = 0, ns;
	unsigned i;

	for (i = 0; i < reps; i++) {
		ns = (double)elapsed[i] / (double)values;
		thr[i] = 1e3 / ns;
		mean += ns;
	}
	mean /= reps;
	for (i = 0; i < reps; i++) {
		ns = (double)elapsed[i] / (double)values;
		var += (ns - mean) * (ns - mean);
	}
	s->stddev = reps > 1 ? root(var / (reps - 1)) : 0;

	qsort(thr, reps, sizeof(thr[0]), cmp_double);
	s->median = reps % 2 ? thr[reps / 2] :
			       (thr[reps / 2 - 1] + thr[reps / 2]) / 2;
	s->min = thr[0];
	s->max = thr[reps - 1];
	s->latency = 1e3 / s->median;
}

/* ---- the report -------------------------------------------------------- */

static void print_header(const struct params *prm)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	printf("channel: %u producers, 1 receiver, u64, %zu lanes, "
	       "%llu values per repetition, %u repetitions "
	       "(+%u warm-up), %ld CPUs online\n\n",
	       prm->producers, prm->lanes, (unsigned long long)prm->values,
	       prm->reps, prm->warmup, cpus);
}

static void print_table(const struct params *prm,
	uint64_t *const elapsed[NROWS])
{
	struct summary s[NROWS];
	int r;

	for (r = 0; r < NROWS; r++)
		if (prm->row_on[r])
			summarize(elapsed[r], prm->reps, prm->values, &s[r]);

	printf("| implementation | throughput (M msg/s) | latency (ns/msg) "
	       "| std dev (ns) | min | max | vs mutex+condvar |\n");
	printf("|-|-|-|-|-|-|-|\n");
	for (r = 0; r < NROWS; r++) {
		if (!prm->row_on[r])
			continue;
		printf("| %s | %.1f | %.1f | %.2f | %.1f | %.1f | ",
		       row_name[r], s[r].median, s[r].latency, s[r].stddev,
		       s[r].min, s[r].max);
		if (prm->row_on[ROW_MUTEX])
			printf("%.2fx |\n", s[r].median / s[ROW_MUTEX].median);
		else
			printf("- |\n");
	}
	printf("\nthroughput and min/max: millions of messages per second; "
	       "latency: ns per message at the median (1 / throughput);\n"
	       "std dev: of ns per message over the repetitions. "
	       "Every value was checked (per-producer order, count, sum).\n");
}

/* ---- flags ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [flags]\n"
		"\n"
		"P producer threads send N u64 values in total to one receiver;\n"
		"prints throughput, latency and std dev as a markdown table.\n"
		"\n"
		"  --producers P   producer threads (default %d)\n"
		"  --values N      values per repetition, all producers "
		"together (default %d)\n"
		"  --reps R        timed repetitions (default %d)\n"
		"  --warmup W      untimed runs before them (default %d)\n"
		"  --lanes L       spillway lanes, spw_config.lanes "
		"(default %d)\n"
		"  --rows LIST     comma-separated rows among send,send_many,"
		"mutex (default all)\n"
		"  --quick         small sizes for tests: --values %d --reps %d "
		"--warmup %d\n"
		"                  (explicit flags still win)\n"
		"  --help          this text\n",
		prog, DEFAULT_PRODUCERS, DEFAULT_VALUES, DEFAULT_REPS,
		DEFAULT_WARMUP, SPW_DEFAULT_LANES, QUICK_VALUES, QUICK_REPS,
		QUICK_WARMUP);
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

static void parse_rows(struct params *prm, const char *list)
{
	char buf[256], *tok, *save = NULL;
	int r, found;

	if (list == NULL)
		bad_usage("--rows needs a value");
	if (strlen(list) >= sizeof(buf))
		bad_usage("--rows: list too long");
	strcpy(buf, list);
	memset(prm->row_on, 0, sizeof(prm->row_on));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		found = 0;
		for (r = 0; r < NROWS; r++)
			if (strcmp(tok, row_key[r]) == 0)
				prm->row_on[r] = found = 1;
		if (!found)
			bad_usage("--rows: unknown row '%s' "
				  "(send, send_many, mutex)", tok);
	}
	for (r = 0; r < NROWS && !prm->row_on[r]; r++)
		;
	if (r == NROWS)
		bad_usage("--rows: no row chosen");
}

static void parse_args(int argc, char **argv, struct params *prm)
{
	int i, quick = 0, set_values = 0, set_reps = 0, set_warmup = 0, r;

	prm->producers = DEFAULT_PRODUCERS;
	prm->values = DEFAULT_VALUES;
	prm->reps = DEFAULT_REPS;
	prm->warmup = DEFAULT_WARMUP;
	prm->lanes = SPW_DEFAULT_LANES;
	for (r = 0; r < NROWS; r++)
		prm->row_on[r] = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = argv[i + 1];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--quick") == 0) {
			quick = 1;
			continue;
		} else if (strcmp(a, "--producers") == 0) {
			prm->producers = parse_uint(a, v, 1, MAX_PRODUCERS);
		} else if (strcmp(a, "--values") == 0) {
			prm->values = parse_uint(a, v, 1, MAX_VALUES);
			set_values = 1;
		} else if (strcmp(a, "--reps") == 0) {
			prm->reps = parse_uint(a, v, 1, MAX_REPS);
			set_reps = 1;
		} else if (strcmp(a, "--warmup") == 0) {
			prm->warmup = parse_uint(a, v, 0, MAX_REPS);
			set_warmup = 1;
		} else if (strcmp(a, "--lanes") == 0) {
			prm->lanes = parse_uint(a, v, 1, SPW_MAX_LANES);
		} else if (strcmp(a, "--rows") == 0) {
			parse_rows(prm, v);
		} else {
			bad_usage("unknown flag '%s'", a);
		}
		i++; /* the flag's value */
	}
	if (quick && !set_values)
		prm->values = QUICK_VALUES;
	if (quick && !set_reps)
		prm->reps = QUICK_REPS;
	if (quick && !set_warmup)
		prm->warmup = QUICK_WARMUP;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct params prm;
	uint64_t *elapsed[NROWS] = { NULL };
	unsigned rep;
	int r;

	parse_args(argc, argv, &prm);
	print_header(&prm);
	fflush(stdout);

	for (r = 0; r < NROWS; r++)
		elapsed[r] = xmalloc(prm.reps * sizeof(*elapsed[r]));
	/* Rows take turns, so a slow phase of the machine hits them all. */
	for (rep = 0; rep < prm.warmup; rep++)
		for (r = 0; r < NROWS; r++)
			if (prm.row_on[r])
				(void)run_row(&prm, r);
	for (rep = 0; rep < prm.reps; rep++)
		for (r = 0; r < NROWS; r++)
			if (prm.row_on[r])
				elapsed[r][rep] = run_row(&prm, r);

	print_table(&prm, elapsed);
	for (r = 0; r < NROWS; r++)
		free(elapsed[r]);
	return 0;
}
