/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what the benchmark programs (channel.c, latency.c) share with
 * the implementation files (impl_*.c): errors, clocks, the value encoding
 * and the receiver's checks, the start gate, producer threads and CPU
 * placement, the core-to-core round-trip probe, statistics, flag parsing
 * and gnuplot.
 *
 * Each implementation file owns its producer and consumer loops: the
 * harness makes one indirect call per thread (the thread's start
 * function, or the implementation's run function on the receiver
 * thread), never one per message.
 */
#ifndef SPILLWAY_BENCH_H
#define SPILLWAY_BENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "spillway_u64.h"

#if defined(__GNUC__) || defined(__clang__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define BENCH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define UNLIKELY(x) (x)
#define BENCH_PRINTF(f, a)
#endif

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield" :: \
						 : "memory")
#else
#define CPU_RELAX() atomic_signal_fence(memory_order_seq_cst)
#endif

/* A value is (producer << VALUE_SHIFT) | index. */
#define VALUE_SHIFT 40
#define INDEX_MASK (((uint64_t)1 << VALUE_SHIFT) - 1)
#define MAX_PRODUCERS 1024
#define BATCH 32 /* send_many and enqueue_bulk */
#ifndef MC_RECV_BUF
#define MC_RECV_BUF 1024 /* bulk receivers' buffer, in values */
#endif
#define SPIN_BEFORE_YIELD 64

/* ---- errors, memory, clocks --------------------------------------------- */

extern const char *bench_prog; /* for messages: "channel", "latency" */

_Noreturn void die(const char *fmt, ...) BENCH_PRINTF(1, 2);
_Noreturn void bad_usage(const char *fmt, ...) BENCH_PRINTF(1, 2);
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);

static inline void check(spw_status st, const char *what)
{
	if (UNLIKELY(st != SPW_OK))
		die("%s: %s", what, spw_status_str(st));
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread, ns. */
static inline uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* "[   12.3s] ..." on stderr, seconds since progress_start(). */
void progress_start(void);
void progress(const char *fmt, ...) BENCH_PRINTF(1, 2);

/* ---- jobs and the receiver's checks -------------------------------------- */

/* Variants of a row, interpreted by the implementation's run function. */
enum variant {
	V_PLAIN,
	V_SEND, /* spillway: send per value, recv per value */
	V_SEND_MANY, /* spillway: send_many(32), recv_many */
	V_RECV_BATCH, /* spillway: send, recv_batch */
	V_RECV_MANY, /* spillway: send, recv_many */
	V_SHARED, /* spillway: one sender shared by every producer */
	V_SEND_WAIT, /* spillway, bounded: send_wait(SPW_FOREVER), recv_many */
	V_SEND_MANY_WAIT, /* spillway, bounded: send_many_wait(32, SPW_FOREVER), recv_many */
	V_TOKENS, /* moodycamel: ProducerToken each, enqueue */
	V_BULK, /* moodycamel: enqueue_bulk(32) */
	V_IMPLICIT /* moodycamel: enqueue without a token */
};

/* One run of one row. */
struct job {
	const char *name; /* the row, for messages */
	enum variant variant;
	unsigned producers;
	uint64_t values; /* all producers together */
	size_t lanes; /* spillway */
	size_t capacity; /* the bounded rows: slots (values in flight) */
	int pinned; /* producers on their CPUs (the receiver is pinned
			    by the harness) */
};

/* How many of the values producer p sends. */
static inline uint64_t share(const struct job *job, unsigned p)
{
	return job->values / job->producers +
	       (p < job->values % job->producers ? 1 : 0);
}

static inline uint64_t make_value(unsigned p, uint64_t i)
{
	return (uint64_t)p << VALUE_SHIFT | i;
}

struct checker {
	const struct job *job;
	uint64_t *next; /* per producer: the index expected next */
	uint64_t count;
	uint64_t sum; /* mod 2^64 */
};

void checker_init(struct checker *c, const struct job *job);
_Noreturn void checker_bad(const struct checker *c, uint64_t v);
/* Count, per-producer totals and the exact sum; frees c. Fatal on error. */
void checker_finish(struct checker *c);

static inline void checker_take(struct checker *c, uint64_t v)
{
	uint64_t p = v >> VALUE_SHIFT;

	if (UNLIKELY(p >= c->job->producers ||
		     (v & INDEX_MASK) != c->next[p]))
		checker_bad(c, v);
	c->next[p]++;
	c->count++;
	c->sum += v;
}

/*
 * The same checks for the n values a batch receive copied out, in
 * registers: the producer of the run of values being checked and its
 * expected index, the count and the sum (checker_take reloads and stores
 * all of them for every value, since its stores may alias the struct:
 * about 3 ns a value, which capped the fastest batch rows at the
 * receiver's checks instead of the channel).
 */
static inline void checker_take_many(struct checker *c, const uint64_t *v, size_t n)
{
	uint64_t *next = c->next, producers = c->job->producers;
	uint64_t cur = UINT64_MAX, want = 0, sum = c->sum;
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t x = v[k], p = x >> VALUE_SHIFT;

		if (p != cur) {
			if (cur != UINT64_MAX)
				next[cur] = want;
			if (UNLIKELY(p >= producers))
				break;
			cur = p;
			want = next[p];
		}
		if (UNLIKELY((x & INDEX_MASK) != want))
			break;
		want++;
		sum += x;
	}
	if (cur != UINT64_MAX)
		next[cur] = want;
	c->count += k;
	c->sum = sum;
	if (UNLIKELY(k != n))
		checker_bad(c, v[k]);
}

