/* SPDX-License-Identifier: MIT */
/*
 * support.h - helpers shared by the Check suites: a watchdog that turns a
 * lost wake-up into a loud failure, a counting allocator that can be told
 * to fail, and a monotonic clock.
 */
#ifndef SPW_TESTS_SUPPORT_H
#define SPW_TESTS_SUPPORT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "spillway_runtime.h"

/*
 * Start the watchdog: if watchdog_stop() is not called within `seconds`,
 * print `what` and the state reported by the dump callback, then abort the
 * whole test program (a hang in CI becomes a failure with a message).
 */
void watchdog_start(const char *what, unsigned seconds,
		    void (*dump)(void *ctx), void *ctx);
void watchdog_stop(void);

/*
 * As watchdog_start(), but it fires only when *progress (a counter the
 * test advances as it receives) has not changed for `seconds`: a slow
 * machine is not a failure, a stuck receive is.
 */
void watchdog_start_progress(const char *what, unsigned seconds,
			     const atomic_size_t *progress,
			     void (*dump)(void *ctx), void *ctx);

/*
 * Assertions for threads other than the test's own. Check's ck_assert
 * long-jumps back into the test, which is undefined from another thread
 * when Check does not fork (CK_FORK=no, as under the sanitizers): these
 * print the failure and abort the program instead.
 */
#define T_ASSERT(cond) \
	((cond) ? (void)0 : thread_assert_fail(#cond, __FILE__, __LINE__))
#define T_ASSERT_ST(expr, want) \
	do { \
		spw_status t_st_ = (expr); \
		if (t_st_ != (want)) \
			thread_status_fail(#expr, t_st_, (want), __FILE__, \
					   __LINE__); \
	} while (0)
void thread_assert_fail(const char *what, const char *file, int line);
void thread_status_fail(const char *what, spw_status got, spw_status want,
			const char *file, int line);

/*
 * Checks for hot loops in the test's own thread. Check's ck_assert_*
 * macros record the location of every assertion that *passes* (a message
 * to the parent process when Check forks), which turns a loop over
 * millions of values into minutes of message parsing. These cost nothing
 * unless they fail, and then fail the test like ck_assert.
 */
#define CHECK(cond) \
	do { \
		if (!(cond)) \
			ck_abort_msg("%s:%d: check failed: %s", __FILE__, \
				     __LINE__, #cond); \
	} while (0)
#define CHECK_ST(expr, want) \
	do { \
		spw_status c_st_ = (expr); \
		if (c_st_ != (want)) \
			ck_abort_msg("%s:%d: %s returned %s, expected %s", \
				     __FILE__, __LINE__, #expr, \
				     spw_status_str(c_st_), \
				     spw_status_str(want)); \
	} while (0)

/* Seconds of CLOCK_MONOTONIC. */
double now_seconds(void);

/*
 * The counting allocator. Installed by alloc_install(); afterwards
 * alloc_live() is the number of blocks not yet freed, and
 * alloc_fail_after(k) makes every allocation after the next k fail
 * (k = SIZE_MAX: never fail).
 */
void alloc_install(void);
void alloc_uninstall(void);
long alloc_live(void);
/* Bytes in blocks not yet freed (usable sizes), and the most there were. */
size_t alloc_live_bytes(void);
size_t alloc_peak_bytes(void);
void alloc_fail_after(size_t k);
/* Blocks the calling thread has freed through the counting allocator. */
size_t alloc_thread_frees(void);

/*
 * Size knobs: stress sizes are divided by SPW_TEST_SCALE_DIV (environment
 * variable, default 1) so sanitizer builds can run smaller. Never below 1.
 */
size_t test_scaled(size_t n);

#endif
