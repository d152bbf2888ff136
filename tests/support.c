/* SPDX-License-Identifier: MIT */
/*
 * support.c - see support.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "support.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- watchdog ---------------------------------------------------------- */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond;
static pthread_t wd_thread;
static int wd_running, wd_stop;
static const char *wd_what;
static unsigned wd_seconds;
static void (*wd_dump)(void *);
static void *wd_ctx;
static const atomic_size_t *wd_progress;

/* Every thread's stack, through gdb when it is there: where is it stuck? */
static void dump_threads(void)
{
	char cmd[256];

	if (getenv("SPW_WATCHDOG_NO_GDB") != NULL ||
	    system("command -v gdb >/dev/null 2>&1") != 0)
		return;
	snprintf(cmd, sizeof(cmd),
		 "gdb -p %ld -batch -nx -ex 'thread apply all bt' "
		 "</dev/null 1>&2 2>/dev/null",
		 (long)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "watchdog: gdb could not attach\n");
}

static void *watchdog_main(void *arg)
{
	struct timespec deadline;
	size_t last = wd_progress ? atomic_load(wd_progress) : 0;
	double last_change = now_seconds();

	(void)arg;
	pthread_mutex_lock(&wd_lock);
	for (;;) {
		/* Wake once a second to look at the progress counter. */
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += 1;
		pthread_cond_timedwait(&wd_cond, &wd_lock, &deadline);
		if (wd_stop)
			break;
		if (wd_progress != NULL) {
			size_t now = atomic_load(wd_progress);

			if (now != last) {
				last = now;
				last_change = now_seconds();
			}
		}
		if (now_seconds() - last_change > wd_seconds)
			break;
	}
	if (!wd_stop) {
		fprintf(stderr,
			"\nWATCHDOG: %s %s %u s (lost wake-up or deadlock?)\n",
			wd_what,
			wd_progress ? "made no progress for" :
				      "did not finish within",
			wd_seconds);
		if (wd_dump != NULL)
			wd_dump(wd_ctx);
		fflush(stderr);
		dump_threads();
		abort();
	}
	pthread_mutex_unlock(&wd_lock);
	return NULL;
}

void watchdog_start(const char *what, unsigned seconds,
		    void (*dump)(void *ctx), void *ctx)
{
	watchdog_start_progress(what, seconds, NULL, dump, ctx);
}

void watchdog_start_progress(const char *what, unsigned seconds,
			     const atomic_size_t *progress,
			     void (*dump)(void *ctx), void *ctx)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wd_cond, &attr);
	pthread_condattr_destroy(&attr);
	wd_what = what;
	wd_seconds = seconds;
	wd_dump = dump;
	wd_ctx = ctx;
	wd_progress = progress;
	wd_stop = 0;
	if (pthread_create(&wd_thread, NULL, watchdog_main, NULL) != 0) {
		fprintf(stderr, "watchdog: cannot start\n");
		abort();
	}
	wd_running = 1;
}

void watchdog_stop(void)
{
	if (!wd_running)
		return;
	pthread_mutex_lock(&wd_lock);
	wd_stop = 1;
	pthread_cond_signal(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	pthread_join(wd_thread, NULL);
	pthread_cond_destroy(&wd_cond);
	wd_running = 0;
}

void thread_assert_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: assertion failed in a thread: %s\n", file,
		line, what);
	fflush(stderr);
	abort();
}

void thread_status_fail(const char *what, spw_status got, spw_status want,
			const char *file, int line)
{
	fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", file, line,
		what, spw_status_str(got), spw_status_str(want));
	fflush(stderr);
	abort();
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- counting allocator ------------------------------------------------ */

static atomic_long live;
static atomic_size_t live_bytes, peak_bytes;
static atomic_size_t budget = SIZE_MAX;

static int take_budget(void)
{
	size_t b = atomic_load(&budget);

	while (b != SIZE_MAX) {
		if (b == 0)
			return 0;
		if (atomic_compare_exchange_weak(&budget, &b, b - 1))
			return 1;
	}
	return 1;
}

/*
 * Bytes are counted with malloc_usable_size(), so that a block allocated
 * here may still be freed with free() after alloc_uninstall() and the
 * other way round.
 */
static void *count_alloc(size_t size, void *ctx)
{
	void *p;
	size_t now, peak;

	(void)ctx;
	if (!take_budget())
		return NULL;
	p = malloc(size);
	if (p == NULL)
		return NULL;
	atomic_fetch_add(&live, 1);
	size = malloc_usable_size(p);
	now = atomic_fetch_add(&live_bytes, size) + size;
	peak = atomic_load(&peak_bytes);
	while (now > peak &&
	       !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
		;
	return p;
}

static _Thread_local size_t thread_frees;

size_t alloc_thread_frees(void)
{
	return thread_frees;
}

static void count_free(void *ptr, void *ctx)
{
	(void)ctx;
	if (ptr == NULL)
		return;
	thread_frees++;
	atomic_fetch_sub(&live, 1);
	atomic_fetch_sub(&live_bytes, malloc_usable_size(ptr));
	free(ptr);
}

void alloc_install(void)
{
	static const spw_allocator a = { count_alloc, count_free, NULL };

	atomic_store(&live, 0);
	atomic_store(&live_bytes, 0);
	atomic_store(&peak_bytes, 0);
	atomic_store(&budget, SIZE_MAX);
	spw_set_allocator(&a);
}

void alloc_uninstall(void)
{
	atomic_store(&budget, SIZE_MAX);
	spw_set_allocator(NULL);
}

long alloc_live(void)
{
	return atomic_load(&live);
}

size_t alloc_live_bytes(void)
{
	return atomic_load(&live_bytes);
}

size_t alloc_peak_bytes(void)
{
	return atomic_load(&peak_bytes);
}

void alloc_fail_after(size_t k)
{
	atomic_store(&budget, k);
}

size_t test_scaled(size_t n)
{
	const char *s = getenv("SPW_TEST_SCALE_DIV");
	unsigned long div = s != NULL ? strtoul(s, NULL, 10) : 1;

	if (div < 1)
		div = 1;
	n /= div;
	return n < 1 ? 1 : n;
}
