/* SPDX-License-Identifier: MIT */
/*
 * latency.c - Spillway's latency benchmark.
 *
 * Two tests, each with blocking and spinning receivers, all in the same
 * run, rows and modes (unpinned, pinned) taking turns within each
 * repetition:
 *
 *   pingpong  two threads, a channel each way: the main thread sends i
 *             and waits for i to come back; one sample per round trip
 *   oneway    one sender at a fixed offered rate (default 1 M values/s,
 *             in bursts every 50 us; --burst-us may list several
 *             schedules, each its own table); each value is its
 *             *intended* send time (the burst's start on the schedule),
 *             so a sender that starts late or a receiver that stalls is
 *             counted in full (no coordinated omission); the receiver
 *             records now - intended for every value. The sender waits
 *             for each burst by spinning on CLOCK_MONOTONIC (a sleeping
 *             sender wakes 30-40 us late on the development VMs, which
 *             drowned every receiver's latency; --sender-wait=sleep
 *             keeps that behaviour), and its own lateness per burst is
 *             reported beside the receiver's
 *
 * Receivers (rows):
 *   spillway        spw_u64_recv (blocking)
 *   moody           moodycamel::BlockingConcurrentQueue::wait_dequeue
 *                   with a ConsumerToken (blocking)
 *   mutex           the hand-written mutex+condvar queue (blocking)
 *   spillway_spin   a spw_u64_try_recv loop (spinning)
 *   moody_spin      a ConcurrentQueue::try_dequeue loop (spinning)
 *
 * Reported per test, mode and row: p50, p99, p99.9 and max of the
 * samples of each repetition, as medians over the repetitions (and the
 * worst max), and the receiving thread's CPU use (CPU time /
 * wall time, CLOCK_THREAD_CPUTIME_ID: the ping-pong's echo thread, the
 * one-way receiver). One-way also: how often the receiver slept in the
 * kernel per burst (its voluntary context switches, RUSAGE_THREAD: does
 * a blocking receiver really block between bursts?) and the sender's
 * timing (p50 / p99 of how late it began each burst, p50 of how long it
 * took to send one), so that a reader sees whether the sender or the
 * receiver made the latency. Every value is checked: ping-pong values
 * come back equal, one-way values arrive in order and all of them.
 */
#define _GNU_SOURCE

#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_REPS 1000
#define DEFAULT_REPS 5
#define DEFAULT_WARMUP 1
#define DEFAULT_SECONDS 0.5
#define DEFAULT_RATE 1000000
#define DEFAULT_BURST_US 50
#define QUICK_REPS 3
#define QUICK_WARMUP 0
#define QUICK_SECONDS 0.05
#define PINGPONG_CAP ((size_t)8 << 20) /* round trips per repetition */
#define MAX_SCHED 4 /* one-way schedules (--burst-us LIST) */

enum test_id { T_PINGPONG,
	       T_ONEWAY,
	       NTESTS };
static const char *const test_key[NTESTS] = {"pingpong", "oneway"};

/*
 * Results are kept per slot: slot 0 is the ping-pong, slot 1 + s the
 * one-way test on schedule s (--burst-us), so that every schedule has
 * its own table and takes its turn with the other rows.
 */
#define NSLOTS (1 + MAX_SCHED)

static const char *const wait_key[] = {"sleep", "spin"}; /* enum pace_wait */

struct row_def {
	const char *key;
	const char *name;
	enum lat_kind kind;
	void (*pingpong)(struct lat_job *j);
	void (*oneway)(struct lat_job *j);
};

enum { NROWS = 5 };
static const struct row_def rows[NROWS] = {
	{"spillway", "spillway recv", LAT_BLOCK, spillway_pingpong,
	 spillway_oneway},
	{"moody", "moodycamel wait_dequeue", LAT_BLOCK, moody_pingpong,
	 moody_oneway},
	{"mutex", "mutex+condvar", LAT_BLOCK, mutex_pingpong, mutex_oneway},
	{"spillway_spin", "spillway try_recv spin", LAT_SPIN,
	 spillway_pingpong, spillway_oneway},
	{"moody_spin", "moodycamel try_dequeue spin", LAT_SPIN,
	 moody_pingpong, moody_oneway},
};

static const char *const kind_name[] = {"blocking", "spinning"};

struct params {
	int row_on[NROWS];
	int test_on[NTESTS];
	unsigned reps;
	unsigned warmup;
	double seconds;
	uint64_t rate;
	uint64_t burst_ns[MAX_SCHED];
	unsigned nsched;
	enum pace_wait sender_wait;
	size_t lanes;
	int modes;
	int quick;
	const char *csv;
	const char *plot;
};

