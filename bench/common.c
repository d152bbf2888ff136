/* SPDX-License-Identifier: MIT */
/*
 * common.c - the shared part of the benchmarks: see bench.h.
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET, pthread_setaffinity_np */

#include "bench.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

const char *bench_prog = "bench";
static uint64_t t_start;

/* ---- errors, memory, clocks --------------------------------------------- */

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", bench_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", bench_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size != 0 ? size : 1);

	if (p == NULL)
		die("out of memory (%zu bytes)", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n != 0 ? n : 1, size != 0 ? size : 1);

	if (p == NULL)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void progress_start(void)
{
	t_start = now_ns();
}

void progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%7.1fs] ", (double)(now_ns() - t_start) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the receiver's checks ------------------------------------------------ */

void checker_init(struct checker *c, const struct job *job)
{
	c->job = job;
	c->next = xcalloc(job->producers, sizeof(*c->next));
	c->count = 0;
	c->sum = 0;
}

void checker_bad(const struct checker *c, uint64_t v)
{
	uint64_t p = v >> VALUE_SHIFT;

	if (p >= c->job->producers)
		die("%s: received %#llx from no producer (value %llu)",
		    c->job->name, (unsigned long long)v,
		    (unsigned long long)c->count);
	die("%s: producer %llu: expected index %llu, received %llu "
	    "(out of order, lost or duplicated)",
	    c->job->name, (unsigned long long)p,
	    (unsigned long long)c->next[p],
	    (unsigned long long)(v & INDEX_MASK));
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

void checker_finish(struct checker *c)
{
	const struct job *job = c->job;
	unsigned p;

	if (c->count != job->values)
		die("%s: received %llu values, expected %llu", job->name,
		    (unsigned long long)c->count,
		    (unsigned long long)job->values);
	for (p = 0; p < job->producers; p++)
		if (c->next[p] != share(job, p))
			die("%s: producer %u: received %llu values, sent %llu",
			    job->name, p, (unsigned long long)c->next[p],
			    (unsigned long long)share(job, p));
	if (c->sum != expected_sum(job))
		die("%s: sum %llu, expected %llu", job->name,
		    (unsigned long long)c->sum,
		    (unsigned long long)expected_sum(job));
	free(c->next);
	c->next = NULL;
}

/* ---- the start gate -------------------------------------------------------- */

void gate_init(struct gate *g)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->arrived, NULL);
	pthread_cond_init(&g->opened, NULL);
	g->waiting = 0;
	g->open = 0;
}

void gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->opened);
	pthread_cond_destroy(&g->arrived);
	pthread_mutex_destroy(&g->lock);
}

void gate_wait(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->waiting++;
	pthread_cond_signal(&g->arrived);
	while (!g->open)
		pthread_cond_wait(&g->opened, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

uint64_t gate_open(struct gate *g, unsigned n)
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

void idle_yield(void)
{
	sched_yield();
}

/* ---- CPU placement ----------------------------------------------------------- */

static cpu_set_t initial_mask;
static int allowed[CPU_SETSIZE];
static unsigned nallowed;

void cpus_init(void)
{
	int c;

	CPU_ZERO(&initial_mask);
	if (sched_getaffinity(0, sizeof(initial_mask), &initial_mask) != 0)
		die("sched_getaffinity: %s", strerror(errno));
	nallowed = 0;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &initial_mask))
			allowed[nallowed++] = c;
}

unsigned cpus_allowed(void)
{
	return nallowed;
}

int cpu_receiver(void)
{
	return nallowed >= 2 ? allowed[0] : -1;
}

int cpu_producer(unsigned p)
{
	return nallowed >= 2 ? allowed[1 + p % (nallowed - 1)] : -1;
}

void pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* pid 0 is the calling thread. */
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("sched_setaffinity(CPU %d): %s", cpu, strerror(errno));
}

void unpin_self(void)
{
	if (nallowed == 0)
		return;
	if (sched_setaffinity(0, sizeof(initial_mask), &initial_mask) != 0)
		die("sched_setaffinity: %s", strerror(errno));
}

const char *const mode_name[NMODES] = {"unpinned", "pinned"};

enum pin_mode parse_pin(const char *arg)
{
	if (arg == NULL || strcmp(arg, "on") == 0 || strcmp(arg, "yes") == 0)
		return PIN_ON;
	if (strcmp(arg, "off") == 0 || strcmp(arg, "no") == 0)
		return PIN_OFF;
	if (strcmp(arg, "both") == 0)
		return PIN_BOTH;
	bad_usage("--pin: '%s' is not on, off or both", arg);
}

/* ---- producer threads --------------------------------------------------------- */

struct producer *producers_new(const struct job *job, struct gate *g)
{
	struct producer *prs = xcalloc(job->producers, sizeof(*prs));
	unsigned p;

	for (p = 0; p < job->producers; p++) {
		prs[p].id = p;
		prs[p].count = share(job, p);
		prs[p].gate = g;
		prs[p].cpu = job->pinned ? cpu_producer(p) : -1;
	}
	return prs;
}

