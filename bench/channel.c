/* SPDX-License-Identifier: MIT */
/*
 * channel.c - the harness of Spillway's reference `channel` benchmark.
 *
 * P producer threads share N u64 values between them and send them to one
 * receiver, the main thread, until end of stream; for each P of a list
 * (default 1, 2, 4, 16) every row runs with the same P producers, the
 * same values and the same checks. The rows live in one file per
 * implementation (impl_spillway.c, impl_moody.c, impl_mutex.c,
 * impl_wfcq.c, impl_memory.c, impl_bounded_mutex.c), each with its own producer and consumer
 * loops; this file calls a row's run function once per repetition and
 * each producer's loop once per thread. See README.md for the rows and
 * the fairness rules.
 *
 * This file: sizing (calibration), the order of runs (rows and modes take
 * turns within each repetition), placement (unpinned, and pinned: the
 * receiver alone on CPU 0, producers on the others), the machine's regime
 * (a core-to-core round trip before and after each run), the ping-pong
 * section (spillway, 1 lane against 4096 lanes each with a sender), statistics, the tables, CSV
 * and the gnuplot plot.
 */
#define _GNU_SOURCE

#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PLIST 16
#define MAX_PING 8
#define MAX_VALUES INDEX_MASK
#define MAX_AUTO_VALUES ((uint64_t)256 << 20) /* queue rows: 2 GiB payload */
#define MAX_MEMORY_VALUES ((uint64_t)1 << 36) /* memory row: no queue */
#define MAX_REPS 1000
#define DEFAULT_REPS 5
#define DEFAULT_WARMUP 1
#define DEFAULT_MIN_SECONDS 0.4
#define DEFAULT_PING_SECONDS 0.2
#define DEFAULT_CAPACITY 1024 /* the bounded rows */
#define MAX_CAPACITY MAX_AUTO_VALUES /* the mutex ring: 2 GiB at most */
#define CAL_START 65536
#define CAL_MARGIN 1.3
#define MAX_RESIZES 3 /* per repetition that came out too short */
#define TOO_LONG 4.0 /* a run this many times its target: size down */
#define JUDGE_SECONDS 0.1 /* shorter repetitions: targets not judged */
#define QUICK_VALUES 100000
#define QUICK_REPS 3
#define QUICK_WARMUP 0
#define QUICK_PING_SECONDS 0.02
#define PING_CAP ((size_t)1 << 20) /* round trips per repetition, at most */

/* ---- rows ----------------------------------------------------------------- */

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
	ROW_SEND_SHARED,
	ROW_MOODY_IMPLICIT,
	ROW_SEND_WAIT,
	ROW_SEND_MANY_WAIT,
	ROW_BOUNDED_MUTEX,
	NROWS
};

struct row_def {
	const char *key;
	const char *name;
	uint64_t (*run)(const struct job *job);
	enum variant variant;
	int shared; /* only at the --shared-producers counts */
	int bounded; /* a bounded queue of --capacity slots */
	uint64_t max_values; /* auto-sizing cap */
	const char *color; /* in the plot */
};

static const struct row_def rows[NROWS] = {
	{"send", "spillway send", spillway_run, V_SEND, 0, 0, MAX_AUTO_VALUES,
	 "#1f77b4"},
	{"send_many", "spillway send_many(32)", spillway_run, V_SEND_MANY, 0,
	 0, MAX_AUTO_VALUES, "#17becf"},
	{"recv_batch", "spillway send + recv_batch", spillway_run,
	 V_RECV_BATCH, 0, 0, MAX_AUTO_VALUES, "#2ca02c"},
	{"recv_many", "spillway send + recv_many", spillway_run, V_RECV_MANY,
	 0, 0, MAX_AUTO_VALUES, "#9467bd"},
	{"mutex", "mutex+condvar", mutex_run, V_PLAIN, 0, 0, MAX_AUTO_VALUES,
	 "#d62728"},
	{"wfcq", "liburcu wfcqueue", wfcq_run, V_PLAIN, 0, 0, MAX_AUTO_VALUES,
	 "#8c564b"},
	{"moody", "moodycamel (tokens)", moody_run, V_TOKENS, 0, 0,
	 MAX_AUTO_VALUES, "#ff7f0e"},
	{"moody_bulk", "moodycamel bulk-32 (tokens)", moody_run, V_BULK, 0, 0,
	 MAX_AUTO_VALUES, "#e377c2"},
	{"memory", "memory, 1 thread (limit)", memory_run, V_PLAIN, 0, 0,
	 MAX_MEMORY_VALUES, "#000000"},
	{"send_shared", "spillway send, 1 sender shared", spillway_run,
	 V_SHARED, 1, 0, MAX_AUTO_VALUES, "#bcbd22"},
	{"moody_implicit", "moodycamel enqueue (implicit, no tokens)",
	 moody_run, V_IMPLICIT, 1, 0, MAX_AUTO_VALUES, "#7f7f7f"},
	{"send_wait", "spillway send_wait + recv_many, bounded",
	 spillway_run, V_SEND_WAIT, 0, 1, MAX_AUTO_VALUES, "#393b79"},
	{"send_many_wait", "spillway send_many_wait(32) + recv_many, bounded",
	 spillway_run, V_SEND_MANY_WAIT, 0, 1, MAX_AUTO_VALUES, "#6b6ecf"},
	{"bounded_mutex", "bounded mutex+2 condvars", bounded_mutex_run,
	 V_PLAIN, 0, 1, MAX_AUTO_VALUES, "#ad494a"},
};

struct params {
	unsigned plist[MAX_PLIST]; /* producer counts, in order */
	unsigned nplist;
	unsigned shared[MAX_PLIST]; /* counts for the shared-sender rows */
	unsigned nshared;
	unsigned ping[MAX_PING]; /* ping-pong lanes */
	unsigned nping;
	double ping_seconds;
	uint64_t values; /* per repetition; 0: auto-size per row */
	double min_seconds; /* auto-sizing target */
	unsigned reps;
	unsigned warmup;
	size_t lanes; /* 0: auto, one lane per producer */
	size_t capacity; /* slots of the bounded rows */
	int row_on[NROWS];
	int modes; /* enum pin_mode: bit 0 unpinned, bit 1 pinned */
	int quick;
	const char *csv;
	const char *plot;
	char command[1024]; /* how the program was run, for the header */
};

static int mode_on(const struct params *prm, int m)
{
	return (prm->modes >> m) & 1;
}

static size_t lanes_for(const struct params *prm, unsigned producers)
{
	return prm->lanes != 0 ? prm->lanes : producers;
}

/* Row r runs at this producer count. */
static int row_applies(const struct params *prm, int r, unsigned producers)
{
	unsigned i;

	if (!prm->row_on[r])
		return 0;
	if (!rows[r].shared)
		return 1;
	for (i = 0; i < prm->nshared; i++)
		if (prm->shared[i] == producers)
			return 1;
	return 0;
}