/*
 * Per repetition: the quantiles of its samples, the receiver's CPU use;
 * one-way also its sleeps per burst, the sender's lateness (p50, p99)
 * and the time it took to send a burst (p50).
 */
enum stat { S_P50,
	    S_P99,
	    S_P999,
	    S_MAX,
	    S_CPU,
	    S_SLEEPS,
	    S_LATE50,
	    S_LATE99,
	    S_BUSY50,
	    NSTATS };

struct result {
	int valid;
	double *rep[NSTATS]; /* per repetition (cpu: a fraction) */
	size_t *n; /* samples per repetition */
	double *probes;
	double med[NSTATS];
	double worst; /* the largest max */
	size_t nmin;
};

static struct result res[NSLOTS][NMODES][NROWS];

static int mode_on(const struct params *prm, int m)
{
	return (prm->modes >> m) & 1;
}

static enum test_id slot_test(int t)
{
	return t == 0 ? T_PINGPONG : T_ONEWAY;
}

static int slot_on(const struct params *prm, int t)
{
	if (t == 0)
		return prm->test_on[T_PINGPONG];
	return prm->test_on[T_ONEWAY] && (unsigned)(t - 1) < prm->nsched;
}

static uint64_t slot_burst_ns(const struct params *prm, int t)
{
	return t == 0 ? 0 : prm->burst_ns[t - 1];
}

/* "pingpong", "oneway" or, with several schedules, "oneway 50us". */
static const char *slot_label(const struct params *prm, int t)
{
	static char buf[NSLOTS][32];

	if (t == 0 || prm->nsched == 1)
		return test_key[slot_test(t)];
	snprintf(buf[t], sizeof(buf[t]), "oneway %.0fus",
		 (double)slot_burst_ns(prm, t) / 1e3);
	return buf[t];
}

/* The receiving thread's voluntary context switches: its sleeps. */
static long thread_sleeps(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		die("getrusage: %s", strerror(errno));
	return ru.ru_nvcsw;
}

/* ---- measuring -------------------------------------------------------------- */

static struct pace_log sender_log;

/*
 * One run of row r on slot t in mode m; the samples in j, and for the
 * one-way test the sender's timing per burst in sender_log. *sleeps:
 * the receiving (this) thread's voluntary context switches over the run
 * (a few of them are the run's own: the first receive, 1 ms before the
 * first burst, and joining the sender).
 */
static void run_one(const struct params *prm, struct lat_job *j, int t,
		    int r, int m, long *sleeps)
{
	long s0;

	j->name = rows[r].name;
	j->kind = rows[r].kind;
	j->pinned = m;
	j->lanes = prm->lanes;
	j->duration_ns = (uint64_t)(prm->seconds * 1e9);
	j->rate = prm->rate;
	j->burst_ns = prm->burst_ns[t == 0 ? 0 : t - 1]; /* pingpong: unused */
	sender_log.n = 0;
	if (m)
		pin_self(cpu_receiver());
	s0 = thread_sleeps();
	if (slot_test(t) == T_PINGPONG)
		rows[r].pingpong(j);
	else
		rows[r].oneway(j);
	*sleeps = thread_sleeps() - s0;
	if (m)
		unpin_self();
	if (j->n == 0)
		die("%s: no samples", j->name);
	/* Every pacer waits once per burst: one lateness each. */
	if (slot_test(t) == T_ONEWAY && sender_log.n != oneway_bursts(j))
		die("%s: %zu sender waits for %llu bursts", j->name,
		    sender_log.n, (unsigned long long)oneway_bursts(j));
}

static void record(struct result *x, struct lat_job *j, int t, long sleeps,
		   unsigned rep)
{
	qsort(j->lat, j->n, sizeof(*j->lat), cmp_u64);
	x->rep[S_P50][rep] = (double)quantile_u64(j->lat, j->n, 0.5);
	x->rep[S_P99][rep] = (double)quantile_u64(j->lat, j->n, 0.99);
	x->rep[S_P999][rep] = (double)quantile_u64(j->lat, j->n, 0.999);
	x->rep[S_MAX][rep] = (double)j->lat[j->n - 1];
	x->rep[S_CPU][rep] = j->rx_wall_ns ? (double)j->rx_cpu_ns /
						     (double)j->rx_wall_ns
					   : 0;
	if (slot_test(t) == T_ONEWAY) {
		struct pace_log *l = &sender_log;

		qsort(l->late, l->n, sizeof(*l->late), cmp_u64);
		x->rep[S_SLEEPS][rep] = (double)sleeps /
					(double)oneway_bursts(j);
		x->rep[S_LATE50][rep] =
			(double)quantile_u64(l->late, l->n, 0.5);
		x->rep[S_LATE99][rep] =
			(double)quantile_u64(l->late, l->n, 0.99);
		/* busy: every burst but the last (n - 1 of them) */
		if (l->n > 1) {
			qsort(l->busy, l->n - 1, sizeof(*l->busy), cmp_u64);
			x->rep[S_BUSY50][rep] =
				(double)quantile_u64(l->busy, l->n - 1, 0.5);
		}
	}
	x->n[rep] = j->n;
}