/* ---- the start gate ------------------------------------------------------ */

/* Producers wait here until the receiver starts the clock. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t arrived;
	pthread_cond_t opened;
	unsigned waiting;
	int open;
};

void gate_init(struct gate *g);
void gate_destroy(struct gate *g);
void gate_wait(struct gate *g);
/* Wait for n threads at the gate, then open it. Returns the start time. */
uint64_t gate_open(struct gate *g, unsigned n);

/* A lock-free peer's receiver found nothing: spin a little, then yield. */
void idle_yield(void);
static inline void idle_wait(unsigned *spins)
{
	if (*spins < SPIN_BEFORE_YIELD) {
		++*spins;
		CPU_RELAX();
	} else {
		idle_yield();
	}
}

/* ---- producer threads ----------------------------------------------------- */

struct producer {
	pthread_t thread;
	unsigned id;
	uint64_t count; /* values this producer sends */
	struct gate *gate;
	int cpu; /* -1: not pinned */
	void *(*fn)(struct producer *);
	void *ctx; /* the implementation's shared state */
	void *handle; /* the implementation's per-producer state */
};

/* n producers (job->producers when n is 0), ids, shares, CPUs. */
struct producer *producers_new(const struct job *job, struct gate *g);
/* Start each producer's thread: pins it when pr->cpu >= 0, calls fn. */
void producers_start(struct producer *prs, unsigned n,
		     void *(*fn)(struct producer *));
void producers_join(struct producer *prs, unsigned n);

/* ---- CPU placement -------------------------------------------------------- */

/*
 * Pinned mode: the receiver alone on the first CPU the process may use
 * ("CPU 0"), the producers round-robin on the others (with 2 CPUs all on
 * CPU 1). cpus_init() reads the process's affinity mask once.
 */
void cpus_init(void);
unsigned cpus_allowed(void); /* how many CPUs the process may use */
int cpu_receiver(void); /* -1 when fewer than 2 */
int cpu_producer(unsigned p); /* -1 when fewer than 2 */
void pin_self(int cpu); /* cpu < 0: no-op */
void unpin_self(void); /* back to the process's mask */

enum pin_mode { PIN_OFF = 1,
		PIN_ON = 2,
		PIN_BOTH = 3 };
enum pin_mode parse_pin(const char *arg); /* NULL: on */
#define NMODES 2 /* 0 unpinned, 1 pinned */
extern const char *const mode_name[NMODES]; /* "unpinned", "pinned" */

/* ---- the machine's regime ------------------------------------------------- */

/*
 * Core-to-core round trip: two threads pinned to the first two CPUs
 * ping-pong an atomic; the median ns per round trip over batches. 0 when
 * there are fewer than 2 CPUs. About a millisecond.
 */
double regime_probe(void);
#define REGIME_FAR_NS 200.0
static inline const char *regime_name(double ns)
{
	return ns <= 0 ? "n/a" : ns < REGIME_FAR_NS ? "near"
						    : "far";
}
/* "round trip 47 ns (near)" or with the far/near split of the probes. */
void regime_describe(char *buf, size_t size, const double *probes,
		     size_t n);

/* ---- statistics ----------------------------------------------------------- */

int cmp_double(const void *a, const void *b);
int cmp_u64(const void *a, const void *b);
double median_of(const double *v, size_t n); /* copies, does not sort v */
double stddev_of(const double *v, size_t n); /* sample standard deviation */
/* The q-quantile (0..1) of sorted[0..n), nearest rank. */
uint64_t quantile_u64(const uint64_t *sorted, size_t n, double q);

/* ---- flags ---------------------------------------------------------------- */

uint64_t parse_uint(const char *flag, const char *s, uint64_t min,
		    uint64_t max);
double parse_double(const char *flag, const char *s, double min, double max);
/* Comma-separated counts into out[0..max); returns how many. */
unsigned parse_list(const char *flag, const char *s, unsigned *out,
		    unsigned max, uint64_t min, uint64_t maxv);

/* ---- gnuplot --------------------------------------------------------------- */

/*
 * For --plot FILE: the script path (FILE with .gp for its extension) into
 * script, and FILE's name without its folder into base (what the script's
 * `set output` names: the script runs in its own folder, so no absolute
 * path of this machine is written into it).
 */
void plot_paths(const char *plot, char *script, size_t ssize, char *base,
		size_t bsize);