/* ---- one run ---------------------------------------------------------------- */

/* One repetition of a row in mode m (1: pinned); elapsed ns. */
static uint64_t run_case(struct job *job, int r, int m)
{
	uint64_t t;

	job->name = rows[r].name;
	job->variant = rows[r].variant;
	job->pinned = m;
	if (m)
		pin_self(cpu_receiver());
	t = rows[r].run(job);
	if (m)
		unpin_self();
	return t;
}

/* Values for a repetition of `want` seconds, from a run of n in t ns. */
static uint64_t scale_values(uint64_t n, uint64_t t, double want,
			     unsigned producers, uint64_t cap)
{
	double v = (double)n * want / (t > 0 ? seconds(t) : 1e-9);

	if (v > (double)cap)
		v = (double)cap;
	if (v < (double)n)
		v = (double)n;
	return (uint64_t)v < producers ? producers : (uint64_t)v;
}

/*
 * After a run of n values that took t ns, far longer than the target (a
 * row whose speed changed after it was sized, such as a bounded queue
 * whose producers fell into waiting in line): values for `want` seconds
 * at the speed it had, so that the next run ends in time again. 0 when t
 * is not too long, or sizing is off.
 */
static uint64_t shrink_values(const struct params *prm, uint64_t n,
			      uint64_t t, unsigned producers)
{
	double want = prm->min_seconds * CAL_MARGIN, v;

	if (prm->values != 0 || prm->quick || seconds(t) <= TOO_LONG * want)
		return 0;
	v = (double)n * want / seconds(t);
	return (uint64_t)v < producers ? producers : (uint64_t)v;
}

/*
 * Values per repetition: --values, the quick size, or doubling runs until
 * one takes min/4 and a scale-up to min * CAL_MARGIN.
 */
static uint64_t calibrate(const struct params *prm, struct job *job, int r,
			  int m)
{
	uint64_t n = CAL_START, t, cap = rows[r].max_values;

	if (prm->values != 0)
		return prm->values;
	if (prm->quick)
		return QUICK_VALUES;
	for (;;) {
		job->values = n < job->producers ? job->producers : n;
		t = run_case(job, r, m);
		if (seconds(t) >= prm->min_seconds / 4 || n >= cap)
			break;
		n *= seconds(t) < prm->min_seconds / 64 ? 8 : 2;
		if (n > cap)
			n = cap;
	}
	return scale_values(job->values, t, prm->min_seconds * CAL_MARGIN,
			    job->producers, cap);
}

/* ---- results -------------------------------------------------------------------- */

struct summary {
	double median; /* throughput, M msg/s */
	double min;
	double max;
	double latency; /* ns/msg at the median */
	double stddev; /* of ns/msg over the repetitions */
	double shortest; /* seconds, the shortest repetition */
};

struct result {
	int valid;
	uint64_t values; /* per repetition: the latest size */
	uint64_t *elapsed; /* ns, one per repetition */
	uint64_t *sizes; /* values, one per repetition */
	double *probes; /* round trip ns, before and after each rep */
	struct summary s;
};

static struct result res[NMODES][MAX_PLIST][NROWS];

struct ping_result {
	int valid;
	double *p50; /* ns, per repetition */
	double *p99;
	double *cpu; /* echo thread CPU / wall, per repetition */
	size_t *n; /* round trips, per repetition */
	double *probes;
	double med50, med99, min50, max50, sd50, medcpu;
	size_t nmin; /* round trips in the smallest repetition */
};

static struct ping_result pres[NMODES][MAX_PING];

static void summarize(struct result *x, unsigned reps)
{
	double thr[MAX_REPS], ns[MAX_REPS];
	uint64_t shortest = x->elapsed[0];
	struct summary *s = &x->s;
	unsigned i;

	for (i = 0; i < reps; i++) {
		ns[i] = (double)x->elapsed[i] / (double)x->sizes[i];
		thr[i] = 1e3 / ns[i];
		if (x->elapsed[i] < shortest)
			shortest = x->elapsed[i];
	}
	s->stddev = stddev_of(ns, reps);
	s->shortest = seconds(shortest);
	s->median = median_of(thr, reps);
	qsort(thr, reps, sizeof(thr[0]), cmp_double);
	s->min = thr[0];
	s->max = thr[reps - 1];
	s->latency = 1e3 / s->median;
}

/* Every probe of the table (m, P index pi). */
static void table_regime(const struct params *prm, int m, unsigned pi,
			 char *buf, size_t size)
{
	double *all = xmalloc(NROWS * 2 * prm->reps * sizeof(*all));
	size_t n = 0;
	unsigned k;
	int r;

	for (r = 0; r < NROWS; r++)
		if (res[m][pi][r].valid)
			for (k = 0; k < 2 * prm->reps; k++)
				all[n++] = res[m][pi][r].probes[k];
	regime_describe(buf, size, all, n);
	free(all);
}

static double rep_regime(const struct result *x, unsigned reps)
{
	return median_of(x->probes, 2 * reps);
}

/* ---- measuring -------------------------------------------------------------------- */

static void progress_rep(const char *what, unsigned producers, int m,
			 const struct result *row, unsigned rep, double rt)
{
	char line[1024];
	size_t len = 0;
	int r;

	for (r = 0; r < NROWS && len < sizeof(line) - 64; r++)
		if (row[r].valid)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"%s%s %.1f", len ? " | " : "", rows[r].key,
						(double)row[r].sizes[rep] * 1e3 /
							(double)row[r].elapsed[rep]);
	if (rt > 0)
		progress("P=%u %s %s: %s M msg/s (round trip %.0f ns)",
			 producers, what, mode_name[m], line, rt);
	else
		progress("P=%u %s %s: %s M msg/s", producers, what,
			 mode_name[m], line);
}