static void measure(const struct params *prm)
{
	struct lat_job j;
	uint64_t ow, most = 0, bursts = 1;
	unsigned rep, k;
	long sleeps;
	int t, r, m, s;

	/* Room for the largest schedule's values and bursts. */
	memset(&j, 0, sizeof(j));
	j.rate = prm->rate;
	j.duration_ns = (uint64_t)(prm->seconds * 1e9);
	for (k = 0; k < prm->nsched; k++) {
		j.burst_ns = prm->burst_ns[k];
		ow = oneway_per_burst(&j) * oneway_bursts(&j);
		if (ow > most)
			most = ow;
		if (oneway_bursts(&j) > bursts)
			bursts = oneway_bursts(&j);
	}
	j.cap = most > PINGPONG_CAP ? (size_t)most : PINGPONG_CAP;
	j.lat = xmalloc(j.cap * sizeof(*j.lat));
	pace_wait = prm->sender_wait;
	sender_log.cap = (size_t)bursts;
	sender_log.late = xmalloc(sender_log.cap * sizeof(*sender_log.late));
	sender_log.busy = xmalloc(sender_log.cap * sizeof(*sender_log.busy));
	pace_log = &sender_log;

	for (t = 0; t < NSLOTS; t++)
		for (m = 0; m < NMODES; m++)
			for (r = 0; r < NROWS; r++) {
				struct result *x = &res[t][m][r];

				if (!slot_on(prm, t) || !mode_on(prm, m) ||
				    !prm->row_on[r])
					continue;
				for (s = 0; s < NSTATS; s++)
					x->rep[s] = xcalloc(prm->reps,
							    sizeof(double));
				x->n = xcalloc(prm->reps, sizeof(*x->n));
				x->probes = xcalloc(2 * prm->reps,
						    sizeof(*x->probes));
			}

	for (rep = 0; rep < prm->warmup + prm->reps; rep++) {
		int warm = rep < prm->warmup;
		unsigned tr = rep - prm->warmup;

		for (t = 0; t < NSLOTS; t++)
			for (r = 0; r < NROWS; r++)
				for (m = 0; m < NMODES; m++) {
					struct result *x = &res[t][m][r];

					if (x->n == NULL)
						continue;
					if (warm) {
						run_one(prm, &j, t, r, m,
							&sleeps);
						continue;
					}
					x->probes[2 * tr] = regime_probe();
					run_one(prm, &j, t, r, m, &sleeps);
					x->probes[2 * tr + 1] = regime_probe();
					record(x, &j, t, sleeps, tr);
					x->valid = 1;
				}
		if (warm) {
			progress("warm-up %u/%u done", rep + 1, prm->warmup);
			continue;
		}
		for (t = 0; t < NSLOTS; t++)
			for (m = 0; m < NMODES; m++) {
				char line[2048];
				size_t len = 0;

				for (r = 0; r < NROWS; r++) {
					const struct result *x = &res[t][m][r];

					if (!x->valid)
						continue;
					len += (size_t)snprintf(
						line + len, sizeof(line) - len,
						"%s%s %.0f/%.0f", len ? " | " : "",
						rows[r].key, x->rep[S_P50][tr],
						x->rep[S_P99][tr]);
					if (slot_test(t) == T_ONEWAY)
						len += (size_t)snprintf(
							line + len,
							sizeof(line) - len,
							" (sender late %.0f/%.0f "
							"burst %.0f, sleeps/burst "
							"%.2f)",
							x->rep[S_LATE50][tr],
							x->rep[S_LATE99][tr],
							x->rep[S_BUSY50][tr],
							x->rep[S_SLEEPS][tr]);
				}
				if (len != 0)
					progress("%s %s rep %u/%u: %s ns "
						 "(p50/p99)",
						 slot_label(prm, t), mode_name[m],
						 tr + 1, prm->reps, line);
			}
	}

	for (t = 0; t < NSLOTS; t++)
		for (m = 0; m < NMODES; m++)
			for (r = 0; r < NROWS; r++) {
				struct result *x = &res[t][m][r];

				if (!x->valid)
					continue;
				for (s = 0; s < NSTATS; s++)
					x->med[s] = median_of(x->rep[s],
							      prm->reps);
				x->worst = 0;
				x->nmin = x->n[0];
				for (k = 0; k < prm->reps; k++) {
					if (x->rep[S_MAX][k] > x->worst)
						x->worst = x->rep[S_MAX][k];
					if (x->n[k] < x->nmin)
						x->nmin = x->n[k];
				}
			}
	free(j.lat);
	pace_log = NULL;
	free(sender_log.late);
	free(sender_log.busy);
}