static void *producer_trampoline(void *arg)
{
	struct producer *pr = arg;

	pin_self(pr->cpu);
	return pr->fn(pr);
}

void producers_start(struct producer *prs, unsigned n,
		     void *(*fn)(struct producer *))
{
	unsigned p;
	int rc;

	for (p = 0; p < n; p++) {
		prs[p].fn = fn;
		rc = pthread_create(&prs[p].thread, NULL, producer_trampoline,
				    &prs[p]);
		if (rc != 0)
			die("pthread_create: %s", strerror(rc));
	}
}

void producers_join(struct producer *prs, unsigned n)
{
	unsigned p;

	for (p = 0; p < n; p++)
		pthread_join(prs[p].thread, NULL);
}

static void *lat_trampoline(void *arg)
{
	struct lat_thread *t = arg;

	pin_self(t->cpu);
	return t->fn(t);
}

void lat_thread_start(struct lat_thread *t, int cpu,
		      void *(*fn)(struct lat_thread *), void *arg)
{
	int rc;

	t->cpu = cpu;
	t->fn = fn;
	t->arg = arg;
	t->cpu_ns = t->wall_ns = 0;
	rc = pthread_create(&t->thread, NULL, lat_trampoline, t);
	if (rc != 0)
		die("pthread_create: %s", strerror(rc));
}

void lat_thread_join(struct lat_thread *t)
{
	pthread_join(t->thread, NULL);
}

/* ---- the regime probe ----------------------------------------------------------- */

#define PROBE_BATCH 16 /* round trips per timed batch */
#define PROBE_BATCHES 64 /* timed batches */
#define PROBE_WARMUP 8 /* untimed batches first */

struct probe {
	_Alignas(64) atomic_uint_fast64_t ball;
	_Alignas(64) uint64_t rounds;
};

static void *probe_partner(void *arg)
{
	struct probe *pb = arg;
	uint64_t i, want;

	pin_self(allowed[1]);
	for (i = 0; i < pb->rounds; i++) {
		want = 2 * i + 1;
		while (atomic_load_explicit(&pb->ball, memory_order_acquire) !=
		       want)
			CPU_RELAX();
		atomic_store_explicit(&pb->ball, want + 1,
				      memory_order_release);
	}
	return NULL;
}

double regime_probe(void)
{
	struct probe pb;
	pthread_t th;
	double rt[PROBE_BATCHES];
	uint64_t i, b, t0, want;
	int rc;

	if (nallowed < 2)
		return 0;
	atomic_init(&pb.ball, 0);
	pb.rounds = (uint64_t)(PROBE_WARMUP + PROBE_BATCHES) * PROBE_BATCH;
	pin_self(allowed[0]);
	rc = pthread_create(&th, NULL, probe_partner, &pb);
	if (rc != 0)
		die("pthread_create: %s", strerror(rc));
	i = 0;
	for (b = 0; b < PROBE_WARMUP + PROBE_BATCHES; b++) {
		t0 = now_ns();
		for (uint64_t k = 0; k < PROBE_BATCH; k++, i++) {
			atomic_store_explicit(&pb.ball, 2 * i + 1,
					      memory_order_release);
			want = 2 * i + 2;
			while (atomic_load_explicit(&pb.ball,
						    memory_order_acquire) !=
			       want)
				CPU_RELAX();
		}
		if (b >= PROBE_WARMUP)
			rt[b - PROBE_WARMUP] =
				(double)(now_ns() - t0) / PROBE_BATCH;
	}
	pthread_join(th, NULL);
	unpin_self();
	return median_of(rt, PROBE_BATCHES);
}

void regime_describe(char *buf, size_t size, const double *probes, size_t n)
{
	size_t i, far = 0, valid = 0;
	double med, hi = 0, lo = 0;

	for (i = 0; i < n; i++) {
		if (probes[i] <= 0)
			continue;
		if (valid == 0 || probes[i] < lo)
			lo = probes[i];
		if (probes[i] > hi)
			hi = probes[i];
		valid++;
		far += probes[i] >= REGIME_FAR_NS;
	}
	if (valid == 0) {
		snprintf(buf, size, "round trip n/a (fewer than 2 CPUs)");
		return;
	}
	med = median_of(probes, n);
	if (far == 0 || far == valid)
		snprintf(buf, size, "round trip %.0f ns (%s; %zu probes, "
				    "%.0f..%.0f ns)",
			 med, regime_name(med), valid, lo, hi);
	else
		snprintf(buf, size, "round trip %.0f ns (%s; mixed: %zu of "
				    "%zu probes far, %.0f..%.0f ns)",
			 med, regime_name(med), far, valid, lo, hi);
}

/* ---- statistics ---------------------------------------------------------------- */

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Median of the positive values of v (probes of 0 mean "not measured"). */
double median_of(const double *v, size_t n)
{
	double *s = xmalloc(n * sizeof(*s)), m;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (v[i] > 0)
			s[k++] = v[i];
	if (k == 0) {
		free(s);
		return 0;
	}
	qsort(s, k, sizeof(*s), cmp_double);
	m = k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
	free(s);
	return m;
}