/* Run gnuplot on script in the script's folder. 0 on success. */
int run_gnuplot(const char *script);

/* ---- latency ---------------------------------------------------------------- */

enum lat_kind { LAT_BLOCK,
		LAT_SPIN };

/*
 * One latency run: a ping-pong (round trips, one value at a time) or a
 * one-way stream at a fixed offered rate (rate values per second, sent in
 * bursts every burst_ns; each value is its intended send time, so a late
 * sender or a stalled receiver counts in full). lat[] receives one sample
 * per value: the round trip, or receive time - intended send time.
 */
struct lat_job {
	const char *name;
	enum lat_kind kind;
	int pinned;
	size_t lanes; /* spillway; 0: SPW_CONFIG_DEFAULT's */
	/*
	 * spillway ping-pong: on each channel, this many more senders, each
	 * of which sends one value (received before the timing starts) and
	 * then stays idle, open, on a lane of its own: the many-idle-senders
	 * shape, where every lane has had a sender.
	 */
	size_t idle_senders;
	uint64_t duration_ns; /* how long to run */
	uint64_t rate; /* one-way: values per second */
	uint64_t burst_ns; /* one-way: burst period */
	uint64_t *lat; /* samples out */
	size_t cap; /* room in lat */
	size_t n; /* samples taken */
	uint64_t rx_cpu_ns; /* the receiving thread's CPU time */
	uint64_t rx_wall_ns; /* and its wall time over the same span */
};

/* Values per burst and the number of bursts for a one-way job. */
uint64_t oneway_per_burst(const struct lat_job *j);
uint64_t oneway_bursts(const struct lat_job *j);

/* The sender of a one-way run: set up, then wait until each burst. */
void pace_thread_setup(void); /* timer slack 1 ns */
void sleep_until(uint64_t t_ns); /* CLOCK_MONOTONIC, absolute */

/*
 * How sleep_until waits for a time still ahead: PACE_SLEEP (the default)
 * with clock_nanosleep, or PACE_SPIN, reading CLOCK_MONOTONIC in a pause
 * loop. A sleeping sender wakes late by the kernel's and the VM's wake-up
 * time (30-40 us on the development VMs), and every value of the burst
 * is charged with it; a spinning one starts on time, at the price of a
 * CPU kept busy. Either way a time already past returns at once. Set it
 * before the sender thread starts.
 */
enum pace_wait { PACE_SLEEP,
		 PACE_SPIN };
extern enum pace_wait pace_wait;
/*
 * The sender's own timing, when pace_log is not NULL (set it, with n = 0,
 * before the sender thread starts; read it after the thread was joined).
 * While n < cap, every sleep_until stores late[n]: how late (ns, on the
 * clock) it returned, and, from its second call on, busy[n - 1]: the time
 * from the last call's return to this call, which for a pacer that sends
 * its burst between the two is how long that burst took to send.
 */
struct pace_log {
	uint64_t *late;
	uint64_t *busy;
	size_t cap;
	size_t n;
	uint64_t last; /* when the last call returned */
};
extern struct pace_log *pace_log;

/* Checks of a one-way stream: intended times never go back, count. */
static inline void oneway_take(struct lat_job *j, uint64_t v, uint64_t *last)
{
	uint64_t t = now_ns();

	if (UNLIKELY(v < *last || j->n >= j->cap))
		die("%s: value %llu after %llu, or more values than sent "
		    "(%zu)",
		    j->name, (unsigned long long)v,
		    (unsigned long long)*last, j->n);
	*last = v;
	j->lat[j->n++] = t - v;
}
void oneway_finish(const struct lat_job *j);

/* ---- the implementations ---------------------------------------------------- */

/* Throughput: one timed repetition; returns elapsed ns. */
uint64_t spillway_run(const struct job *job);
uint64_t mutex_run(const struct job *job);
uint64_t bounded_mutex_run(const struct job *job); /* job->capacity */
uint64_t wfcq_run(const struct job *job);
uint64_t moody_run(const struct job *job);
uint64_t memory_run(const struct job *job);
void wfcq_cleanup(void); /* frees the node arena */
void memory_cleanup(void); /* frees the array */

/* Latency. */
void spillway_pingpong(struct lat_job *j);
void spillway_oneway(struct lat_job *j);
void moody_pingpong(struct lat_job *j);
void moody_oneway(struct lat_job *j);
void mutex_pingpong(struct lat_job *j);
void mutex_oneway(struct lat_job *j);

/* A thread for the latency runs, pinned to cpu (< 0: not pinned). */
struct lat_thread {
	pthread_t thread;
	int cpu;
	void *(*fn)(struct lat_thread *);
	void *arg;
	uint64_t cpu_ns; /* set by fn if it wants */
	uint64_t wall_ns;
};
void lat_thread_start(struct lat_thread *t, int cpu,
		      void *(*fn)(struct lat_thread *), void *arg);
void lat_thread_join(struct lat_thread *t);

#endif /* SPILLWAY_BENCH_H */