/* ---- the report ------------------------------------------------------------------- */

static void print_header(const struct params *prm, int argc, char **argv)
{
	const char *cmd = getenv("BENCH_COMMAND");
	struct lat_job j;
	unsigned k;
	int i;

	memset(&j, 0, sizeof(j));
	j.rate = prm->rate;
	printf("latency: ping-pong round trip and one-way latency at %.2f M "
	       "msg/s offered (bursts of ",
	       (double)prm->rate / 1e6);
	for (k = 0; k < prm->nsched; k++) {
		const char *sep = k == 0 ? "" : " or ";

		if (k != 0 && k + 1 < prm->nsched)
			sep = ", ";
		j.burst_ns = prm->burst_ns[k];
		printf("%s%llu values every %.0f us", sep,
		       (unsigned long long)oneway_per_burst(&j),
		       (double)prm->burst_ns[k] / 1e3);
	}
	printf(", stamped with their intended send time; the sender waits "
	       "for each burst by %s, --sender-wait=%s), u64 values; %u "
	       "repetitions (+%u warm-up) of %.2f s per row; spillway lanes "
	       "%s",
	       prm->sender_wait == PACE_SPIN ? "spinning on CLOCK_MONOTONIC"
					     : "sleeping in clock_nanosleep",
	       wait_key[prm->sender_wait], prm->reps, prm->warmup,
	       prm->seconds, prm->lanes ? "as given" : "default (8)");
	if (prm->lanes)
		printf(" (%zu)", prm->lanes);
	printf("; %ld CPUs online (%u allowed)", sysconf(_SC_NPROCESSORS_ONLN),
	       cpus_allowed());
#ifdef __VERSION__
	printf("; compiler %s", __VERSION__);
#endif
	printf("\nmodes: %s%s%s; pinned: receiver on CPU %d, the other "
	       "thread on CPU %d; regime: core-to-core round trip before and "
	       "after every run, near < %.0f ns <= far\ncommand: ",
	       mode_on(prm, 0) ? "unpinned" : "",
	       mode_on(prm, 0) && mode_on(prm, 1) ? " and " : "",
	       mode_on(prm, 1) ? "pinned" : "", cpu_receiver(),
	       cpu_producer(0), REGIME_FAR_NS);
	if (cmd != NULL)
		printf("%s", cmd);
	else
		for (i = 0; i < argc; i++)
			printf("%s%s", i ? " " : "", argv[i]);
	printf("\n");
}

static void print_table(const struct params *prm, int t, int m)
{
	double *all = xmalloc(NROWS * 2 * prm->reps * sizeof(*all));
	int oneway = slot_test(t) == T_ONEWAY;
	char regime[256];
	size_t n = 0;
	unsigned k;
	int r;

	for (r = 0; r < NROWS; r++)
		if (res[t][m][r].valid)
			for (k = 0; k < 2 * prm->reps; k++)
				all[n++] = res[t][m][r].probes[k];
	if (n == 0) {
		free(all);
		return;
	}
	regime_describe(regime, sizeof(regime), all, n);
	free(all);
	if (!oneway)
		printf("\n### Ping-pong round trip, %s\n\n", mode_name[m]);
	else
		printf("\n### One-way latency at %.2f M msg/s offered (bursts "
		       "every %.0f us), %s\n\n",
		       (double)prm->rate / 1e6,
		       (double)slot_burst_ns(prm, t) / 1e3, mode_name[m]);
	printf("regime: %s\n\n"
	       "| receiver | waits by | p50 (ns) | p99 (ns) | p99.9 (ns) | "
	       "max (ns) | worst max (ns) | %s CPU |%s %s/rep (fewest) |\n"
	       "|-|-|-|-|-|-|-|-|%s-|\n",
	       regime, oneway ? "receiver" : "echo thread",
	       oneway ? " receiver sleeps/burst | sender late p50 / p99 (ns) "
			"| sender burst p50 (ns) |"
		      : "",
	       oneway ? "values" : "round trips", oneway ? "-|-|-|" : "");
	for (r = 0; r < NROWS; r++) {
		const struct result *x = &res[t][m][r];

		if (!x->valid)
			continue;
		printf("| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f%% "
		       "|",
		       rows[r].name, kind_name[rows[r].kind], x->med[S_P50],
		       x->med[S_P99], x->med[S_P999], x->med[S_MAX], x->worst,
		       100 * x->med[S_CPU]);
		if (oneway)
			printf(" %.2f | %.0f / %.0f | %.0f |",
			       x->med[S_SLEEPS], x->med[S_LATE50],
			       x->med[S_LATE99], x->med[S_BUSY50]);
		printf(" %zu |\n", x->nmin);
	}
}