/* Every row at one P in every mode: sizing, warm-up, then repetitions. */
static void measure(const struct params *prm, unsigned pi)
{
	unsigned producers = prm->plist[pi], rep, tries;
	struct job job;
	uint64_t t, cap;
	int r, m;

	memset(&job, 0, sizeof(job));
	job.producers = producers;
	job.lanes = lanes_for(prm, producers);
	job.capacity = prm->capacity;
	for (m = 0; m < NMODES; m++)
		for (r = 0; r < NROWS; r++) {
			struct result *x = &res[m][pi][r];

			x->valid = 0;
			if (!mode_on(prm, m) || !row_applies(prm, r, producers))
				continue;
			x->elapsed = xcalloc(prm->reps, sizeof(*x->elapsed));
			x->sizes = xcalloc(prm->reps, sizeof(*x->sizes));
			x->probes = xcalloc(2 * prm->reps, sizeof(*x->probes));
			x->values = calibrate(prm, &job, r, m);
			if (prm->values == 0 && !prm->quick)
				progress("P=%u %s %s: %llu values per "
					 "repetition",
					 producers, rows[r].key,
					 mode_name[m],
					 (unsigned long long)x->values);
		}

	for (rep = 0; rep < prm->warmup; rep++) {
		for (r = 0; r < NROWS; r++)
			for (m = 0; m < NMODES; m++) {
				struct result *x = &res[m][pi][r];

				if (x->elapsed == NULL)
					continue;
				job.values = x->values;
				t = run_case(&job, r, m);
				x->elapsed[0] = t;
				x->sizes[0] = job.values;
				x->valid = 1;
				if (shrink_values(prm, job.values, t,
						  producers) != 0) {
					x->values = shrink_values(
						prm, job.values, t, producers);
					progress("P=%u %s %s: %.2f s is far too "
						 "long; resized to %llu values",
						 producers, rows[r].key,
						 mode_name[m], seconds(t),
						 (unsigned long long)x->values);
				}
				/* Too short, or without margin: size up. */
				if (prm->values == 0 && !prm->quick &&
				    seconds(t) < prm->min_seconds * 1.1 &&
				    job.values < rows[r].max_values) {
					x->values = scale_values(
						job.values, t,
						prm->min_seconds * CAL_MARGIN,
						producers, rows[r].max_values);
					progress("P=%u %s %s: resized to %llu "
						 "values",
						 producers,
						 rows[r].key, mode_name[m],
						 (unsigned long long)x->values);
				}
			}
		for (m = 0; m < NMODES; m++)
			if (mode_on(prm, m))
				progress_rep("warm-up", producers, m, res[m][pi],
					     0, 0);
	}

	for (rep = 0; rep < prm->reps; rep++) {
		char what[64];

		for (r = 0; r < NROWS; r++)
			for (m = 0; m < NMODES; m++) {
				struct result *x = &res[m][pi][r];

				if (x->elapsed == NULL)
					continue;
				cap = rows[r].max_values;
				x->probes[2 * rep] = regime_probe();
				for (tries = 0;; tries++) {
					job.values = x->values;
					t = run_case(&job, r, m);
					if (prm->values != 0 || prm->quick ||
					    seconds(t) >= prm->min_seconds ||
					    tries == MAX_RESIZES)
						break;
					if (job.values >= cap) {
						progress("P=%u %s %s: %.2f s at "
							 "the cap of %llu "
							 "values; kept",
							 producers, rows[r].key,
							 mode_name[m], seconds(t),
							 (unsigned long long)cap);
						break;
					}
					x->values = scale_values(
						job.values, t,
						prm->min_seconds * CAL_MARGIN,
						producers, cap);
					progress("P=%u %s %s: %.2f s is too "
						 "short; again with %llu "
						 "values",
						 producers,
						 rows[r].key, mode_name[m],
						 seconds(t),
						 (unsigned long long)x->values);
				}
				x->probes[2 * rep + 1] = regime_probe();
				x->elapsed[rep] = t;
				x->sizes[rep] = job.values;
				x->valid = 1;
				/* Kept, but the next repetition is smaller. */
				if (shrink_values(prm, job.values, t,
						  producers) != 0) {
					x->values = shrink_values(
						prm, job.values, t, producers);
					progress("P=%u %s %s: %.2f s is far too "
						 "long (kept); next with %llu "
						 "values",
						 producers, rows[r].key,
						 mode_name[m], seconds(t),
						 (unsigned long long)x->values);
				}
			}
		snprintf(what, sizeof(what), "rep %u/%u", rep + 1, prm->reps);
		for (m = 0; m < NMODES; m++) {
			double rt[2 * NROWS];
			size_t n = 0;

			if (!mode_on(prm, m))
				continue;
			for (r = 0; r < NROWS; r++)
				if (res[m][pi][r].valid) {
					rt[n++] = res[m][pi][r].probes[2 * rep];
					rt[n++] =
						res[m][pi][r].probes[2 * rep + 1];
				}
			progress_rep(what, producers, m, res[m][pi], rep,
				     median_of(rt, n));
		}
	}
	for (m = 0; m < NMODES; m++)
		for (r = 0; r < NROWS; r++)
			if (res[m][pi][r].valid)
				summarize(&res[m][pi][r], prm->reps);
}

/* Spillway ping-pong at each --pingpong lane count, in turns. */
static void measure_ping(const struct params *prm)
{
	struct lat_job j;
	unsigned rep, i;
	int m;

	if (prm->nping == 0)
		return;
	memset(&j, 0, sizeof(j));
	j.kind = LAT_BLOCK;
	j.duration_ns = (uint64_t)(prm->ping_seconds * 1e9);
	j.cap = PING_CAP;
	j.lat = xmalloc(j.cap * sizeof(*j.lat));
	for (m = 0; m < NMODES; m++)
		for (i = 0; i < prm->nping; i++) {
			struct ping_result *x = &pres[m][i];

			x->valid = 0;
			if (!mode_on(prm, m))
				continue;
			x->p50 = xcalloc(prm->reps, sizeof(*x->p50));
			x->p99 = xcalloc(prm->reps, sizeof(*x->p99));
			x->cpu = xcalloc(prm->reps, sizeof(*x->cpu));
			x->n = xcalloc(prm->reps, sizeof(*x->n));
			x->probes = xcalloc(2 * prm->reps, sizeof(*x->probes));
		}
	for (rep = 0; rep < prm->reps; rep++) {
		for (i = 0; i < prm->nping; i++)
			for (m = 0; m < NMODES; m++) {
				struct ping_result *x = &pres[m][i];
				char name[64];

				if (!mode_on(prm, m))
					continue;
				snprintf(name, sizeof(name),
					 "spillway ping-pong, %u lanes",
					 prm->ping[i]);
				j.name = name;
				j.lanes = prm->ping[i];
				j.idle_senders = prm->ping[i] - 1;
				j.pinned = m;
				x->probes[2 * rep] = regime_probe();
				if (m)
					pin_self(cpu_receiver());
				spillway_pingpong(&j);
				if (m)
					unpin_self();
				x->probes[2 * rep + 1] = regime_probe();
				qsort(j.lat, j.n, sizeof(*j.lat), cmp_u64);
				x->p50[rep] = (double)quantile_u64(j.lat, j.n,
								   0.5);
				x->p99[rep] = (double)quantile_u64(j.lat, j.n,
								   0.99);
				x->cpu[rep] = j.rx_wall_ns ? (double)j.rx_cpu_ns /
								     (double)j.rx_wall_ns
							   : 0;
				x->n[rep] = j.n;
				x->valid = 1;
				progress("ping-pong %s lanes %u rep %u/%u: "
					 "p50 %.0f ns, p99 %.0f ns, %zu round "
					 "trips",
					 mode_name[m], prm->ping[i],
					 rep + 1, prm->reps, x->p50[rep],
					 x->p99[rep], j.n);
			}
	}
	for (m = 0; m < NMODES; m++)
		for (i = 0; i < prm->nping; i++) {
			struct ping_result *x = &pres[m][i];
			unsigned k;

			if (!x->valid)
				continue;
			x->med50 = median_of(x->p50, prm->reps);
			x->med99 = median_of(x->p99, prm->reps);
			x->medcpu = median_of(x->cpu, prm->reps);
			x->sd50 = stddev_of(x->p50, prm->reps);
			x->min50 = x->max50 = x->p50[0];
			x->nmin = x->n[0];
			for (k = 1; k < prm->reps; k++) {
				if (x->p50[k] < x->min50)
					x->min50 = x->p50[k];
				if (x->p50[k] > x->max50)
					x->max50 = x->p50[k];
				if (x->n[k] < x->nmin)
					x->nmin = x->n[k];
			}
		}
	free(j.lat);
}