double stddev_of(const double *v, size_t n)
{
	double mean = 0, var = 0;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		mean += v[i];
	mean /= (double)n;
	for (i = 0; i < n; i++)
		var += (v[i] - mean) * (v[i] - mean);
	return sqrt(var / (double)(n - 1));
}

uint64_t quantile_u64(const uint64_t *sorted, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* ---- flags ------------------------------------------------------------------------ */

uint64_t parse_uint(const char *flag, const char *s, uint64_t min,
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

double parse_double(const char *flag, const char *s, double min, double max)
{
	double v;
	char *end;

	if (s == NULL)
		bad_usage("%s needs a value", flag);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= min && v <= max))
		bad_usage("%s: '%s' is not a number in %g..%g", flag, s, min,
			  max);
	return v;
}

unsigned parse_list(const char *flag, const char *s, unsigned *out,
		    unsigned max, uint64_t min, uint64_t maxv)
{
	char buf[256], *tok, *save = NULL;
	unsigned n = 0;

	if (s == NULL)
		bad_usage("%s needs a value", flag);
	if (strlen(s) >= sizeof(buf))
		bad_usage("%s: list too long", flag);
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			bad_usage("%s: at most %u entries", flag, max);
		out[n++] = (unsigned)parse_uint(flag, tok, min, maxv);
	}
	if (n == 0)
		bad_usage("%s: empty list", flag);
	return n;
}

/* ---- gnuplot ------------------------------------------------------------------------ */

void plot_paths(const char *plot, char *script, size_t ssize, char *base,
		size_t bsize)
{
	const char *slash = strrchr(plot, '/');
	const char *dot = strrchr(plot, '.');
	size_t stem = dot != NULL && (slash == NULL || dot > slash) ? (size_t)(dot - plot) : strlen(plot);

	if (stem + 4 >= ssize || strlen(plot) >= bsize)
		die("--plot: path too long");
	if (strchr(plot, '\'') != NULL)
		die("--plot: the path may not contain a quote");
	memcpy(script, plot, stem);
	strcpy(script + stem, ".gp");
	strcpy(base, slash != NULL ? slash + 1 : plot);
}

int run_gnuplot(const char *script)
{
	const char *slash = strrchr(script, '/');
	char dir[4096];
	pid_t pid;
	int status;

	if (slash != NULL) {
		if ((size_t)(slash - script) >= sizeof(dir))
			die("%s: path too long", script);
		memcpy(dir, script, (size_t)(slash - script));
		dir[slash - script] = '\0';
		if (dir[0] == '\0')
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", bench_prog, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (chdir(dir) != 0)
			_exit(126);
		execlp("gnuplot", "gnuplot", slash != NULL ? slash + 1 : script,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			fprintf(stderr, "%s: cannot run gnuplot; the script "
					"is %s\n",
				bench_prog, script);
		else
			fprintf(stderr, "%s: gnuplot failed on %s\n",
				bench_prog, script);
		return 1;
	}
	return 0;
}

/* ---- latency helpers ------------------------------------------------------------------ */

uint64_t oneway_per_burst(const struct lat_job *j)
{
	uint64_t n = j->rate * j->burst_ns / 1000000000u;

	return n != 0 ? n : 1;
}

uint64_t oneway_bursts(const struct lat_job *j)
{
	uint64_t n = j->duration_ns / j->burst_ns;

	return n != 0 ? n : 1;
}

void pace_thread_setup(void)
{
	/* The default 50 us of timer slack would be counted as latency. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

enum pace_wait pace_wait = PACE_SLEEP;
struct pace_log *pace_log;

void sleep_until(uint64_t t_ns)
{
	struct pace_log *log = pace_log;
	struct timespec ts;
	uint64_t now = now_ns();

	if (log != NULL && log->n != 0 && log->n <= log->cap)
		log->busy[log->n - 1] = now - log->last;

	/*
	 * Behind schedule: no system call. On the development VMs even a
	 * clock_nanosleep for a time already past costs ~80 us under load
	 * (the thread goes back through the scheduler), which would keep a
	 * late sender late. Spinning: a pause between clock reads (vDSO,
	 * no system call), so the sender starts within a clock read or two
	 * of t_ns unless the kernel takes its CPU away.
	 */
	if (now < t_ns && pace_wait == PACE_SPIN) {
		do {
			CPU_RELAX();
			now = now_ns();
		} while (now < t_ns);
	} else if (now < t_ns) {
		ts.tv_sec = (time_t)(t_ns / 1000000000u);
		ts.tv_nsec = (long)(t_ns % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
		if (log != NULL)
			now = now_ns();
	}
	if (log != NULL && log->n < log->cap) {
		log->late[log->n++] = now - t_ns;
		log->last = now;
	}
}

void oneway_finish(const struct lat_job *j)
{
	uint64_t want = oneway_per_burst(j) * oneway_bursts(j);

	if (j->n != want)
		die("%s: received %zu values, sent %llu", j->name, j->n,
		    (unsigned long long)want);
}