static void print_footer(const struct params *prm)
{
	int spin = prm->sender_wait == PACE_SPIN;

	printf("\np50, p99, p99.9, max: of each repetition's samples, the "
	       "median over the repetitions; worst max: the largest.\n"
	       "CPU: the receiving thread's CPU time / wall time (100%%: it "
	       "never slept).\n");
	if (!prm->test_on[T_ONEWAY])
		return;
	printf("One-way samples are receive time - intended send time (the "
	       "burst's start): a late sender counts, and so does the time "
	       "the sender takes to send the values of a burst before "
	       "value k.\n"
	       "Sender late: how late (on CLOCK_MONOTONIC) the sender began "
	       "each burst, p50 / p99 of a repetition, median over the "
	       "repetitions; it waits by %s. A burst begun late because the "
	       "last one took long, or because the sender lost its CPU, is "
	       "still stamped with its intended time. Sender burst: how long "
	       "the sender took to send a whole burst (p50). A receiver p50 "
	       "well above the sender's lateness plus half a burst is the "
	       "receiver's.\n"
	       "Receiver sleeps/burst: the receiving thread's voluntary "
	       "context switches (getrusage RUSAGE_THREAD) per burst: about "
	       "1, it slept in the kernel between bursts and was woken; about "
	       "0, it spun (or yielded) through the gap (mutex+condvar: "
	       "also its waits for the lock). spillway recv spins "
	       "for spw_config.spin_ns (default %u us: pause, then "
	       "sched_yield) before it parks, so a gap shorter than that "
	       "measures its spin, a longer one (--burst-us 200) a parked "
	       "wake-up.\n"
	       "Placement: %s, so on a 2-CPU "
	       "machine the pinned tables (receiver alone on CPU %d, sender "
	       "on CPU %d) are the ones that judge the receivers; unpinned, "
	       "the two threads time-slice with every other process the "
	       "scheduler puts on their CPUs.\n",
	       spin ? "spinning on the clock"
		    : "sleeping in clock_nanosleep (its wake-up time is "
		      "charged to every value of the burst)",
	       SPW_DEFAULT_SPIN_NS / 1000,
	       spin ? "the sender spins between bursts and a spinning "
		      "receiver never rests"
		    : "a spinning receiver never rests (the sender sleeps "
		      "between bursts)",
	       cpu_receiver(), cpu_producer(0));
}

/* ---- CSV and plot ------------------------------------------------------------------- */