/* ---- the report ------------------------------------------------------------------ */

/* The rows every other row is compared with, in column order. */
static const enum row_id peer_cols[] = {ROW_MUTEX, ROW_WFCQ, ROW_MOODY,
					ROW_MOODY_BULK};
static const char *const peer_col_name[] = {"vs mutex", "vs wfcq",
					    "vs moody", "vs moody bulk"};
#define NPEERS (sizeof(peer_cols) / sizeof(peer_cols[0]))

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
	       "try_dequeue_bulk(%d); %ld CPUs online (%u allowed)",
	       prm->reps, prm->warmup, MC_RECV_BUF, cpus, cpus_allowed());
	if (prm->row_on[ROW_SEND_WAIT] || prm->row_on[ROW_BOUNDED_MUTEX])
		printf("; bounded rows: capacity %zu, receivers take up to %d "
		       "values a call",
		       prm->capacity, MC_RECV_BUF);
#ifdef __VERSION__
	printf("; compiler %s", __VERSION__);
#endif
	printf("\nmodes: %s%s%s; pinned: receiver on CPU %d, producers on the "
	       "other CPUs round-robin; regime: core-to-core round trip "
	       "(CPUs %d and %d ping-pong an atomic), before and after every "
	       "run, near < %.0f ns <= far\n",
	       mode_on(prm, 0) ? "unpinned" : "",
	       mode_on(prm, 0) && mode_on(prm, 1) ? " and " : "",
	       mode_on(prm, 1) ? "pinned" : "", cpu_receiver(), cpu_receiver(),
	       cpu_producer(0), REGIME_FAR_NS);
	printf("command: %s\n",
	       getenv("BENCH_COMMAND") ? getenv("BENCH_COMMAND") : prm->command);
}

static void print_ratio(const struct result *row, int r, enum row_id peer)
{
	if (row[peer].valid)
		printf(" %.2fx |", row[r].s.median / row[peer].s.median);
	else
		printf(" - |");
}