static void write_csv(const struct params *prm)
{
	FILE *f = fopen(prm->csv, "w");
	unsigned k;
	int t, m, r, s;

	if (f == NULL)
		die("%s: %s", prm->csv, strerror(errno));
	/* Columns after rep_cpu_pct are new: one-way only, empty otherwise. */
	fprintf(f, "test,row,receiver,waits_by,mode,reps,seconds_per_rep,"
		   "rate_msg_s,burst_ns,p50_ns,p99_ns,p999_ns,max_ns,"
		   "worst_max_ns,rx_cpu_pct,samples_per_rep,round_trip_ns,"
		   "regime,round_trip_probes_ns,rep_p50_ns,rep_p99_ns,"
		   "rep_p999_ns,rep_max_ns,rep_cpu_pct,sender_wait,"
		   "rx_sleeps_per_burst,sender_late_p50_ns,sender_late_p99_ns,"
		   "sender_burst_p50_ns,rep_rx_sleeps_per_burst,"
		   "rep_sender_late_p50_ns,rep_sender_late_p99_ns,"
		   "rep_sender_burst_p50_ns\n");
	for (t = 0; t < NSLOTS; t++)
		for (m = 0; m < NMODES; m++)
			for (r = 0; r < NROWS; r++) {
				const struct result *x = &res[t][m][r];
				int oneway = slot_test(t) == T_ONEWAY;
				double rt;

				if (!x->valid)
					continue;
				rt = median_of(x->probes, 2 * prm->reps);
				fprintf(f, "%s,%s,\"%s\",%s,%s,%u,%.3f,%llu,"
					   "%llu,%.0f,%.0f,%.0f,%.0f,%.0f,%.1f,"
					   "%zu,%.0f,%s,",
					test_key[slot_test(t)], rows[r].key,
					rows[r].name, kind_name[rows[r].kind],
					mode_name[m], prm->reps, prm->seconds,
					oneway ? (unsigned long long)prm->rate : 0ULL,
					(unsigned long long)slot_burst_ns(prm, t),
					x->med[S_P50], x->med[S_P99],
					x->med[S_P999], x->med[S_MAX], x->worst,
					100 * x->med[S_CPU], x->nmin, rt,
					regime_name(rt));
				for (k = 0; k < 2 * prm->reps; k++)
					fprintf(f, "%s%.0f", k ? ";" : "",
						x->probes[k]);
				for (s = 0; s <= S_CPU; s++) {
					fprintf(f, ",");
					for (k = 0; k < prm->reps; k++)
						fprintf(f, "%s%.*f",
							k ? ";" : "",
							s == S_CPU ? 1 : 0,
							s == S_CPU ? 100 * x->rep[s][k] : x->rep[s][k]);
				}
				if (!oneway) {
					fprintf(f, ",,,,,,,,,\n");
					continue;
				}
				fprintf(f, ",%s,%.3f,%.0f,%.0f,%.0f",
					wait_key[prm->sender_wait],
					x->med[S_SLEEPS], x->med[S_LATE50],
					x->med[S_LATE99], x->med[S_BUSY50]);
				for (s = S_SLEEPS; s <= S_BUSY50; s++) {
					fprintf(f, ",");
					for (k = 0; k < prm->reps; k++)
						fprintf(f, "%s%.*f",
							k ? ";" : "",
							s == S_SLEEPS ? 3 : 0,
							x->rep[s][k]);
				}
				fprintf(f, "\n");
			}
	if (fclose(f) != 0)
		die("%s: %s", prm->csv, strerror(errno));
	progress("wrote %s", prm->csv);
}

/*
 * latency.png: one panel per test (and one-way schedule), clustered bars
 * p50 / p99 / p99.9 / max (log scale) for every row and mode, the
 * receiver's CPU use in the label.
 */