static void print_table(const struct params *prm, int m, unsigned pi)
{
	const struct result *row = res[m][pi];
	unsigned producers = prm->plist[pi];
	char regime[256];
	size_t i;
	int r;

	table_regime(prm, m, pi, regime, sizeof(regime));
	printf("\n### P = %u producer%s (spillway lanes: %zu), %s\n\n"
	       "regime: %s\n\n",
	       producers, producers == 1 ? "" : "s", lanes_for(prm, producers),
	       mode_name[m], regime);
	printf("| implementation | M msg/s | ns/msg | std dev (ns) | min | max |");
	for (i = 0; i < NPEERS; i++)
		printf(" %s |", peer_col_name[i]);
	printf(" values/rep | shortest rep (s) |\n|-|-|-|-|-|-|");
	for (i = 0; i < NPEERS; i++)
		printf("-|");
	printf("-|-|\n");
	for (r = 0; r < NROWS; r++) {
		const struct summary *s = &row[r].s;

		if (!row[r].valid)
			continue;
		printf("| %s | %.1f | %.2f | %.2f | %.1f | %.1f |",
		       rows[r].name, s->median, s->latency, s->stddev, s->min,
		       s->max);
		for (i = 0; i < NPEERS; i++)
			print_ratio(row, r, peer_cols[i]);
		printf(" %llu | %.2f |\n", (unsigned long long)row[r].values,
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

/* ratio of rows a / b, or 0 when either is missing. */
static double ratio(const struct result *row, int a, int b)
{
	if (!row[a].valid || !row[b].valid)
		return 0;
	return row[a].s.median / row[b].s.median;
}

static void print_shared(const struct params *prm, int m)
{
	unsigned i;
	int any = 0;

	for (i = 0; i < prm->nplist; i++) {
		const struct result *row = res[m][i];

		if (!row[ROW_SEND_SHARED].valid &&
		    !row[ROW_MOODY_IMPLICIT].valid)
			continue;
		if (!any)
			printf("\n### One sender handle shared by P threads, "
			       "%s\n\n"
			       "| P | spillway send, 1 sender shared (M "
			       "msg/s) | moodycamel enqueue, implicit "
			       "producers (M msg/s) | spillway / moodycamel "
			       "|\n|-|-|-|-|\n",
			       mode_name[m]);
		any = 1;
		printf("| %u |", prm->plist[i]);
		if (row[ROW_SEND_SHARED].valid)
			printf(" %.1f |", row[ROW_SEND_SHARED].s.median);
		else
			printf(" - |");
		if (row[ROW_MOODY_IMPLICIT].valid)
			printf(" %.1f |", row[ROW_MOODY_IMPLICIT].s.median);
		else
			printf(" - |");
		if (ratio(row, ROW_SEND_SHARED, ROW_MOODY_IMPLICIT) != 0)
			printf(" %.2fx |\n", ratio(row, ROW_SEND_SHARED,
						   ROW_MOODY_IMPLICIT));
		else
			printf(" - |\n");
	}
}

/* The bounded rows side by side, per P. */
static void print_bounded(const struct params *prm, int m)
{
	unsigned i;
	int any = 0;

	for (i = 0; i < prm->nplist; i++) {
		const struct result *row = res[m][i];

		if (!row[ROW_SEND_WAIT].valid && !row[ROW_SEND_MANY_WAIT].valid && !row[ROW_BOUNDED_MUTEX].valid)
			continue;
		if (!any)
			printf("\n### Bounded queue, capacity %zu, blocking "
			       "sends, %s\n\n"
			       "| P | spillway send_wait(SPW_FOREVER) + "
			       "recv_many (M msg/s) | spillway send_many_wait(32) + recv_many (M msg/s) | bounded mutex+2 condvars, "
			       "blocking put, get up to %d (M msg/s) | "
			       "spillway send_wait / mutex |\n|-|-|-|-|-|\n",
			       prm->capacity, mode_name[m], MC_RECV_BUF);
		any = 1;
		printf("| %u |", prm->plist[i]);
		if (row[ROW_SEND_WAIT].valid)
			printf(" %.1f |", row[ROW_SEND_WAIT].s.median);
		else
			printf(" - |");
		if (row[ROW_SEND_MANY_WAIT].valid)
			printf(" %.1f |", row[ROW_SEND_MANY_WAIT].s.median);
		else
			printf(" - |");
		if (row[ROW_BOUNDED_MUTEX].valid)
			printf(" %.1f |", row[ROW_BOUNDED_MUTEX].s.median);
		else
			printf(" - |");
		if (ratio(row, ROW_SEND_WAIT, ROW_BOUNDED_MUTEX) != 0)
			printf(" %.2fx |\n", ratio(row, ROW_SEND_WAIT,
						   ROW_BOUNDED_MUTEX));
		else
			printf(" - |\n");
	}
}

static void print_ping(const struct params *prm, int m)
{
	const struct ping_result *x = pres[m];
	double *all;
	char regime[256];
	size_t n = 0;
	unsigned i, k;

	if (prm->nping == 0 || !x[0].valid)
		return;
	all = xmalloc(prm->nping * 2 * prm->reps * sizeof(*all));
	for (i = 0; i < prm->nping; i++)
		for (k = 0; k < 2 * prm->reps; k++)
			all[n++] = x[i].probes[k];
	regime_describe(regime, sizeof(regime), all, n);
	free(all);
	printf("\n### Ping-pong round trip, spillway recv, %s\n\n"
	       "One busy sender each way; with L lanes, L - 1 more senders on "
	       "each channel, one per lane, that sent one value each before "
	       "the timing and stay idle (every lane has had a sender).\n\n"
	       "regime: %s\n\n"
	       "| lanes | round trip p50 (ns) | p99 (ns) | std dev of p50 "
	       "(ns) | min p50 | max p50 | echo thread CPU | round trips/rep "
	       "(fewest) |\n|-|-|-|-|-|-|-|-|\n",
	       mode_name[m], regime);
	for (i = 0; i < prm->nping; i++)
		printf("| %u | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f%% | %zu "
		       "|\n",
		       prm->ping[i], x[i].med50, x[i].med99, x[i].sd50,
		       x[i].min50, x[i].max50, 100 * x[i].medcpu, x[i].nmin);
	for (i = 1; i < prm->nping; i++)
		printf("%s%u lanes / %u lane%s: p50 %.2fx, p99 %.2fx",
		       i == 1 ? "\n" : "; ", prm->ping[i], prm->ping[0],
		       prm->ping[0] == 1 ? "" : "s", x[i].med50 / x[0].med50,
		       x[i].med99 / x[0].med99);
	if (prm->nping > 1)
		printf(" (round trip medians over %u repetitions of %.2f s)\n",
		       prm->reps, prm->ping_seconds);
}

/* Targets are judged only on repetitions long enough to mean something. */
static int judged(const struct params *prm, const struct result *row, int a,
		  int b)
{
	return !prm->quick && row[a].s.shortest >= JUDGE_SECONDS &&
	       row[b].s.shortest >= JUDGE_SECONDS;
}

static void print_target(double got, double want, int judge, unsigned *met,
			 unsigned *total, unsigned *unjudged)
{
	if (got == 0) {
		printf(" - |");
	} else if (!judge) {
		printf(" %.2fx not judged |", got);
		++*unjudged;
	} else {
		printf(" %.2fx %s |", got, got >= want ? "met" : "MISSED");
		++*total;
		*met += got >= want;
	}
}

static void print_targets(const struct params *prm, int m)
{
	unsigned i, met = 0, total = 0, unjudged = 0;
	const struct result *row;

	printf("\n### Targets%s\n\n"
	       "| P | send + recv_many / moodycamel per message (>= 1.0; "
	       "pinned, P <= 2: >= 1.2) "
	       "| send_many(32) / moodycamel bulk-32 (>= 1.5) "
	       "| send / mutex+condvar at P = 16 (>= 10) "
	       "| bounded send_wait / bounded mutex+condvar at P = 16 (>= 5) "
	       "| 1 sender shared / moodycamel implicit producers (>= 1.0) "
	       "|\n|-|-|-|-|-|-|\n",
	       m ? " (pinned)" : "");
	for (i = 0; i < prm->nplist; i++) {
		row = res[m][i];
		printf("| %u |", prm->plist[i]);
		/*
		 * A receiver on a core of its own (pinned) is the shape the
		 * issue judges hardest: at P <= 2 it must be 1.2x ahead.
		 */
		print_target(ratio(row, ROW_RECV_MANY, ROW_MOODY), m && prm->plist[i] <= 2 ? 1.2 : 1.0,
			     judged(prm, row, ROW_RECV_MANY, ROW_MOODY), &met,
			     &total, &unjudged);
		print_target(ratio(row, ROW_SEND_MANY, ROW_MOODY_BULK), 1.5,
			     judged(prm, row, ROW_SEND_MANY, ROW_MOODY_BULK),
			     &met, &total, &unjudged);
		print_target(prm->plist[i] == 16 ? ratio(row, ROW_SEND, ROW_MUTEX) : 0,
			     10.0, judged(prm, row, ROW_SEND, ROW_MUTEX), &met,
			     &total, &unjudged);
		print_target(prm->plist[i] == 16 ? ratio(row, ROW_SEND_WAIT, ROW_BOUNDED_MUTEX) : 0,
			     5.0,
			     judged(prm, row, ROW_SEND_WAIT, ROW_BOUNDED_MUTEX),
			     &met, &total, &unjudged);
		print_target(ratio(row, ROW_SEND_SHARED, ROW_MOODY_IMPLICIT), 1.0,
			     judged(prm, row, ROW_SEND_SHARED, ROW_MOODY_IMPLICIT),
			     &met, &total, &unjudged);
		printf("\n");
	}
	if (unjudged != 0)
		printf("\nTargets are not judged at this size (%s): rerun "
		       "without --quick, with repetitions of at least %.1f s.\n",
		       prm->quick ? "--quick, 100000 values per repetition" : "repetitions shorter than the minimum",
		       JUDGE_SECONDS);
	if (total != 0 || unjudged == 0)
		printf("\n%u of %u targets met%s.\n", met, total,
		       m ? " (pinned)" : "");
}

/* ---- CSV and plot ------------------------------------------------------------------ */

static void csv_list_u64(FILE *f, const uint64_t *v, unsigned n)
{
	unsigned k;

	for (k = 0; k < n; k++)
		fprintf(f, "%s%llu", k ? ";" : "", (unsigned long long)v[k]);
}

static void csv_list_double(FILE *f, const double *v, unsigned n)
{
	unsigned k;

	for (k = 0; k < n; k++)
		fprintf(f, "%s%.0f", k ? ";" : "", v[k]);
}

static void write_csv(const struct params *prm)
{
	FILE *f = fopen(prm->csv, "w");
	unsigned i;
	size_t j;
	int r, m;

	if (f == NULL)
		die("%s: %s", prm->csv, strerror(errno));
	fprintf(f, "producers,row,implementation,lanes,values_per_rep,reps,"
		   "median_mmsg_s,ns_per_msg,stddev_ns,min_mmsg_s,max_mmsg_s,"
		   "shortest_rep_s,vs_mutex,vs_wfcq,vs_moody,vs_moody_bulk,"
		   "rep_ns,rep_values,mode,round_trip_ns,regime,"
		   "round_trip_probes_ns,p99_ns,capacity\n");
	for (m = 0; m < NMODES; m++)
		for (i = 0; i < prm->nplist; i++)
			for (r = 0; r < NROWS; r++) {
				const struct result *x = &res[m][i][r];
				double rt;

				if (!x->valid)
					continue;
				rt = rep_regime(x, prm->reps);
				fprintf(f, "%u,%s,\"%s\",%zu,%llu,%u,%.3f,%.3f,"
					   "%.3f,%.3f,%.3f,%.3f",
					prm->plist[i], rows[r].key, rows[r].name,
					lanes_for(prm, prm->plist[i]),
					(unsigned long long)x->values, prm->reps,
					x->s.median, x->s.latency, x->s.stddev,
					x->s.min, x->s.max, x->s.shortest);
				for (j = 0; j < NPEERS; j++) {
					double q = ratio(res[m][i], r,
							 peer_cols[j]);

					if (q != 0)
						fprintf(f, ",%.3f", q);
					else
						fprintf(f, ",");
				}
				fprintf(f, ",");
				csv_list_u64(f, x->elapsed, prm->reps);
				fprintf(f, ",");
				csv_list_u64(f, x->sizes, prm->reps);
				fprintf(f, ",%s,%.0f,%s,", mode_name[m], rt,
					regime_name(rt));
				csv_list_double(f, x->probes, 2 * prm->reps);
				/* p99_ns: none; capacity: the bounded rows'. */
				if (rows[r].bounded)
					fprintf(f, ",,%zu\n", prm->capacity);
				else
					fprintf(f, ",,\n");
			}
	/*
	 * Ping-pong lines: producers 1, ns_per_msg = the median round trip
	 * (p50), rep_ns = each repetition's p50, rep_values = round trips.
	 */
	for (m = 0; m < NMODES; m++)
		for (i = 0; i < prm->nping; i++) {
			const struct ping_result *x = &pres[m][i];
			double rt;
			unsigned k;

			if (!x->valid)
				continue;
			rt = median_of(x->probes, 2 * prm->reps);
			fprintf(f, "1,pingpong_lanes_%u,\"spillway ping-pong "
				   "round trip, %u lanes\",%u,%zu,%u,,%.1f,%.1f,"
				   ",,%.3f,,,,,",
				prm->ping[i], prm->ping[i], prm->ping[i],
				x->nmin, prm->reps, x->med50, x->sd50,
				prm->ping_seconds);
			csv_list_double(f, x->p50, prm->reps);
			fprintf(f, ",");
			for (k = 0; k < prm->reps; k++)
				fprintf(f, "%s%zu", k ? ";" : "", x->n[k]);
			fprintf(f, ",%s,%.0f,%s,", mode_name[m], rt,
				regime_name(rt));
			csv_list_double(f, x->probes, 2 * prm->reps);
			fprintf(f, ",%.1f,\n", x->med99);
		}
	if (fclose(f) != 0)
		die("%s: %s", prm->csv, strerror(errno));
	progress("wrote %s", prm->csv);
}

/* The median of every probe of mode m's throughput runs. */
static double mode_regime(const struct params *prm, int m)
{
	double *all = xmalloc(prm->nplist * NROWS * 2 * prm->reps *
			      sizeof(*all));
	double rt;
	size_t n = 0;
	unsigned i, k;
	int r;

	for (i = 0; i < prm->nplist; i++)
		for (r = 0; r < NROWS; r++)
			if (res[m][i][r].valid)
				for (k = 0; k < 2 * prm->reps; k++)
					all[n++] = res[m][i][r].probes[k];
	rt = median_of(all, n);
	free(all);
	return rt;
}

/*
 * A gnuplot script next to the plot (FILE with .gp for its extension),
 * run by gnuplot in its own folder: throughput against P, one line per
 * row, bars from the slowest to the fastest repetition; one panel per
 * mode. Every row has a colour of its own; the memory limit is black
 * and dashed.
 */
static int write_plot(const struct params *prm)
{
	char script[4096], base[4096];
	unsigned i, panels = 0;
	double rt;
	FILE *f;
	int r, m, first;

	plot_paths(prm->plot, script, sizeof(script), base, sizeof(base));
	for (m = 0; m < NMODES; m++)
		panels += mode_on(prm, m);
	f = fopen(script, "w");
	if (f == NULL)
		die("%s: %s", script, strerror(errno));
	fprintf(f, "# Written by bench/channel.c. Run it from this folder: "
		   "gnuplot %s\n",
		strrchr(script, '/') ? strrchr(script, '/') + 1 : script);
	if (strlen(base) > 4 && strcmp(base + strlen(base) - 4, ".svg") == 0)
		fprintf(f, "set terminal svg size 1200,%u dynamic "
			   "background rgb 'white'\n",
			640 * panels);
	else
		fprintf(f, "set terminal pngcairo size 1200,%u\n", 640 * panels);
	fprintf(f, "set termoption noenhanced\n"); /* send_many: no subscript */
	fprintf(f, "set output '%s'\n"
		   "set xlabel 'producer threads P'\n"
		   "set ylabel 'million messages per second'\n"
		   "set logscale x 2\nset logscale y 10\n"
		   "set grid\nset key outside right top\n"
		   "set xrange [%g:%g]\nset xtics (",
		base, prm->plist[0] / 1.3, prm->plist[prm->nplist - 1] * 1.3);
	for (i = 0; i < prm->nplist; i++)
		fprintf(f, "%s%u", i ? ", " : "", prm->plist[i]);
	fprintf(f, ")\n");
	for (m = 0; m < NMODES; m++)
		for (r = 0; r < NROWS; r++) {
			fprintf(f, "$%s_%s << EOD\n", rows[r].key, mode_name[m]);
			for (i = 0; i < prm->nplist; i++)
				if (res[m][i][r].valid)
					fprintf(f, "%u %.4f %.4f %.4f\n",
						prm->plist[i],
						res[m][i][r].s.median,
						res[m][i][r].s.min,
						res[m][i][r].s.max);
			fprintf(f, "EOD\n");
		}
	if (panels > 1)
		fprintf(f, "set multiplot layout %u,1\n", panels);
	for (m = 0; m < NMODES; m++) {
		if (!mode_on(prm, m))
			continue;
		rt = mode_regime(prm, m);
		fprintf(f, "set title '%s (round trip %.0f ns, %s): P producers "
			   "-> 1 receiver, u64; median, bars min..max'\nplot ",
			mode_name[m], rt, regime_name(rt));
		first = 1;
		for (r = 0; r < NROWS; r++) {
			int any = 0;

			for (i = 0; i < prm->nplist; i++)
				any |= res[m][i][r].valid;
			if (!any)
				continue;
			fprintf(f, "%s$%s_%s using 1:2:3:4 with yerrorlines "
				   "lw 2 pt 7 lc rgb '%s'%s title '%s",
				first ? "" : ", \\\n     ", rows[r].key,
				mode_name[m], rows[r].color,
				r == ROW_MEMORY   ? " dt 2"
				: rows[r].bounded ? " dt 4"
						  : "",
				rows[r].name);
			if (rows[r].bounded)
				fprintf(f, " (capacity %zu)", prm->capacity);
			fprintf(f, "'");
			first = 0;
		}
		fprintf(f, "\n");
	}
	if (panels > 1)
		fprintf(f, "unset multiplot\n");
	if (fclose(f) != 0)
		die("%s: %s", script, strerror(errno));
	if (run_gnuplot(script) != 0)
		return 1;
	progress("wrote %s (script %s)", prm->plot, script);
	return 0;
}

/* ---- flags ------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	int r;

	fprintf(f,
		"usage: %s [flags]\n"
		"\n"
		"P producer threads send u64 values to one receiver, for each P\n"
		"of a list and each row, unpinned and pinned; every value is\n"
		"checked. Prints one markdown table per P and mode, the\n"
		"shared-sender and ping-pong sections and the targets to\n"
		"stdout, progress to stderr.\n"
		"\n"
		"  --producers LIST   producer counts (default 1,2,4,16)\n"
		"  --shared-producers LIST\n"
		"                     counts at which the shared-sender rows\n"
		"                     run (default 2,4)\n"
		"  --values N         values per repetition, all producers\n"
		"                     together; default: sized per row, P and\n"
		"                     mode for --min-seconds\n"
		"  --min-seconds S    shortest repetition when sizing "
		"(default %.1f)\n"
		"  --reps R           timed repetitions (default %d)\n"
		"  --warmup W         untimed runs before them (default %d)\n"
		"  --lanes L|auto     spillway lanes (spw_config.lanes); auto: P\n"
		"                     (default)\n"
		"  --pin[=on|off|both]\n"
		"                     placement: pinned (receiver alone on CPU\n"
		"                     0, producers on the others), unpinned, or\n"
		"                     both, in turns (default both; --pin alone:\n"
		"                     pinned only)\n"
		"  --pingpong LIST|none\n"
		"                     spillway ping-pong lane counts (default\n"
		"                     1,4096)\n"
		"  --pingpong-seconds S\n"
		"                     per ping-pong repetition (default %.2f)\n"
		"  --capacity N       slots of the bounded rows (spillway\n"
		"                     send_wait, send_many_wait and the\n"
		"                     bounded mutex queue; default %d)\n"
		"  --rows LIST        comma-separated rows (default all); also\n"
		"                     the groups spillway, peers, shared,\n"
		"                     bounded, all. Rows:",
		bench_prog, DEFAULT_MIN_SECONDS, DEFAULT_REPS, DEFAULT_WARMUP,
		DEFAULT_PING_SECONDS, DEFAULT_CAPACITY);
	for (r = 0; r < NROWS; r++)
		fprintf(f, "%s%s", r % 4 == 0 ? "\n                      " : " ",
			rows[r].key);
	fprintf(f,
		"\n"
		"  --csv FILE         also write the results as CSV\n"
		"  --plot FILE        also plot throughput against P with\n"
		"                     gnuplot (.png or .svg; the script goes to\n"
		"                     FILE with .gp)\n"
		"  --quick            small sizes for tests: %d values, --reps %d\n"
		"                     --warmup %d, ping-pong %.2f s; targets are\n"
		"                     not judged (explicit flags still win)\n"
		"  --help             this text\n",
		QUICK_VALUES, QUICK_REPS, QUICK_WARMUP, QUICK_PING_SECONDS);
}

static void parse_rows(struct params *prm, const char *list)
{
	char buf[256], *tok, *save = NULL;
	int r, found;

	if (strlen(list) >= sizeof(buf))
		bad_usage("--rows: list too long");
	strcpy(buf, list);
	memset(prm->row_on, 0, sizeof(prm->row_on));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		found = 0;
		for (r = 0; r < NROWS; r++)
			if (strcmp(tok, rows[r].key) == 0 ||
			    strcmp(tok, "all") == 0 ||
			    (strcmp(tok, "spillway") == 0 &&
			     r <= ROW_RECV_MANY) ||
			    (strcmp(tok, "peers") == 0 && r >= ROW_MUTEX &&
			     r <= ROW_MOODY_BULK) ||
			    (strcmp(tok, "shared") == 0 && rows[r].shared) ||
			    (strcmp(tok, "bounded") == 0 && rows[r].bounded))
				prm->row_on[r] = found = 1;
		if (!found)
			bad_usage("--rows: unknown row '%s'", tok);
	}
	for (r = 0; r < NROWS && !prm->row_on[r]; r++)
		;
	if (r == NROWS)
		bad_usage("--rows: no row chosen");
}

enum {
	OPT_PRODUCERS = 256,
	OPT_SHARED,
	OPT_VALUES,
	OPT_MIN_SECONDS,
	OPT_REPS,
	OPT_WARMUP,
	OPT_LANES,
	OPT_PIN,
	OPT_PINGPONG,
	OPT_PING_SECONDS,
	OPT_CAPACITY,
	OPT_ROWS,
	OPT_CSV,
	OPT_PLOT,
	OPT_QUICK
};

static const struct option options[] = {
	{"producers", required_argument, NULL, OPT_PRODUCERS},
	{"shared-producers", required_argument, NULL, OPT_SHARED},
	{"values", required_argument, NULL, OPT_VALUES},
	{"min-seconds", required_argument, NULL, OPT_MIN_SECONDS},
	{"reps", required_argument, NULL, OPT_REPS},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"lanes", required_argument, NULL, OPT_LANES},
	{"pin", optional_argument, NULL, OPT_PIN},
	{"pingpong", required_argument, NULL, OPT_PINGPONG},
	{"pingpong-seconds", required_argument, NULL, OPT_PING_SECONDS},
	{"capacity", required_argument, NULL, OPT_CAPACITY},
	{"rows", required_argument, NULL, OPT_ROWS},
	{"csv", required_argument, NULL, OPT_CSV},
	{"plot", required_argument, NULL, OPT_PLOT},
	{"quick", no_argument, NULL, OPT_QUICK},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

static void parse_args(int argc, char **argv, struct params *prm)
{
	int set_reps = 0, set_warmup = 0, set_ping = 0, r, opt, i;
	size_t len = 0;

	memset(prm, 0, sizeof(*prm));
	prm->nplist = parse_list("--producers", "1,2,4,16", prm->plist,
				 MAX_PLIST, 1, MAX_PRODUCERS);
	prm->nshared = parse_list("--shared-producers", "2,4", prm->shared,
				  MAX_PLIST, 1, MAX_PRODUCERS);
	prm->nping = parse_list("--pingpong", "1,4096", prm->ping, MAX_PING, 1,
				SPW_MAX_LANES);
	prm->ping_seconds = DEFAULT_PING_SECONDS;
	prm->min_seconds = DEFAULT_MIN_SECONDS;
	prm->reps = DEFAULT_REPS;
	prm->warmup = DEFAULT_WARMUP;
	prm->capacity = DEFAULT_CAPACITY;
	prm->modes = PIN_BOTH;
	for (r = 0; r < NROWS; r++)
		prm->row_on[r] = 1;

	/* The command line, for the header. */
	for (i = 0; i < argc && len < sizeof(prm->command) - 1; i++)
		len += (size_t)snprintf(prm->command + len,
					sizeof(prm->command) - len, "%s%s",
					i ? " " : "", argv[i]);

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_PRODUCERS:
			prm->nplist = parse_list("--producers", optarg,
						 prm->plist, MAX_PLIST, 1,
						 MAX_PRODUCERS);
			break;
		case OPT_SHARED:
			prm->nshared = parse_list("--shared-producers", optarg,
						  prm->shared, MAX_PLIST, 1,
						  MAX_PRODUCERS);
			break;
		case OPT_VALUES:
			prm->values = parse_uint("--values", optarg, 1,
						 MAX_VALUES);
			break;
		case OPT_MIN_SECONDS:
			prm->min_seconds = parse_double("--min-seconds", optarg,
							0, 60);
			break;
		case OPT_REPS:
			prm->reps = (unsigned)parse_uint("--reps", optarg, 1,
							 MAX_REPS);
			set_reps = 1;
			break;
		case OPT_WARMUP:
			prm->warmup = (unsigned)parse_uint("--warmup", optarg,
							   0, MAX_REPS);
			set_warmup = 1;
			break;
		case OPT_LANES:
			prm->lanes = strcmp(optarg, "auto") == 0 ? 0 : parse_uint("--lanes", optarg, 1, SPW_MAX_LANES);
			break;
		case OPT_PIN:
			prm->modes = parse_pin(optarg);
			break;
		case OPT_PINGPONG:
			prm->nping = strcmp(optarg, "none") == 0 ? 0 : parse_list("--pingpong", optarg, prm->ping, MAX_PING, 1, SPW_MAX_LANES);
			break;
		case OPT_PING_SECONDS:
			prm->ping_seconds = parse_double("--pingpong-seconds",
							 optarg, 0.001, 60);
			set_ping = 1;
			break;
		case OPT_CAPACITY:
			prm->capacity = parse_uint("--capacity", optarg, 1,
						   MAX_CAPACITY);
			break;
		case OPT_ROWS:
			parse_rows(prm, optarg);
			break;
		case OPT_CSV:
			prm->csv = optarg;
			break;
		case OPT_PLOT:
			prm->plot = optarg;
			break;
		case OPT_QUICK:
			prm->quick = 1;
			break;
		case ':':
			bad_usage("%s needs a value", argv[optind - 1]);
		default:
			bad_usage("unknown flag '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (prm->quick && !set_reps)
		prm->reps = QUICK_REPS;
	if (prm->quick && !set_warmup)
		prm->warmup = QUICK_WARMUP;
	if (prm->quick && !set_ping)
		prm->ping_seconds = QUICK_PING_SECONDS;
	for (i = 0; i < (int)prm->nplist; i++)
		if (prm->values != 0 && prm->values < prm->plist[i])
			bad_usage("--values %llu: fewer than %u producers",
				  (unsigned long long)prm->values,
				  prm->plist[i]);
	if ((prm->modes & PIN_ON) && cpus_allowed() < 2) {
		fprintf(stderr, "%s: fewer than 2 CPUs: no pinned mode\n",
			bench_prog);
		prm->modes &= ~PIN_ON;
		if (prm->modes == 0)
			prm->modes = PIN_OFF;
	}
}

/* ---- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct params prm;
	unsigned i;
	int r, m, rc = 0;

	bench_prog = "channel";
	progress_start();
	cpus_init();
	parse_args(argc, argv, &prm);
	print_header(&prm);
	fflush(stdout);

	for (i = 0; i < prm.nplist; i++) {
		measure(&prm, i);
		for (m = 0; m < NMODES; m++)
			if (mode_on(&prm, m))
				print_table(&prm, m, i);
	}
	print_footer();
	measure_ping(&prm);
	for (m = 0; m < NMODES; m++)
		if (mode_on(&prm, m))
			print_shared(&prm, m);
	for (m = 0; m < NMODES; m++)
		if (mode_on(&prm, m))
			print_bounded(&prm, m);
	for (m = 0; m < NMODES; m++)
		if (mode_on(&prm, m))
			print_ping(&prm, m);
	for (m = 0; m < NMODES; m++)
		if (mode_on(&prm, m))
			print_targets(&prm, m);
	fflush(stdout);

	if (prm.csv != NULL)
		write_csv(&prm);
	if (prm.plot != NULL)
		rc = write_plot(&prm);
	progress("done");

	for (m = 0; m < NMODES; m++) {
		for (i = 0; i < prm.nplist; i++)
			for (r = 0; r < NROWS; r++) {
				free(res[m][i][r].elapsed);
				free(res[m][i][r].sizes);
				free(res[m][i][r].probes);
			}
		for (i = 0; i < prm.nping; i++) {
			free(pres[m][i].p50);
			free(pres[m][i].p99);
			free(pres[m][i].cpu);
			free(pres[m][i].n);
			free(pres[m][i].probes);
		}
	}
	wfcq_cleanup();
	memory_cleanup();
	return rc;
}