static int write_plot(const struct params *prm)
{
	char script[4096], base[4096];
	unsigned panels = 0;
	FILE *f;
	int t, m, r;

	plot_paths(prm->plot, script, sizeof(script), base, sizeof(base));
	for (t = 0; t < NSLOTS; t++)
		panels += slot_on(prm, t) ? 1 : 0;
	f = fopen(script, "w");
	if (f == NULL)
		die("%s: %s", script, strerror(errno));
	fprintf(f, "# Written by bench/latency.c. Run it from this folder: "
		   "gnuplot %s\n",
		strrchr(script, '/') ? strrchr(script, '/') + 1 : script);
	if (strlen(base) > 4 && strcmp(base + strlen(base) - 4, ".svg") == 0)
		fprintf(f, "set terminal svg size 1100,%u dynamic "
			   "background rgb 'white'\n",
			640 * panels);
	else
		fprintf(f, "set terminal pngcairo size 1100,%u\n", 640 * panels);
	fprintf(f, "set termoption noenhanced\n"
		   "set output '%s'\n"
		   "set style data histogram\n"
		   "set style histogram clustered gap 1\n"
		   "set style fill solid 0.8 border -1\n"
		   "set boxwidth 0.9\n"
		   "set logscale y 10\n"
		   "set yrange [1e-8:*]\n"
		   "set format y '%%.0s %%cs'\n"
		   "set ylabel 'latency (median over repetitions)'\n"
		   "set grid ytics\n"
		   "set key outside top center horizontal\n"
		   "set xtics rotate by -35 scale 0 font ',9'\n"
		   "set bmargin 12\nset rmargin 22\n",
		base);
	for (t = 0; t < NSLOTS; t++) {
		if (!slot_on(prm, t))
			continue;
		fprintf(f, "$%s%d << EOD\n", test_key[slot_test(t)], t);
		for (m = 0; m < NMODES; m++)
			for (r = 0; r < NROWS; r++) {
				const struct result *x = &res[t][m][r];

				if (!x->valid)
					continue;
				fprintf(f, "\"%s, %s, CPU %.0f%%\" %.0f %.0f "
					   "%.0f %.0f\n",
					rows[r].name, mode_name[m],
					100 * x->med[S_CPU], x->med[S_P50],
					x->med[S_P99], x->med[S_P999],
					x->med[S_MAX]);
			}
		fprintf(f, "EOD\n");
	}
	if (panels > 1)
		fprintf(f, "set multiplot layout %u,1\n", panels);
	for (t = 0; t < NSLOTS; t++) {
		if (!slot_on(prm, t))
			continue;
		if (slot_test(t) == T_PINGPONG)
			fprintf(f, "set title 'Ping-pong round trip'\n");
		else
			fprintf(f, "set title 'One-way latency at %.2f M msg/s "
				   "offered, bursts every %.0f us (receive - "
				   "intended send time; sender waits by "
				   "%s)'\n",
				(double)prm->rate / 1e6,
				(double)slot_burst_ns(prm, t) / 1e3,
				prm->sender_wait == PACE_SPIN ? "spinning"
							      : "sleeping");
		fprintf(f, "plot $%s%d using ($2 * 1e-9):xtic(1) title 'p50' "
			   "lc rgb '#1f77b4', '' using ($3 * 1e-9) title 'p99' "
			   "lc rgb '#ff7f0e', '' using ($4 * 1e-9) title "
			   "'p99.9' lc rgb '#d62728', '' using ($5 * 1e-9) "
			   "title 'max' lc rgb '#7f7f7f'\n",
			test_key[slot_test(t)], t);
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

/* ---- flags ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	int r;

	fprintf(f,
		"usage: %s [flags]\n"
		"\n"
		"Ping-pong round trip and one-way latency at a fixed offered rate,\n"
		"blocking and spinning receivers, unpinned and pinned, rows in\n"
		"turns; p50/p99/p99.9/max and the receiver's CPU use. Tables to\n"
		"stdout, progress to stderr.\n"
		"\n"
		"  --tests LIST        pingpong, oneway (default both)\n"
		"  --rows LIST         receivers (default all):",
		bench_prog);
	for (r = 0; r < NROWS; r++)
		fprintf(f, " %s", rows[r].key);
	fprintf(f,
		"\n"
		"  --reps R            timed repetitions (default %d)\n"
		"  --warmup W          untimed rounds before them (default %d)\n"
		"  --seconds S         per run (default %.2f)\n"
		"  --rate N            one-way: values per second (default %d)\n"
		"  --burst-us LIST     one-way: a burst every U us, one table per\n"
		"                      U (default %d; at most %d, e.g. 50,200)\n"
		"  --sender-wait=W     one-way: the sender waits for each burst\n"
		"                      by spin (on the clock, the default) or\n"
		"                      sleep (clock_nanosleep: its wake-up is\n"
		"                      charged to every value of the burst)\n"
		"  --lanes L           spillway lanes (default: SPW_CONFIG_DEFAULT)\n"
		"  --pin[=on|off|both] placement (default both; --pin: pinned)\n"
		"  --csv FILE          also write the results as CSV\n"
		"  --plot FILE         also plot them with gnuplot (.png or .svg;\n"
		"                      the script goes to FILE with .gp)\n"
		"  --quick             --reps %d --warmup %d --seconds %.2f\n"
		"                      (explicit flags still win)\n"
		"  --help              this text\n",
		DEFAULT_REPS, DEFAULT_WARMUP, DEFAULT_SECONDS, DEFAULT_RATE,
		DEFAULT_BURST_US, MAX_SCHED, QUICK_REPS, QUICK_WARMUP,
		QUICK_SECONDS);
}

static void parse_keys(const char *flag, const char *list,
		       const char *const *keys, int nkeys, int *on)
{
	char buf[256], *tok, *save = NULL;
	int k, found, any = 0;

	if (strlen(list) >= sizeof(buf))
		bad_usage("%s: list too long", flag);
	strcpy(buf, list);
	memset(on, 0, (size_t)nkeys * sizeof(*on));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		found = 0;
		for (k = 0; k < nkeys; k++)
			if (strcmp(tok, keys[k]) == 0 ||
			    strcmp(tok, "all") == 0)
				on[k] = found = any = 1;
		if (!found)
			bad_usage("%s: unknown '%s'", flag, tok);
	}
	if (!any)
		bad_usage("%s: none chosen", flag);
}

enum {
	OPT_TESTS = 256,
	OPT_ROWS,
	OPT_REPS,
	OPT_WARMUP,
	OPT_SECONDS,
	OPT_RATE,
	OPT_BURST,
	OPT_SENDER_WAIT,
	OPT_LANES,
	OPT_PIN,
	OPT_CSV,
	OPT_PLOT,
	OPT_QUICK
};

static const struct option options[] = {
	{"tests", required_argument, NULL, OPT_TESTS},
	{"rows", required_argument, NULL, OPT_ROWS},
	{"reps", required_argument, NULL, OPT_REPS},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"seconds", required_argument, NULL, OPT_SECONDS},
	{"rate", required_argument, NULL, OPT_RATE},
	{"burst-us", required_argument, NULL, OPT_BURST},
	{"sender-wait", required_argument, NULL, OPT_SENDER_WAIT},
	{"lanes", required_argument, NULL, OPT_LANES},
	{"pin", optional_argument, NULL, OPT_PIN},
	{"csv", required_argument, NULL, OPT_CSV},
	{"plot", required_argument, NULL, OPT_PLOT},
	{"quick", no_argument, NULL, OPT_QUICK},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

static void parse_args(int argc, char **argv, struct params *prm)
{
	const char *row_keys[NROWS];
	unsigned us[MAX_SCHED], k;
	int set_reps = 0, set_warmup = 0, set_seconds = 0, opt, r;

	memset(prm, 0, sizeof(*prm));
	for (r = 0; r < NROWS; r++) {
		prm->row_on[r] = 1;
		row_keys[r] = rows[r].key;
	}
	prm->test_on[T_PINGPONG] = prm->test_on[T_ONEWAY] = 1;
	prm->reps = DEFAULT_REPS;
	prm->warmup = DEFAULT_WARMUP;
	prm->seconds = DEFAULT_SECONDS;
	prm->rate = DEFAULT_RATE;
	prm->burst_ns[0] = (uint64_t)DEFAULT_BURST_US * 1000;
	prm->nsched = 1;
	prm->sender_wait = PACE_SPIN;
	prm->modes = PIN_BOTH;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_TESTS:
			parse_keys("--tests", optarg, test_key, NTESTS,
				   prm->test_on);
			break;
		case OPT_ROWS:
			parse_keys("--rows", optarg, row_keys, NROWS,
				   prm->row_on);
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
		case OPT_SECONDS:
			prm->seconds = parse_double("--seconds", optarg, 0.001,
						    60);
			set_seconds = 1;
			break;
		case OPT_RATE:
			prm->rate = parse_uint("--rate", optarg, 1, 100000000);
			break;
		case OPT_BURST:
			prm->nsched = parse_list("--burst-us", optarg, us,
						 MAX_SCHED, 1, 1000000);
			for (k = 0; k < prm->nsched; k++)
				prm->burst_ns[k] = 1000 * (uint64_t)us[k];
			break;
		case OPT_SENDER_WAIT:
			if (strcmp(optarg, "spin") == 0)
				prm->sender_wait = PACE_SPIN;
			else if (strcmp(optarg, "sleep") == 0)
				prm->sender_wait = PACE_SLEEP;
			else
				bad_usage("--sender-wait: spin or sleep, not "
					  "'%s'",
					  optarg);
			break;
		case OPT_LANES:
			prm->lanes = parse_uint("--lanes", optarg, 1,
						SPW_MAX_LANES);
			break;
		case OPT_PIN:
			prm->modes = parse_pin(optarg);
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
	if (prm->quick && !set_seconds)
		prm->seconds = QUICK_SECONDS;
	if ((double)prm->rate * prm->seconds > 1e8)
		bad_usage("--rate x --seconds: at most 1e8 values per run");
	if ((prm->modes & PIN_ON) && cpus_allowed() < 2) {
		fprintf(stderr, "%s: fewer than 2 CPUs: no pinned mode\n",
			bench_prog);
		prm->modes &= ~PIN_ON;
		if (prm->modes == 0)
			prm->modes = PIN_OFF;
	}
}

/* ---- main ------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct params prm;
	int t, m, r, s, rc = 0;

	bench_prog = "latency";
	progress_start();
	cpus_init();
	parse_args(argc, argv, &prm);
	print_header(&prm, argc, argv);
	fflush(stdout);

	measure(&prm);
	for (t = 0; t < NSLOTS; t++)
		for (m = 0; m < NMODES; m++)
			print_table(&prm, t, m);
	print_footer(&prm);
	fflush(stdout);

	if (prm.csv != NULL)
		write_csv(&prm);
	if (prm.plot != NULL)
		rc = write_plot(&prm);
	progress("done");

	for (t = 0; t < NSLOTS; t++)
		for (m = 0; m < NMODES; m++)
			for (r = 0; r < NROWS; r++) {
				for (s = 0; s < NSTATS; s++)
					free(res[t][m][r].rep[s]);
				free(res[t][m][r].n);
				free(res[t][m][r].probes);
			}
	return rc;
}
