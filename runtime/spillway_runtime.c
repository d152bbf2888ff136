/* SPDX-License-Identifier: MIT */
/*
 * spillway_runtime.c - the type-independent core of Spillway for C.
 * See spillway_runtime.h for the contract of each function.
 */
#define _GNU_SOURCE /* syscall(), sched_yield(), clock_gettime() */

#include "spillway_core.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#ifdef __linux__
#include <linux/membarrier.h>
#include <sys/syscall.h>
#endif
/* The descriptor: an eventfd on Linux, a pipe elsewhere or on request. */
#if defined(__linux__) && !defined(SPW_NO_EVENTFD)
#define SPW_EVENTFD 1
#include <sys/eventfd.h>
#endif

/* ---- status codes ------------------------------------------------------ */

const char *spw_status_str(spw_status status)
{
	switch (status) {
	case SPW_OK:
		return "ok";
	case SPW_EMPTY:
		return "empty: no value is ready";
	case SPW_CLOSED:
		return "closed";
	case SPW_FULL:
		return "full: the channel is at capacity";
	case SPW_TIMEOUT:
		return "timed out";
	case SPW_NOMEM:
		return "out of memory";
	case SPW_INVALID:
		return "invalid argument";
	}
	return "unknown status";
}

/* ---- configuration ----------------------------------------------------- */

void spw_config_init(spw_config *cfg)
{
	static const spw_config defaults = SPW_CONFIG_DEFAULT;

	if (cfg != NULL)
		*cfg = defaults;
}

spw_status spw_config_check(const spw_config *cfg)
{
	if (cfg == NULL)
		return SPW_INVALID;
	if (cfg->lanes == 0 || cfg->lanes > SPW_MAX_LANES)
		return SPW_INVALID;
	if (cfg->capacity > SPW_MAX_CAPACITY)
		return SPW_INVALID;
	if (cfg->initial_buffer > SPW_MAX_INITIAL_BUFFER)
		return SPW_INVALID;
	if (cfg->destroy == NULL && cfg->destroy_ctx != NULL)
		return SPW_INVALID;
	if (cfg->spin_ns > SPW_MAX_SPIN_NS)
		return SPW_INVALID;
	return SPW_OK;
}

/* ---- memory ------------------------------------------------------------ */

static void *std_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void std_free(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static spw_allocator allocator = { std_alloc, std_free, NULL };

void spw_set_allocator(const spw_allocator *a)
{
	if (a == NULL || a->alloc == NULL || a->free == NULL) {
		allocator.alloc = std_alloc;
		allocator.free = std_free;
		allocator.ctx = NULL;
		return;
	}
	allocator = *a;
}

void *spw_mem_alloc(size_t size)
{
	return allocator.alloc(size, allocator.ctx);
}

void spw_mem_free(void *ptr)
{
	if (ptr != NULL)
		allocator.free(ptr, allocator.ctx);
}

/*
 * An aligned block keeps what spw_mem_alloc returned in the pointer-sized
 * slot just before the aligned address. `align` is a power of two.
 */
void *spw_mem_alloc_aligned(size_t size, size_t align)
{
	size_t extra;
	unsigned char *raw, *p;

	if (align < sizeof(void *))
		align = sizeof(void *);
	extra = align + sizeof(void *);
	if (size > SIZE_MAX - extra)
		return NULL;
	raw = spw_mem_alloc(size + extra);
	if (raw == NULL)
		return NULL;
	p = raw + sizeof(void *);
	p += (align - (uintptr_t)p % align) % align;
	memcpy(p - sizeof(void *), &raw, sizeof(raw));
	return p;
}

void spw_mem_free_aligned(void *ptr)
{
	void *raw;

	if (ptr == NULL)
		return;
	memcpy(&raw, (unsigned char *)ptr - sizeof(void *), sizeof(raw));
	spw_mem_free(raw);
}

/* ---- barriers and lanes ------------------------------------------------ */

int spw_fast_barriers;
#ifdef SPW_TSAN
atomic_int spw_fence_dummy;
#endif
_Thread_local spw_thread_rec *spw_thread_self SPW_TLS_MODEL;
static pthread_once_t barriers_once = PTHREAD_ONCE_INIT;

/*
 * Owners that are no thread: a lane nobody has sent on yet, and a lane
 * whose senders take its mutex. Their busy stays 0.
 */
static spw_thread_rec lane_free, lane_shared;
#define LANE_FREE (&lane_free)
#define LANE_SHARED (&lane_shared)

/*
 * Rebias (see spw_lane_ctl): a shared lane is biased again to a thread
 * after SPW_REBIAS_RUN locked sends in a row from it. A bias revoked less
 * than SPW_REBIAS_NS after it was given (its heavy barrier cost more than
 * the bias saved) doubles that run for the lane, up to SPW_REBIAS_RUN_MAX;
 * a longer-lived one resets it. The stress suite's runtime overrides them
 * to make rebiasing as frequent as it can be.
 */
#ifndef SPW_REBIAS_RUN
#define SPW_REBIAS_RUN 64u
#endif
#ifndef SPW_REBIAS_RUN_MAX
#define SPW_REBIAS_RUN_MAX (1u << 20)
#endif
#ifndef SPW_REBIAS_NS
#define SPW_REBIAS_NS 1000000u
#endif
/* Threads that can own lanes at once (the stress suite's runtime: 3). */
#ifndef SPW_BIAS_THREADS
#define SPW_BIAS_THREADS 4096
#endif

/*
 * The bias records (see spw_thread_rec). Never freed, so a revoker may
 * read the busy flag of an owner that has exited, or whose record a new
 * thread has taken since (it then waits at most for one fast-path send).
 */
static spw_thread_rec recs[SPW_BIAS_THREADS];
static size_t recs_used;        /* recs[0, recs_used) were ever taken */
static spw_thread_rec *recs_free; /* given back by exited threads */
static pthread_mutex_t recs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t recs_key;
static int recs_key_ok;
static pthread_once_t recs_once = PTHREAD_ONCE_INIT;

static void rec_give_back(void *p)
{
	spw_thread_rec *r = p;

	spw_thread_self = NULL;
	pthread_mutex_lock(&recs_lock);
	r->next = recs_free;
	recs_free = r;
	pthread_mutex_unlock(&recs_lock);
}

static void recs_init(void)
{
	recs_key_ok = pthread_key_create(&recs_key, rec_give_back) == 0;
}

/* The calling thread's record, taken now if it has none; NULL: none left. */
static spw_thread_rec *rec_self(void)
{
	spw_thread_rec *r = spw_thread_self;

	if (SPW_LIKELY(r != NULL))
		return r;
	pthread_once(&recs_once, recs_init);
	if (!recs_key_ok)
		return NULL;
	pthread_mutex_lock(&recs_lock);
	r = recs_free;
	if (r != NULL)
		recs_free = r->next;
	else if (recs_used < SPW_BIAS_THREADS)
		r = &recs[recs_used++];
	if (r != NULL && pthread_setspecific(recs_key, r) != 0) {
		r->next = recs_free;
		recs_free = r;
		r = NULL;
	}
	pthread_mutex_unlock(&recs_lock);
	spw_thread_self = r;
	return r;
}

static void barriers_init(void)
{
#if defined(__linux__) && defined(SYS_membarrier) && !defined(SPW_NO_MEMBARRIER)
	long cmds;

	/* The fallback can be forced, to test it (and to compare). */
	if (getenv("SPW_NO_MEMBARRIER") != NULL)
		return;
	cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0);

	if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	    syscall(SYS_membarrier,
		    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) == 0)
		spw_fast_barriers = 1;
#endif
}

void spw_heavy_barrier(void)
{
#if defined(__linux__) && defined(SYS_membarrier)
	/*
	 * The system call is a full barrier for the caller too, but say so in
	 * C11 terms as well: this path is rare, the fence is cheap.
	 */
	SPW_FULL_FENCE();
	if (spw_fast_barriers &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0)
		return;
#endif
	/* Without membarrier the light barrier is a full fence too. */
	SPW_FULL_FENCE();
}

void spw_lane_ctl_init(spw_lane_ctl *l)
{
	atomic_init(&l->published, 0);
	atomic_init(&l->owner, LANE_FREE);
	atomic_init(&l->warm, 0);
	pthread_mutex_init(&l->lock, NULL);
	l->last = NULL;
	l->run = 0;
	l->rebias_after = SPW_REBIAS_RUN;
	l->biased_at = 0;
}

void spw_lane_ctl_destroy(spw_lane_ctl *l)
{
	pthread_mutex_destroy(&l->lock);
}

void spw_lane_lock_slow(spw_lane_ctl *l)
{
	spw_thread_rec *self = rec_self();
	spw_thread_rec *owner;

	pthread_mutex_lock(&l->lock);
	owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
	if (owner == LANE_FREE) {
		/*
		 * First sender thread of the lane: bias the lane to it. Its
		 * later sends take the fast path; this one holds the mutex.
		 */
		atomic_store_explicit(&l->owner,
				      spw_fast_barriers && self != NULL ?
					      self :
					      LANE_SHARED,
				      memory_order_relaxed);
		l->biased_at = spw_now_ns();
	} else if (owner != LANE_SHARED && owner != self) {
		/*
		 * Revoke the bias: after the heavy barrier the owner either
		 * sees SHARED on its re-check, or its busy = 1 is visible to
		 * us and we wait for it to leave.
		 */
		atomic_store_explicit(&l->owner, LANE_SHARED,
				      memory_order_seq_cst);
		SPW_TEST_YIELD();
		spw_heavy_barrier();
		while (atomic_load_explicit(&owner->busy, memory_order_acquire))
			sched_yield();
		/*
		 * A bias that lived less than SPW_REBIAS_NS did not pay for
		 * its barrier: ask for a longer run before the next one.
		 */
		if (spw_now_ns() - l->biased_at < SPW_REBIAS_NS) {
			if (l->rebias_after < SPW_REBIAS_RUN_MAX)
				l->rebias_after *= 2;
		} else {
			l->rebias_after = SPW_REBIAS_RUN;
		}
		l->last = self;
		l->run = 1;
	} else if (owner == LANE_SHARED && self != NULL &&
		   spw_fast_barriers) {
		/*
		 * A shared lane whose locked sends all come from one thread
		 * (the others stopped, or wait, or take turns in time slices
		 * on one CPU) is biased to that thread again.
		 */
		if (l->last != self) {
			l->last = self;
			l->run = 1;
		} else if (++l->run >= l->rebias_after) {
			atomic_store_explicit(&l->owner, self,
					      memory_order_relaxed);
			l->biased_at = spw_now_ns();
			l->run = 0;
		}
	}
	/*
	 * owner == self: the owner itself, after a revocation raced with
	 * its fast path; the mutex alone is enough.
	 */
}

/* ---- the core ---------------------------------------------------------- */

/*
 * A condition variable whose timed waits take CLOCK_MONOTONIC deadlines
 * (spw_deadline_after). Returns 0 on success.
 */
static int cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t cattr;
	int rc;

	if (pthread_condattr_init(&cattr) != 0)
		return -1;
	rc = pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC) != 0 ||
	     pthread_cond_init(cond, &cattr) != 0;
	pthread_condattr_destroy(&cattr);
	return rc ? -1 : 0;
}

spw_status spw_core_init(spw_core *core, const spw_config *cfg)
{
	if (spw_config_check(cfg) != SPW_OK)
		return SPW_INVALID;
	pthread_once(&barriers_once, barriers_init);
	memset(core, 0, sizeof(*core));
	core->lanes = cfg->lanes;
	core->capacity = cfg->capacity;
	core->initial_buffer = cfg->initial_buffer;
	core->destroy = cfg->destroy;
	core->destroy_ctx = cfg->destroy_ctx;
	core->spin_ns = cfg->spin_ns != 0 ? cfg->spin_ns : SPW_DEFAULT_SPIN_NS;
	atomic_init(&core->closed, 0);
	atomic_init(&core->clock, 0);
	atomic_init(&core->senders, 0);
	atomic_init(&core->handles, 0);
	atomic_init(&core->reserved, 0);
	atomic_init(&core->released, 0);
	atomic_init(&core->room_waiters, 0);
	atomic_init(&core->room_need, 0);
	core->room_head = core->room_tail = NULL;
	core->room_fenced = 0;
	core->room_fenced_need = 0;
	core->closed_waiters = 0;
	atomic_init(&core->taken, 0);
	atomic_init(&core->parked, 0);
	atomic_init(&core->efd, -1);
	core->wfd = -1;

	if (pthread_mutex_init(&core->park_lock, NULL) != 0)
		return SPW_NOMEM;
	if (pthread_mutex_init(&core->room_lock, NULL) != 0)
		goto fail_room;
	if (cond_init_monotonic(&core->park_cond) != 0)
		goto fail_cond;
	if (cond_init_monotonic(&core->closed_cond) != 0) {
		pthread_cond_destroy(&core->park_cond);
		goto fail_cond;
	}
	return SPW_OK;

fail_cond:
	pthread_mutex_destroy(&core->room_lock);
fail_room:
	pthread_mutex_destroy(&core->park_lock);
	return SPW_NOMEM;
}

void spw_core_destroy(spw_core *core)
{
	int fd = atomic_load_explicit(&core->efd, memory_order_relaxed);

	if (fd >= 0)
		close(fd);
	if (core->wfd >= 0 && core->wfd != fd)
		close(core->wfd);
	pthread_cond_destroy(&core->closed_cond);
	pthread_cond_destroy(&core->park_cond);
	pthread_mutex_destroy(&core->room_lock);
	pthread_mutex_destroy(&core->park_lock);
}

/* ---- parking ----------------------------------------------------------- */

void spw_deadline_after(struct timespec *deadline, uint64_t timeout_ns)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	/* Clamp absurd timeouts instead of overflowing time_t. */
	if (timeout_ns > (uint64_t)1 << 62)
		timeout_ns = (uint64_t)1 << 62;
	deadline->tv_sec += (time_t)(timeout_ns / 1000000000u);
	deadline->tv_nsec += (long)(timeout_ns % 1000000000u);
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

uint64_t spw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 1;
}

void spw_deadline_at(struct timespec *deadline, uint64_t ns)
{
	deadline->tv_sec = (time_t)(ns / 1000000000u);
	deadline->tv_nsec = (long)(ns % 1000000000u);
}

void spw_spin(uint64_t waited_ns)
{
	if (waited_ns < SPW_SPIN_PAUSE_NS) {
		int i;

		for (i = 0; i < 16; i++)
			spw_pause();
	} else {
		sched_yield();
	}
}

static void fd_signal(spw_core *core);

void spw_core_wake(spw_core *core)
{
	/*
	 * Only the sender that flips `parked` back to 0 signals: a burst of
	 * senders that all see the receiver parked makes one system call.
	 * Taking the lock orders the signal after the receiver's last look:
	 * the receiver holds park_lock from publishing `parked` until
	 * pthread_cond_wait releases it.
	 */
	int fd;

	if (!atomic_exchange_explicit(&core->parked, 0, memory_order_acq_rel))
		return;
	SPW_TEST_YIELD();
	fd = atomic_load_explicit(&core->efd, memory_order_acquire);
	if (fd >= 0)
		fd_signal(core);
	pthread_mutex_lock(&core->park_lock);
	pthread_cond_signal(&core->park_cond);
	pthread_mutex_unlock(&core->park_lock);
}

/*
 * The double check, shared by park and arm: publish `parked`, then look
 * once more. After the heavy barrier, a sender that published before it is
 * seen by ready(); one that publishes after it sees `parked` and wakes us.
 * The last sender's close is a seq_cst read-modify-write followed by the
 * same check of `parked`. Returns nonzero when there is something to do
 * (values, or end of stream): do not wait.
 */
static int announce_parked(spw_core *core, int (*ready)(void *ctx),
			   void *ctx)
{
	atomic_store_explicit(&core->parked, 1, memory_order_seq_cst);
	SPW_TEST_YIELD();
	spw_heavy_barrier();
	SPW_TEST_YIELD();
	return ready(ctx) || spw_core_senders_gone(core);
}

spw_status spw_core_park(spw_core *core, const struct timespec *deadline,
			 int (*ready)(void *ctx), void *ctx)
{
	spw_status st = SPW_OK;

	pthread_mutex_lock(&core->park_lock);
	if (!announce_parked(core, ready, ctx)) {
		while (atomic_load_explicit(&core->parked,
					    memory_order_acquire)) {
			int rc;

			if (deadline == NULL)
				rc = pthread_cond_wait(&core->park_cond,
						       &core->park_lock);
			else
				rc = pthread_cond_timedwait(&core->park_cond,
							    &core->park_lock,
							    deadline);
			if (rc == ETIMEDOUT) {
				st = SPW_TIMEOUT;
				break;
			}
		}
	}
	atomic_store_explicit(&core->parked, 0, memory_order_relaxed);
	pthread_mutex_unlock(&core->park_lock);
	return st;
}

/* ---- the pollable descriptor ------------------------------------------ */

/*
 * Make the descriptor readable. Only EAGAIN can fail: an eventfd counter
 * near overflow, or a full pipe; both are readable already.
 */
static void fd_signal(spw_core *core)
{
#ifdef SPW_EVENTFD
	uint64_t one = 1;

	if (write(core->wfd, &one, sizeof(one)) < 0)
		(void)0;
#else
	char one = 1;

	if (write(core->wfd, &one, 1) < 0)
		(void)0;
#endif
}

/* Empty the descriptor (EAGAIN: it was empty). */
static void fd_drain(int fd)
{
#ifdef SPW_EVENTFD
	uint64_t count;

	if (read(fd, &count, sizeof(count)) < 0)
		(void)0;
#else
	char buf[64];

	while (read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
		;
#endif
}

#ifndef SPW_EVENTFD
static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
	       fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}
#endif

spw_status spw_core_fd(spw_core *core, int *fd, int (*ready)(void *ctx),
		       void *ctx)
{
	int efd = atomic_load_explicit(&core->efd, memory_order_relaxed);

	if (efd < 0) {
#ifdef SPW_EVENTFD
		efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efd < 0)
			return errno == ENOSYS ? SPW_INVALID : SPW_NOMEM;
		core->wfd = efd;
#else
		int p[2];

		if (pipe(p) != 0)
			return SPW_NOMEM;
		if (!set_flags(p[0]) || !set_flags(p[1])) {
			close(p[0]);
			close(p[1]);
			return SPW_NOMEM;
		}
		efd = p[0];
		core->wfd = p[1];
#endif
		/* wfd before efd: a waking sender that sees efd uses wfd. */
		atomic_store_explicit(&core->efd, efd, memory_order_release);
		/*
		 * Arm it now, so that it is readable from the start whenever
		 * something is there: either the double check finds values
		 * (or the end of the stream) and we signal it ourselves, or
		 * `parked` is published and the next send signals it.
		 */
		if (spw_core_arm(core, ready, ctx))
			fd_signal(core);
	}
	*fd = efd;
	return SPW_OK;
}

int spw_core_arm(spw_core *core, int (*ready)(void *ctx), void *ctx)
{
	int fd = atomic_load_explicit(&core->efd, memory_order_relaxed);

	/*
	 * Empty the descriptor first: a wake-up after `parked` is published
	 * below writes to it again, so none is lost.
	 */
	fd_drain(fd);
	if (announce_parked(core, ready, ctx)) {
		atomic_store_explicit(&core->parked, 0, memory_order_relaxed);
		return 1;
	}
	return 0;
}

/* ---- waiting for room, closing, shutting down --------------------------- */

/*
 * A sender waiting for room: a node of the FIFO list under room_lock, on
 * the waiting thread's stack, with a condition variable of its own so that
 * a wake-up goes to the first in line only.
 */
struct spw_room_waiter {
	struct spw_room_waiter *next, *prev;
	size_t n;
	pthread_cond_t *cond;
};

/*
 * Each thread's condition variable for waiting in a line: made once per
 * thread (a thread waits in one line at a time), never destroyed (a
 * pthread_cond_t holds no resource on the systems we build for).
 */
static _Thread_local int room_cond_made;
static _Thread_local pthread_cond_t room_cond;

static pthread_cond_t *thread_room_cond(void)
{
	if (!room_cond_made) {
		if (cond_init_monotonic(&room_cond) != 0)
			return NULL;
		room_cond_made = 1;
	}
	return &room_cond;
}

/* Under room_lock: publish what the first waiter needs (0: none waits). */
static void room_publish_head(spw_core *core)
{
	atomic_store_explicit(&core->room_need,
			      core->room_head != NULL ? core->room_head->n : 0,
			      memory_order_seq_cst);
}

void spw_core_room_wake(spw_core *core)
{
	pthread_mutex_lock(&core->room_lock);
	if (core->room_head != NULL)
		pthread_cond_signal(core->room_head->cond);
	pthread_mutex_unlock(&core->room_lock);
}

static int timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock,
		      const struct timespec *deadline)
{
	if (deadline == NULL)
		return pthread_cond_wait(cond, lock);
	return pthread_cond_timedwait(cond, lock, deadline);
}

spw_status spw_core_reserve_wait(spw_core *core, size_t n,
				 const struct timespec *deadline)
{
	struct spw_room_waiter w;
	uint64_t start = spw_now_ns(), now = start;
	uint64_t until = deadline != NULL ? spw_timespec_ns(deadline) : UINT64_MAX;
	spw_status st;

	/*
	 * First keep trying for the spin budget, pausing the CPU, then
	 * yielding it (to the receiver, on a machine with fewer cores than
	 * threads): with many
	 * senders on a full channel, room comes back in bursts as the
	 * receiver takes values, and a sleep costs a system call on each
	 * side.
	 */
	while (now - start < core->spin_ns && now < until) {
		if (spw_core_is_closed(core))
			return SPW_CLOSED;
		if (spw_core_reserve_polite(core, n))
			return SPW_OK;
		spw_spin(now - start); /* pause at first, then yield */
		now = spw_now_ns();
	}

	w.cond = thread_room_cond();
	if (w.cond == NULL)
		return SPW_NOMEM;
	w.n = n;
	w.next = NULL;

	pthread_mutex_lock(&core->room_lock);
	w.prev = core->room_tail;
	if (core->room_tail != NULL)
		core->room_tail->next = &w;
	else
		core->room_head = &w;
	core->room_tail = &w;
	atomic_fetch_add_explicit(&core->room_waiters, 1,
				  memory_order_seq_cst);
	for (;;) {
		if (spw_core_is_closed(core)) {
			st = SPW_CLOSED;
			break;
		}
		if (core->room_head == &w) {
			/*
			 * First in line: say what we need, then make sure
			 * the receiver either sees it on its next release or
			 * released before our look at the counter below (the
			 * receiver stores `released`, then loads
			 * `room_waiters` and `room_need` with only a light
			 * barrier between).
			 */
			room_publish_head(core);
			SPW_TEST_YIELD();
			/*
			 * Once per need while the line stays non-empty: after
			 * a heavy barrier with room_waiters >= 1 and
			 * room_need == n, every later release sees both (so
			 * it wakes the first in line when there is room for
			 * n), and every earlier one is visible to our look.
			 */
			if (!core->room_fenced || core->room_fenced_need != n) {
				spw_heavy_barrier();
				core->room_fenced = 1;
				core->room_fenced_need = n;
			}
			if (spw_core_reserve(core, n)) {
				st = SPW_OK;
				break;
			}
		}
		if (timed_wait(w.cond, &core->room_lock, deadline) ==
		    ETIMEDOUT) {
			/* One last look: the room may have come with the time. */
			if (spw_core_is_closed(core))
				st = SPW_CLOSED;
			else if (core->room_head == &w &&
				 spw_core_reserve(core, n))
				st = SPW_OK;
			else
				st = SPW_TIMEOUT;
			break;
		}
	}
	/* Leave the line; the next in line looks for room at once. */
	if (w.prev != NULL)
		w.prev->next = w.next;
	else
		core->room_head = w.next;
	if (w.next != NULL)
		w.next->prev = w.prev;
	else
		core->room_tail = w.prev;
	room_publish_head(core);
	atomic_fetch_sub_explicit(&core->room_waiters, 1,
				  memory_order_seq_cst);
	if (core->room_head == NULL)
		core->room_fenced = 0; /* the next waiter fences again */
	else
		pthread_cond_signal(core->room_head->cond);
	pthread_mutex_unlock(&core->room_lock);
	return st;
}

spw_status spw_core_wait_closed(spw_core *core,
				const struct timespec *deadline)
{
	spw_status st = SPW_OK;

	pthread_mutex_lock(&core->room_lock);
	core->closed_waiters++;
	while (!spw_core_is_closed(core)) {
		if (timed_wait(&core->closed_cond, &core->room_lock,
			       deadline) == ETIMEDOUT) {
			if (!spw_core_is_closed(core))
				st = SPW_TIMEOUT;
			break;
		}
	}
	core->closed_waiters--;
	pthread_mutex_unlock(&core->room_lock);
	return st;
}

void spw_core_mark_closed(spw_core *core)
{
	struct spw_room_waiter *w;

	atomic_store_explicit(&core->closed, 1, memory_order_seq_cst);
	/*
	 * Waiters look at `closed` under room_lock, so taking it orders
	 * their look against the store above: none can miss the close.
	 */
	pthread_mutex_lock(&core->room_lock);
	for (w = core->room_head; w != NULL; w = w->next)
		pthread_cond_signal(w->cond);
	if (core->closed_waiters != 0)
		pthread_cond_broadcast(&core->closed_cond);
	pthread_mutex_unlock(&core->room_lock);
}

void spw_core_quiesce(spw_core *core, spw_lane_ctl *first, size_t stride,
		      size_t n)
{
	size_t i;

	/*
	 * `closed` is published (seq_cst); after the heavy barrier a sender
	 * on a lane's fast path either has its busy = 1 visible here (we
	 * wait for it to leave: its values are published by then) or sees
	 * `closed` when it looks inside the lane. Senders on the mutex look
	 * at `closed` while they hold it: taking it once waits for the one
	 * inside, and every later one sees the close. The owner is read
	 * under the mutex: one that was revoked since the barrier was
	 * waited for by its revoker, and one biased since sees `closed`.
	 */
	SPW_TEST_YIELD();
	spw_heavy_barrier();
	for (i = 0; i < n; i++) {
		spw_lane_ctl *l =
			(spw_lane_ctl *)((unsigned char *)first + i * stride);
		spw_thread_rec *owner;

		pthread_mutex_lock(&l->lock);
		owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
		pthread_mutex_unlock(&l->lock);
		while (atomic_load_explicit(&owner->busy, memory_order_acquire))
			sched_yield();
	}
	/* An event loop waiting on the descriptor wakes to see the end. */
	if (atomic_load_explicit(&core->efd, memory_order_relaxed) >= 0)
		fd_signal(core);
}

/* ---- handles ----------------------------------------------------------- */

int spw_core_handle_closed(spw_core *core)
{
	return atomic_fetch_sub_explicit(&core->handles, 1,
					 memory_order_acq_rel) == 1;
}

int spw_core_sender_closed(spw_core *core)
{
	if (atomic_fetch_sub_explicit(&core->senders, 1,
				      memory_order_seq_cst) == 1) {
		SPW_TEST_YIELD();
		/* Last sender: a parked receiver must wake to see the end. */
		if (atomic_load_explicit(&core->parked, memory_order_seq_cst))
			spw_core_wake(core);
	}
	return spw_core_handle_closed(core);
}

/* ---- lanes ------------------------------------------------------------- */

/*
 * How a channel works (DESIGN.md has the measurements behind each choice).
 *
 * A lane is a chain of segments, arrays of values. Its producers append at
 * the tail and publish a running count with a release store; the receiver
 * reads from the head up to the count it loaded with acquire. Nobody ever
 * pops from the front of a shared queue and the receiver never takes a
 * producer's lock. When the receiver visits a lane it takes everything
 * published so far (its "visit"), then moves on to the next lane with
 * values: lanes are served round-robin, a whole lane at a time.
 *
 * A batch (send_many) always lies within one segment, so a recv_batch view
 * (a pointer into a segment) never splits it. A segment the receiver has
 * read goes back to the lane's producers on a lock-free stack. A producer
 * that needs a segment takes one and frees the spares above
 * SPW_LANE_SPARES (the high-water mark) in its own thread, so while values
 * flow the two sides never meet on an allocator lock. When the receiver
 * finds the channel empty (a burst is over) it frees the spares above the
 * mark itself, but only once the channel has been quiet for
 * SPW_SHED_IDLE_NS, and trim() frees them all.
 *
 * This code knows the element type only by its size and alignment; a
 * generated channel adds the typed fast paths (spw_tx_fast, spw_rx_fast in
 * spillway_core.h) and converts its handles to spw_tx and spw_rx.
 */

/* The values of segment s, and the address of its value i. */
static unsigned char *seg_items(const spw_chan *chan, spw_seg *s)
{
	return (unsigned char *)s + chan->items;
}

static unsigned char *seg_at(const spw_chan *chan, spw_seg *s, size_t i)
{
	return seg_items(chan, s) + i * chan->size;
}

/*
 * Segments are aligned for the element type. Types aligned beyond a
 * pointer (_Alignas(32), long double, ...) take their segments from the
 * aligned allocator; the rest from plain spw_mem_alloc, which is
 * pointer-aligned at least.
 */
static int seg_overaligned(const spw_chan *chan)
{
	return chan->seg_align > _Alignof(void *);
}

static spw_seg *seg_alloc(const spw_chan *chan, size_t cap)
{
	size_t size = chan->items + cap * chan->size;

	if (seg_overaligned(chan))
		return spw_mem_alloc_aligned(size, chan->seg_align);
	return spw_mem_alloc(size);
}

static void seg_free(const spw_chan *chan, spw_seg *s)
{
	if (seg_overaligned(chan))
		spw_mem_free_aligned(s);
	else
		spw_mem_free(s);
}

/* ---- spare segments ---------------------------------------------------- */

/*
 * Push the list first..last onto the lane's stack of spares. Any thread
 * may push; the stack is only ever emptied whole (atomic exchange), never
 * popped one at a time, so there is no ABA problem.
 */
static void spares_push(spw_lane *lane, spw_seg *first, spw_seg *last)
{
	spw_seg *head = atomic_load_explicit(&lane->returned, memory_order_relaxed);

	do
		last->free_next = head;
	while (!atomic_compare_exchange_weak_explicit(&lane->returned, &head, first, memory_order_release, memory_order_relaxed));
}

/* Take every spare of the lane; the caller owns the list. */
static spw_seg *spares_take(spw_lane *lane)
{
	if (atomic_load_explicit(&lane->returned, memory_order_relaxed) == NULL)
		return NULL;
	return atomic_exchange_explicit(&lane->returned, NULL, memory_order_acquire);
}

/* Free a list of spare segments; returns how many there were. */
static size_t free_list(const spw_chan *chan, spw_seg *s)
{
	size_t n = 0;

	while (s != NULL) {
		spw_seg *next = s->free_next;

		seg_free(chan, s);
		s = next;
		n++;
	}
	return n;
}

/*
 * Give the first `keep` segments of a taken list back to the lane and
 * free the rest (the high-water mark, and trim with keep = 0).
 */
static void spares_keep(const spw_chan *chan, spw_lane *lane, spw_seg *s, size_t keep)
{
	spw_seg *first = s, *last = NULL;
	size_t n;

	for (n = 0; s != NULL && n < keep; n++) {
		last = s;
		s = s->free_next;
	}
	if (last != NULL) {
		last->free_next = NULL;
		spares_push(lane, first, last);
	}
	n = free_list(chan, s);
	if (n != 0)
		atomic_fetch_sub_explicit(&lane->spare_n, n, memory_order_relaxed);
}

/* ---- producer side ----------------------------------------------------- */

/*
 * Start a new tail segment with room for n values, sealing the current
 * one. Returns 0 when memory is short; the lane is then unchanged.
 */
static int lane_grow(spw_chan *chan, spw_lane *lane, size_t n)
{
	size_t need = n > chan->seg_cap ? n : chan->seg_cap;
	spw_seg *s = spares_take(lane);

	if (s != NULL) {
		/*
		 * Reuse the top spare, give SPW_LANE_SPARES of the others
		 * back and free the rest: here, in the thread that most
		 * likely allocated them.
		 */
		atomic_fetch_sub_explicit(&lane->spare_n, 1, memory_order_relaxed);
		spares_keep(chan, lane, s->free_next, SPW_LANE_SPARES);
		if (s->cap < need) {
			seg_free(chan, s);
			s = NULL;
		}
	}
	if (s == NULL) {
		s = seg_alloc(chan, need);
		if (s == NULL)
			return 0;
		s->cap = need;
	}
	s->next = NULL;
	atomic_init(&s->end, SIZE_MAX);
	if (lane->tseg == NULL) {
		lane->first = s;
	} else {
		atomic_store_explicit(&lane->tseg->end, lane->tpos, memory_order_relaxed);
		lane->tseg->next = s;
	}
	lane->tseg = s;
	lane->tpos = 0;
	return 1;
}

/*
 * `closed` is looked at inside the lane, so that a shutdown (which waits
 * until no sender is inside a lane) knows every send it did not refuse has
 * published its values.
 */
spw_status spw_tx_append(spw_tx *tx, const void *values, size_t n)
{
	spw_chan *chan = tx->chan;
	spw_lane *lane = tx->lane;
	uint_least64_t pub;
	int locked;

	locked = spw_lane_enter(&lane->ctl);
	if (SPW_UNLIKELY(spw_core_closed_in_lane(&chan->core))) {
		spw_lane_exit(&lane->ctl, locked);
		spw_core_unreserve(&chan->core, n);
		return SPW_CLOSED;
	}
	if (SPW_UNLIKELY(lane->tseg == NULL || lane->tseg->cap - lane->tpos < n) && !lane_grow(chan, lane, n)) {
		spw_lane_exit(&lane->ctl, locked);
		spw_core_unreserve(&chan->core, n);
		return SPW_NOMEM;
	}
	memcpy(seg_at(chan, lane->tseg, lane->tpos), values, n * chan->size);
	lane->tpos += n;
	pub = atomic_load_explicit(&lane->ctl.published, memory_order_relaxed);
	atomic_store_explicit(&lane->ctl.published, pub + n, memory_order_release);
	spw_lane_exit(&lane->ctl, locked);
	spw_tx_published(tx);
	return SPW_OK;
}

/*
 * While senders wait for room, a send that does not wait leaves the room
 * the first of them needs.
 */
spw_status spw_tx_enqueue(spw_tx *tx, const void *values, size_t n)
{
	spw_core *core = &tx->chan->core;

	if (SPW_UNLIKELY(spw_core_is_closed(core)))
		return SPW_CLOSED;
	if (SPW_UNLIKELY(!spw_core_reserve_polite(core, n)))
		return SPW_FULL;
	return spw_tx_append(tx, values, n);
}

/*
 * Enqueue n values, waiting up to timeout_ns (SPW_FOREVER: no limit) for
 * room on a bounded channel.
 */
static spw_status tx_enqueue_wait(spw_tx *tx, const void *values, size_t n, uint64_t timeout_ns)
{
	spw_core *core = &tx->chan->core;
	struct timespec deadline;
	spw_status st;

	if (SPW_UNLIKELY(spw_core_is_closed(core)))
		return SPW_CLOSED;
	if (spw_core_reserve_polite(core, n))
		return spw_tx_append(tx, values, n);
	if (timeout_ns == 0)
		return SPW_TIMEOUT;
	if (timeout_ns != SPW_FOREVER)
		spw_deadline_after(&deadline, timeout_ns);
	st = spw_core_reserve_wait(core, n, timeout_ns == SPW_FOREVER ? NULL : &deadline);
	if (st != SPW_OK)
		return st;
	return spw_tx_append(tx, values, n);
}

/*
 * The fast path with the common sizes as constants (each copy one move),
 * for the calls below: a generated channel built without inlining its
 * own (clang -O0) sends and receives through them. Forced inline: as a
 * call, its register saves and restores were 15 of the 100 instructions
 * of a clang -O0 send.
 */
SPW_INLINE int tx_fast(spw_tx *tx, const void *value)
{
	size_t size = tx->chan->size, items = tx->chan->items;

	switch (size) {
	case 8:
		return spw_tx_fast(tx, value, 8, items);
	case 4:
		return spw_tx_fast(tx, value, 4, items);
	case 16:
		return spw_tx_fast(tx, value, 16, items);
	default:
		return spw_tx_fast(tx, value, size, items);
	}
}

/* Copy one value out of the receiver's window. */
static void rx_copy(void *out, const unsigned char *rp, size_t size)
{
	switch (size) {
	case 8:
		memcpy(out, rp, 8);
		break;
	case 4:
		memcpy(out, rp, 4);
		break;
	case 16:
		memcpy(out, rp, 16);
		break;
	default:
		memcpy(out, rp, size);
	}
}

/* One value: the steps of the generated send, with tx_fast. */
spw_status spw_tx_send(spw_tx *tx, const void *value)
{
	spw_chan *chan;

	if (SPW_UNLIKELY(tx == NULL || value == NULL))
		return SPW_INVALID;
	chan = tx->chan;
	if (SPW_LIKELY(chan->core.capacity == 0)) {
		if (SPW_LIKELY(tx_fast(tx, value)))
			return SPW_OK;
		return spw_tx_enqueue(tx, value, 1);
	}
	if (SPW_UNLIKELY(!spw_core_reserve_polite(&chan->core, 1)))
		return spw_tx_enqueue(tx, value, 1); /* full or closed */
	if (SPW_LIKELY(tx_fast(tx, value)))
		return SPW_OK;
	return spw_tx_append(tx, value, 1);
}

spw_status spw_tx_send_many(spw_tx *tx, const void *values, size_t n)
{
	if (SPW_UNLIKELY(tx == NULL || (values == NULL && n != 0) || n > tx->chan->max_items))
		return SPW_INVALID;
	if (n == 0)
		return SPW_OK;
	return spw_tx_enqueue(tx, values, n);
}

spw_status spw_tx_send_wait(spw_tx *tx, const void *value, uint64_t timeout_ns)
{
	spw_chan *chan;

	if (SPW_UNLIKELY(tx == NULL || value == NULL))
		return SPW_INVALID;
	chan = tx->chan;
	if (SPW_LIKELY(spw_core_reserve_polite(&chan->core, 1))) {
		if (SPW_LIKELY(tx_fast(tx, value)))
			return SPW_OK;
		return spw_tx_append(tx, value, 1);
	}
	return tx_enqueue_wait(tx, value, 1, timeout_ns);
}

spw_status spw_tx_send_many_wait(spw_tx *tx, const void *values, size_t n, uint64_t timeout_ns)
{
	if (SPW_UNLIKELY(tx == NULL || (values == NULL && n != 0) || n > tx->chan->max_items))
		return SPW_INVALID;
	/* A batch that could never fit is refused at once. */
	if (tx->chan->core.capacity != 0 && n > tx->chan->core.capacity)
		return SPW_INVALID;
	if (n == 0)
		return SPW_OK;
	return tx_enqueue_wait(tx, values, n, timeout_ns);
}

/* ---- the dirty-lane index --------------------------------------------- */

/*
 * So that an empty look does not grow with idle lanes, the receiver looks
 * only at lanes whose bit is set in chan->dirty: a channel with 4096
 * senders of which one is busy looks at one lane, not 4096.
 *
 * A sender, after every publish, loads its lane's index word (a plain
 * load of a line that changes only when a lane joins or leaves the index)
 * and sets its bit when it is clear: a locked instruction once per quiet
 * spell of the lane, not per send. The receiver never clears a bit while
 * values flow: only its sweep does, at most once per SPW_SWEEP_NS and only
 * when it found nothing to receive, for lanes it has not visited since the
 * previous sweep and that are empty. The sweep clears their bits, runs
 * the heavy barrier and looks at each of them again, setting the bit back
 * for a lane with values. The same asymmetric Dekker argument as parking
 * (DESIGN.md): a sender whose publish that second look missed runs its
 * index check after the barrier, so it sees its bit clear and sets it.
 * A bit may also be set for an empty lane (a sender set it and the
 * receiver then took its values); that costs a look, never a value.
 *
 * The park's last look (rx_ready) and len() still read every lane that
 * ever had a sender: they are rare, and parking must never trust an index.
 */
#ifndef SPW_SWEEP_NS
#define SPW_SWEEP_NS SPW_SHED_IDLE_NS
#endif

void spw_tx_mark(spw_tx *tx)
{
	atomic_fetch_or_explicit(tx->dirty, tx->bit, memory_order_release);
}

/* Bind a sender to lane i. */
static void tx_bind(spw_tx *tx, spw_chan *chan, size_t i)
{
	tx->chan = chan;
	tx->lane = &chan->lanes[i];
	tx->dirty = &chan->dirty[i / 64];
	tx->bit = (uint_least64_t)1 << (i % 64);
}

/* Index of the lowest set bit of a nonzero word. */
static unsigned low_bit(uint_least64_t bits)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)__builtin_ctzll((unsigned long long)bits);
#else
	unsigned n = 0;

	while ((bits & 1) == 0) {
		bits >>= 1;
		n++;
	}
	return n;
#endif
}

/* Words of the index that cover n lanes. */
static size_t index_words(size_t n)
{
	return (n + 63) / 64;
}

/* ---- receiver side ----------------------------------------------------- */

#ifdef SPW_TEST_LINGERS
atomic_ulong spw_test_lingers;
#endif

/*
 * A segment the receiver has read goes back to the lane's producers. The
 * receiver calls neither malloc nor free on this path while values flow
 * (a free here would take the allocator lock of the producer thread's
 * arena, and the producer would meet it in malloc: a futex on the send
 * path): the producer takes the spares as it needs segments and frees
 * those above the high-water mark itself. An oversized segment (a large
 * batch's) is freed at once.
 */
static void lane_recycle(spw_chan *chan, spw_lane *lane, spw_seg *s)
{
	if (s->cap > chan->seg_cap * SPW_SPARE_MAX_FACTOR) {
		seg_free(chan, s);
		return;
	}
	atomic_fetch_add_explicit(&lane->spare_n, 1, memory_order_relaxed);
	spares_push(lane, s, s);
}

/*
 * Receiver: keep at most `keep` spares per lane, free the rest. With
 * SPW_LANE_SPARES when it finds the channel empty (a burst, if there was
 * one, is over, and its producers may never take their spares back); with
 * 0 for trim(). spare_n never counts fewer segments than the stack holds
 * (it grows before a push and shrinks after a take), so a lane whose count
 * is at most `keep` has nothing to free.
 */
static void chan_shed(spw_chan *chan, size_t keep)
{
	size_t i, n = spw_core_active_lanes(&chan->core);

	for (i = 0; i < n; i++) {
		spw_lane *lane = &chan->lanes[i];

		if (atomic_load_explicit(&lane->spare_n, memory_order_relaxed) > keep)
			spares_keep(chan, lane, spares_take(lane), keep);
	}
}

/*
 * Make the next window of the current visit: the values of the visit that
 * lie in the lane's head segment.
 */
static void rx_window(spw_rx *rx)
{
	spw_chan *chan = rx->chan;
	spw_lane *lane = &chan->lanes[rx->lane];
	spw_seg *s = lane->rseg;
	size_t end, take;

	if (s == NULL) {
		s = lane->rseg = lane->first;
		lane->rpos = 0;
	}
	end = atomic_load_explicit(&s->end, memory_order_relaxed);
	while (lane->rpos == end) {
		/* Sealed and read: the visit goes on in the next segment. */
		spw_seg *next = s->next;

		lane_recycle(chan, lane, s);
		s = lane->rseg = next;
		lane->rpos = 0;
		end = atomic_load_explicit(&s->end, memory_order_relaxed);
	}
	take = end - lane->rpos;
	if (take > rx->left)
		take = (size_t)rx->left;
	rx->rp = seg_at(chan, s, lane->rpos);
	rx->rend = rx->rp + take * chan->size;
	lane->rpos += take;
	rx->left -= take;
}

/*
 * Start a visit of lane i, which has values the receiver has not taken
 * (pub: its published count, just read). With `linger`, a short visit
 * (fewer than SPW_LINGER_BYTES of values) first waits SPW_LINGER_NS for
 * the sender to add to it. Out of line: an empty look, the common case of
 * a polling receiver, only reads the lane's count (rx_visit).
 */
static SPW_NOINLINE void rx_begin_visit(spw_rx *rx, size_t i, uint_least64_t pub, int linger)
{
	spw_chan *chan = rx->chan;
	spw_lane *lane = &chan->lanes[i];

#if SPW_LINGER_NS > 0
	if (linger && pub - lane->consumed < SPW_LINGER_BYTES / chan->size + 1) {
		uint64_t t0 = spw_now_ns();

#ifdef SPW_TEST_LINGERS
		atomic_fetch_add_explicit(&spw_test_lingers, 1, memory_order_relaxed);
#endif

		do {
			spw_pause();
			spw_pause();
			spw_pause();
			spw_pause();
		} while (spw_now_ns() - t0 < SPW_LINGER_NS);
		pub = spw_lane_published(&lane->ctl);
	}
#else
	(void)linger;
#endif
	rx->left = pub - lane->consumed;
	lane->consumed = pub;
	rx->streak += rx->left * chan->size;
	lane->visited = 1;
	spw_core_took(&chan->core, rx->left);
	rx->lane = i;
	rx->cursor = i + 1;
	rx->idle_since = 0;
	rx->idle_shed = 0;
	rx_window(rx);
}

/*
 * Look at lane i: start a visit if it has values (see rx_begin_visit).
 * Returns 0 when it has none.
 */
static inline int rx_visit(spw_rx *rx, size_t i, int linger)
{
	spw_lane *lane = &rx->chan->lanes[i];
	uint_least64_t pub = spw_lane_published(&lane->ctl);

	if (pub == lane->consumed)
		return 0;
	rx_begin_visit(rx, i, pub, linger);
	return 1;
}

/*
 * The same over every lane that ever had a sender, index or not: the
 * last look before end of stream, which must see every accepted value
 * (a sender sets its bit only after it leaves the lane, so a shutdown's
 * quiesce does not wait for the bit).
 */
static int rx_scan_all(spw_rx *rx)
{
	size_t n = spw_core_active_lanes(&rx->chan->core), i = rx->cursor, k;

	if (i >= n)
		i = 0;
	for (k = 0; k < n; k++) {
		if (rx_visit(rx, i, 0))
			return 1;
		i = i + 1 == n ? 0 : i + 1;
	}
	return 0;
}

/*
 * Visit the first lane with values among `bits` (lanes w * 64 + bit, in
 * bit order), lanes from n on excepted. Returns 0 when none has any.
 */
static inline int rx_visit_bits(spw_rx *rx, uint_least64_t bits, size_t w, size_t n, int linger)
{
	while (bits != 0) {
		size_t i = w * 64 + low_bit(bits);

		if (i >= n)
			return 0; /* a lane handed out since n was read */
		bits &= bits - 1;
		if (rx_visit(rx, i, linger))
			return 1;
	}
	return 0;
}

/*
 * rx_scan of a channel of more than 64 lanes: word w from lane c on, the
 * words after it (wrapping), and last word w again for its lanes before c.
 */
static SPW_NOINLINE int rx_scan_words(spw_rx *rx, size_t n, size_t c, int linger)
{
	spw_chan *chan = rx->chan;
	size_t words = index_words(n), w = c / 64, k;
	uint_least64_t from_c = ~(uint_least64_t)0 << (c % 64);

	for (k = 0; k <= words; k++) {
		uint_least64_t bits = atomic_load_explicit(&chan->dirty[w], memory_order_relaxed);

		if (k == 0)
			bits &= from_c;
		else if (k == words)
			bits &= ~from_c;
		if (rx_visit_bits(rx, bits, w, n, linger))
			return 1;
		w = w + 1 == words ? 0 : w + 1;
	}
	return 0;
}

/*
 * Look at every lane in the index once, from the cursor on, in lane order
 * (wrapping); start a visit of the first one with values. Returns 0 when
 * no lane has any.
 */
static int rx_scan(spw_rx *rx, int linger)
{
	spw_chan *chan = rx->chan;
	size_t n = spw_core_active_lanes(&chan->core), c = rx->cursor;
	uint_least64_t bits, from_c;

	/* Lanes from n on never had a sender: the look wraps at n. */
	if (c >= n)
		c = 0;
	if (n > 64)
		return rx_scan_words(rx, n, c, linger);
	/* One word: its lanes from c on, then those before c. */
	bits = atomic_load_explicit(&chan->dirty[0], memory_order_relaxed);
	from_c = ~(uint_least64_t)0 << c;
	return rx_visit_bits(rx, bits & from_c, 0, n, linger) || rx_visit_bits(rx, bits & ~from_c, 0, n, linger);
}

/*
 * The receiver found nothing: at most every SPW_SWEEP_NS, take the lanes
 * that stayed empty and unvisited since the last sweep out of the index
 * (see "the dirty-lane index" above).
 */
static void rx_sweep(spw_rx *rx, uint64_t now)
{
	spw_chan *chan = rx->chan;
	uint_least64_t gone[SPW_MAX_LANES / 64];
	size_t n, words, w;
	int any = 0;

	if (now - rx->swept_at < SPW_SWEEP_NS)
		return;
	rx->swept_at = now;
	n = spw_core_active_lanes(&chan->core);
	words = index_words(n);
	for (w = 0; w < words; w++) {
		uint_least64_t bits = atomic_load_explicit(&chan->dirty[w], memory_order_relaxed);

		gone[w] = 0;
		while (bits != 0) {
			size_t i = w * 64 + low_bit(bits);
			spw_lane *lane = &chan->lanes[i];

			bits &= bits - 1;
			if (i >= n)
				break;
			if (lane->visited)
				lane->visited = 0;
			else if (spw_lane_published(&lane->ctl) == lane->consumed)
				gone[w] |= (uint_least64_t)1 << (i % 64);
		}
		if (gone[w] != 0) {
			atomic_fetch_and_explicit(&chan->dirty[w], ~gone[w], memory_order_relaxed);
			any = 1;
		}
	}
	if (!any)
		return;
	SPW_TEST_YIELD();
	spw_heavy_barrier();
	for (w = 0; w < words; w++) {
		uint_least64_t bits = gone[w];

		while (bits != 0) {
			size_t i = w * 64 + low_bit(bits);
			spw_lane *lane = &chan->lanes[i];

			bits &= bits - 1;
			if (spw_lane_published(&lane->ctl) != lane->consumed)
				atomic_fetch_or_explicit(&chan->dirty[w], (uint_least64_t)1 << (i % 64), memory_order_relaxed);
		}
	}
}

/* For spw_core_park: is any lane ready? (Does not take anything.) */
static int rx_ready(void *ctx)
{
	spw_rx *rx = ctx;
	size_t i, n = spw_core_active_lanes(&rx->chan->core);

	for (i = 0; i < n; i++) {
		spw_lane *lane = &rx->chan->lanes[i];

		if (spw_lane_published(&lane->ctl) != lane->consumed)
			return 1;
	}
	return 0;
}

/*
 * At `now`, shed once per quiet spell if it is SPW_SHED_IDLE_NS old.
 * Returns nonzero when the spell has shed (now or before).
 */
static int rx_shed_if_quiet(spw_rx *rx, uint64_t now)
{
	if (!rx->idle_shed && rx->idle_since != 0 && now - rx->idle_since >= SPW_SHED_IDLE_NS) {
		chan_shed(rx->chan, SPW_LANE_SPARES);
		rx->idle_shed = 1;
	}
	return rx->idle_shed;
}

/*
 * A non-blocking receive found every lane empty. The spares above the mark
 * are shed only once the channel has been quiet for SPW_SHED_IDLE_NS, so
 * that a receiver that is merely faster than its senders never frees
 * memory while values flow (the free would meet the producer's malloc on
 * its arena lock). The clock is read on the first empty look of a quiet
 * spell and on every 16th after it: rx_idle counts the looks, and
 * rx_idle_slow, out of line, does the rest.
 */
static SPW_NOINLINE void rx_idle_slow(spw_rx *rx)
{
	uint64_t now = spw_now_ns();

	rx_sweep(rx, now); /* also after this spell has shed */
	if (rx->idle_shed)
		return;
	if (rx->idle_since == 0) {
		rx->idle_since = now;
		rx->idle_looks = 0;
	} else {
		(void)rx_shed_if_quiet(rx, now);
	}
}

static inline void rx_idle(spw_rx *rx)
{
	if (rx->idle_since != 0 && (++rx->idle_looks & 15) != 0)
		return;
	rx_idle_slow(rx);
}

/*
 * A blocking receive has spun and found nothing: sleep until a sender
 * wakes us or the caller's deadline passes. If the quiet spell is not yet
 * SPW_SHED_IDLE_NS old, sleep at most until it is (a timeout of our own,
 * reported as a spurious wake-up), so that the spares are shed before a
 * long sleep but never while values still flow.
 */
static spw_status rx_park(spw_rx *rx, const struct timespec *deadline)
{
	const struct timespec *until = deadline;
	struct timespec shed_at;
	spw_status st;

	if (!rx->idle_shed) {
		uint64_t now = spw_now_ns(), at;

		rx_sweep(rx, now);
		if (rx->idle_since == 0)
			rx->idle_since = now;
		at = rx->idle_since + SPW_SHED_IDLE_NS;
		if (!rx_shed_if_quiet(rx, now) && (deadline == NULL || spw_timespec_ns(deadline) > at)) {
			spw_deadline_at(&shed_at, at);
			until = &shed_at;
		}
	}
	st = spw_core_park(&rx->chan->core, until, rx_ready, rx);
	if (st == SPW_TIMEOUT && until != deadline)
		st = SPW_OK; /* our own deadline: look again, then shed */
	return st;
}

/*
 * Every sender closed, and each close released after its last send (or
 * the receiver shut the channel down and waited until every accepted send
 * had published): one scan now sees every value ever accepted. Only an
 * empty scan is end of stream.
 */
static spw_status rx_stream_end(spw_rx *rx)
{
	SPW_TEST_YIELD();
	return rx_scan_all(rx) ? SPW_OK : SPW_CLOSED;
}

/*
 * rx_refill without waiting (try_recv, try_recv_batch, recv_timeout with
 * 0): one look at the index. Its own function, so that a polling
 * receiver's empty look pays for nothing of the blocking loop.
 * Returns SPW_OK, SPW_EMPTY or SPW_CLOSED.
 */
static spw_status rx_try_refill(spw_rx *rx)
{
	spw_core *core = &rx->chan->core;
	int full = 0;

	if (rx->left != 0) {
		rx_window(rx);
		return SPW_OK;
	}
	for (;;) {
		/*
		 * After an arm (whose last look reads every lane), look at
		 * every lane too: a sender may have published and not yet set
		 * its bit.
		 */
		if (full ? rx_scan_all(rx) : rx_scan(rx, 0))
			return SPW_OK;
		SPW_TEST_YIELD();
		if (rx->shut || spw_core_senders_gone(core))
			return rx_stream_end(rx);
		rx_idle(rx);
		if (!spw_core_has_fd(core) || !spw_core_arm(core, rx_ready, rx))
			return SPW_EMPTY;
		full = 1; /* values came after all: look again */
	}
}

/*
 * rx_refill that may linger or wait (SPW_WAIT_MORE, SPW_WAIT_BLOCK). Out
 * of line, so that rx_try_refill's callers do not pay for its saves.
 */
static SPW_NOINLINE spw_status rx_wait_refill(spw_rx *rx, spw_wait wait, const struct timespec *deadline)
{
	spw_core *core = &rx->chan->core;
	spw_status parked = SPW_OK;
	uint64_t spin_start = 0;
	unsigned spins = 0;
	int full = 0;

	if (rx->left != 0) {
		rx_window(rx);
		return SPW_OK;
	}
	for (;;) {
		/*
		 * Linger only when values were there at once and the receiver
		 * has been taking them for a while (rx->streak): a stream. A
		 * receiver that had to wait is in a ping-pong, and one that
		 * waited long a moment ago is in a short burst, whose every
		 * value a linger would delay.
		 * After a park or an arm (whose last look reads every lane),
		 * look at every lane too, not only at the index: a sender may
		 * have published and not yet set its bit.
		 */
		int linger = spins == 0 && parked == SPW_OK && rx->streak >= SPW_STREAM_BYTES;

		if (full ? rx_scan_all(rx) : rx_scan(rx, linger))
			return SPW_OK;
		full = 0;
		SPW_TEST_YIELD();
		if (rx->shut || spw_core_senders_gone(core))
			return rx_stream_end(rx);
		if (wait != SPW_WAIT_BLOCK)
			return SPW_EMPTY;
		if (parked == SPW_TIMEOUT) {
			(void)rx_shed_if_quiet(rx, spw_now_ns());
			return SPW_TIMEOUT;
		}
		if (parked == SPW_OK) {
			/*
			 * Spin for the channel's budget (spw_config.spin_ns),
			 * on the clock, but not past the caller's deadline.
			 */
			uint64_t now = spw_now_ns();

			rx_sweep(rx, now);
			if (spin_start == 0)
				spin_start = now;
			if (deadline != NULL && now >= spw_timespec_ns(deadline)) {
				parked = SPW_TIMEOUT;
				continue; /* look once more, then time out */
			}
			if (now - spin_start >= SPW_STREAM_GAP_NS)
				rx->streak = 0; /* a quiet spell: the stream, if any, ended */
			if (now - spin_start < core->spin_ns) {
				spw_spin(now - spin_start);
				spins++;
				continue;
			}
		}
		/* After a timeout, look once more before giving up. */
		parked = rx_park(rx, deadline);
		rx->streak = 0;
		full = 1;
	}
}

/*
 * The current window is used up: make the next one.
 * Returns SPW_OK (rx->rp < rx->rend), SPW_EMPTY, SPW_TIMEOUT or SPW_CLOSED.
 */
static inline spw_status rx_refill(spw_rx *rx, spw_wait wait, const struct timespec *deadline)
{
	if (wait == SPW_WAIT_NONE)
		return rx_try_refill(rx);
	return rx_wait_refill(rx, wait, deadline);
}

/*
 * recv (SPW_WAIT_BLOCK, SPW_FOREVER), recv_timeout (SPW_WAIT_BLOCK with a
 * timeout; its 0 and its non-empty window are handled by the caller) and
 * try_recv (SPW_WAIT_NONE).
 */
spw_status spw_rx_recv(spw_rx *rx, void *out, spw_wait wait, uint64_t timeout_ns)
{
	struct timespec deadline;

	if (SPW_UNLIKELY(rx == NULL || out == NULL))
		return SPW_INVALID;
	if (rx->rp == rx->rend) {
		spw_status st;

		if (wait == SPW_WAIT_BLOCK && timeout_ns != SPW_FOREVER) {
			if (timeout_ns == 0) {
				st = rx_refill(rx, SPW_WAIT_NONE, NULL);
				if (st == SPW_EMPTY)
					st = SPW_TIMEOUT;
			} else {
				spw_deadline_after(&deadline, timeout_ns);
				st = rx_refill(rx, wait, &deadline);
			}
		} else {
			st = rx_refill(rx, wait, NULL);
		}
		if (st != SPW_OK)
			return st;
	}
	rx_copy(out, rx->rp, rx->chan->size);
	rx->rp += rx->chan->size;
	spw_core_release(&rx->chan->core, 1);
	return SPW_OK;
}

spw_status spw_rx_view(spw_rx *rx, const void **items, size_t *n, spw_wait wait)
{
	size_t bytes;

	if (SPW_UNLIKELY(rx == NULL || items == NULL || n == NULL))
		return SPW_INVALID;
	*items = NULL;
	*n = 0;
	if (rx->rp == rx->rend) {
		spw_status st = rx_refill(rx, wait, NULL);

		if (st != SPW_OK)
			return st;
	}
	bytes = (size_t)(rx->rend - rx->rp);
	*items = rx->rp;
	*n = bytes / rx->chan->size;
	rx->rp = rx->rend;
	spw_core_release(&rx->chan->core, *n);
	return SPW_OK;
}

spw_status spw_rx_recv_many(spw_rx *rx, void *out, size_t max, size_t *n)
{
	spw_wait wait = SPW_WAIT_BLOCK;
	size_t got = 0, size;

	if (rx == NULL || n == NULL || (out == NULL && max != 0))
		return SPW_INVALID;
	size = rx->chan->size;
	while (got < max) {
		size_t take;

		if (rx->rp == rx->rend) {
			spw_status st = rx_refill(rx, wait, NULL);

			if (st != SPW_OK) {
				if (got == 0 && st == SPW_CLOSED) {
					*n = 0;
					return SPW_CLOSED;
				}
				break;
			}
		}
		take = (size_t)(rx->rend - rx->rp) / size;
		if (take > max - got)
			take = max - got;
		memcpy((unsigned char *)out + got * size, rx->rp, take * size);
		rx->rp += take * size;
		got += take;
		wait = SPW_WAIT_MORE; /* have one: take only what is ready */
	}
	spw_core_release(&rx->chan->core, got);
	*n = got;
	return SPW_OK;
}

/* ---- teardown ---------------------------------------------------------- */

/*
 * The last handle closed: nobody else touches the channel. Every value
 * from the receiver's read position to the producers' tail was never
 * received: it goes to the destroy hook, exactly once.
 */
static void chan_free(spw_chan *chan)
{
	spw_destroy_fn destroy = chan->core.destroy;
	size_t i;

	for (i = 0; i < chan->core.lanes; i++) {
		spw_lane *lane = &chan->lanes[i];
		spw_seg *s = lane->rseg, *next;
		size_t pos = lane->rpos;

		if (s == NULL) {
			s = lane->first;
			pos = 0;
		}
		for (; s != NULL; s = next, pos = 0) {
			size_t end = lane->tpos;

			if (s != lane->tseg)
				end = atomic_load_explicit(&s->end, memory_order_relaxed);
			next = s->next;
			if (destroy != NULL)
				for (; pos < end; pos++)
					destroy(seg_at(chan, s, pos), chan->core.destroy_ctx);
			seg_free(chan, s);
		}
		(void)free_list(chan, atomic_load_explicit(&lane->returned, memory_order_relaxed));
		spw_lane_ctl_destroy(&lane->ctl);
	}
	spw_core_destroy(&chan->core);
	spw_mem_free_aligned(chan);
}

/* ---- handles ----------------------------------------------------------- */

/*
 * Handles get cache lines of their own: a sender's is read by its thread
 * on every send and the receiver's written by its thread on every
 * receive. Side by side in one malloc'd line (they are allocated one
 * after the other), each send would miss on the line the receiver just
 * wrote: about 150 ns more per ping-pong round trip, measured.
 */
static void *handle_alloc(size_t size)
{
	return spw_mem_alloc_aligned((size + SPW_CACHE_LINE - 1) / SPW_CACHE_LINE * SPW_CACHE_LINE, SPW_CACHE_LINE);
}

spw_status spw_chan_open(const spw_config *cfg, size_t size, size_t align, spw_tx **tx, spw_rx **rx)
{
	spw_chan *chan;
	spw_tx *s;
	spw_rx *r;
	spw_status st;
	size_t i;

	if (cfg == NULL || tx == NULL || rx == NULL || size == 0 || align == 0 || (align & (align - 1)) != 0 || size % align != 0)
		return SPW_INVALID;
	if (spw_config_check(cfg) != SPW_OK)
		return SPW_INVALID;

	/* lanes <= SPW_MAX_LANES (checked above): the size cannot overflow. */
	chan = spw_mem_alloc_aligned(sizeof(*chan) + cfg->lanes * sizeof(*chan->lanes) + index_words(cfg->lanes) * sizeof(*chan->dirty), SPW_CACHE_LINE);
	if (chan == NULL)
		return SPW_NOMEM;
	memset(chan, 0, sizeof(*chan));
	st = spw_core_init(&chan->core, cfg);
	if (st != SPW_OK) {
		spw_mem_free_aligned(chan);
		return st;
	}
	s = handle_alloc(sizeof(*s));
	r = handle_alloc(sizeof(*r));
	if (s == NULL || r == NULL) {
		spw_mem_free_aligned(r);
		spw_mem_free_aligned(s);
		spw_core_destroy(&chan->core);
		spw_mem_free_aligned(chan);
		return SPW_NOMEM;
	}
	chan->size = size;
	chan->seg_align = align > _Alignof(spw_seg) ? align : _Alignof(spw_seg);
	chan->items = SPW_SEG_ITEMS(align);
	chan->max_items = (SIZE_MAX / 2 - chan->items - chan->seg_align) / size;
	if (cfg->initial_buffer != 0)
		chan->seg_cap = cfg->initial_buffer;
	else if (size * 16 >= SPW_DEFAULT_SEGMENT_BYTES)
		chan->seg_cap = 16;
	else
		chan->seg_cap = SPW_DEFAULT_SEGMENT_BYTES / size;
	if (chan->seg_cap > chan->max_items)
		chan->seg_cap = chan->max_items;
	chan->lanes = (spw_lane *)(chan + 1);
	for (i = 0; i < cfg->lanes; i++) {
		memset(&chan->lanes[i], 0, sizeof(chan->lanes[i]));
		spw_lane_ctl_init(&chan->lanes[i].ctl);
		atomic_init(&chan->lanes[i].returned, NULL);
		atomic_init(&chan->lanes[i].spare_n, 0);
	}
	chan->dirty = (atomic_uint_least64_t *)(void *)(chan->lanes + cfg->lanes);
	for (i = 0; i < index_words(cfg->lanes); i++)
		atomic_init(&chan->dirty[i], 0);

	memset(r, 0, sizeof(*r));
	r->chan = chan;
	r->swept_at = spw_now_ns();
	atomic_fetch_add_explicit(&chan->core.handles, 1, memory_order_relaxed);

	tx_bind(s, chan, spw_core_next_lane(&chan->core));
	spw_core_sender_opened(&chan->core);

	*tx = s;
	*rx = r;
	return SPW_OK;
}

spw_status spw_tx_clone(spw_tx *tx, spw_tx **out)
{
	spw_tx *s;

	if (tx == NULL || out == NULL)
		return SPW_INVALID;
	s = handle_alloc(sizeof(*s));
	if (s == NULL)
		return SPW_NOMEM;
	tx_bind(s, tx->chan, spw_core_next_lane(&tx->chan->core));
	spw_core_sender_opened(&tx->chan->core);
	*out = s;
	return SPW_OK;
}

spw_status spw_tx_close(spw_tx *tx)
{
	spw_chan *chan;

	if (tx == NULL)
		return SPW_INVALID;
	chan = tx->chan;
	spw_mem_free_aligned(tx);
	if (spw_core_sender_closed(&chan->core))
		chan_free(chan);
	return SPW_OK;
}

spw_status spw_tx_is_closed(const spw_tx *tx, int *closed)
{
	if (tx == NULL || closed == NULL)
		return SPW_INVALID;
	*closed = spw_core_is_closed(&tx->chan->core) != 0;
	return SPW_OK;
}

spw_status spw_tx_wait_closed(spw_tx *tx, uint64_t timeout_ns)
{
	struct timespec deadline;

	if (tx == NULL)
		return SPW_INVALID;
	if (spw_core_is_closed(&tx->chan->core))
		return SPW_OK;
	if (timeout_ns == 0)
		return SPW_TIMEOUT;
	if (timeout_ns == SPW_FOREVER)
		return spw_core_wait_closed(&tx->chan->core, NULL);
	spw_deadline_after(&deadline, timeout_ns);
	return spw_core_wait_closed(&tx->chan->core, &deadline);
}

spw_status spw_rx_close(spw_rx *rx)
{
	spw_chan *chan;

	if (rx == NULL)
		return SPW_INVALID;
	chan = rx->chan;
	spw_core_mark_closed(&chan->core);
	/*
	 * Give the unread rest of the window back to its lane, so that the
	 * teardown destroys it with the lane's other unreceived values.
	 */
	if (rx->rp != rx->rend) {
		spw_lane *lane = &chan->lanes[rx->lane];

		lane->rpos -= (size_t)(rx->rend - rx->rp) / chan->size;
	}
	spw_mem_free_aligned(rx);
	if (spw_core_handle_closed(&chan->core))
		chan_free(chan);
	return SPW_OK;
}

spw_status spw_rx_shutdown(spw_rx *rx)
{
	spw_chan *chan;

	if (rx == NULL)
		return SPW_INVALID;
	if (rx->shut)
		return SPW_OK;
	chan = rx->chan;
	spw_core_mark_closed(&chan->core);
	spw_core_quiesce(&chan->core, &chan->lanes[0].ctl, sizeof(chan->lanes[0]), chan->core.lanes);
	rx->shut = 1;
	return SPW_OK;
}

spw_status spw_rx_sender_count(const spw_rx *rx, size_t *n)
{
	if (rx == NULL || n == NULL)
		return SPW_INVALID;
	*n = spw_core_sender_count(&rx->chan->core);
	return SPW_OK;
}

/* ---- introspection and memory ------------------------------------------ */

/* Values ever published on all lanes. */
static uint_least64_t published_total(spw_chan *chan)
{
	uint_least64_t total = 0;
	size_t i, n = spw_core_active_lanes(&chan->core);

	for (i = 0; i < n; i++)
		total += spw_lane_published(&chan->lanes[i].ctl);
	return total;
}

/*
 * Values sent and not yet received: the capacity counter, or what was
 * published less what the receiver took off the lanes, where `unread` of
 * the values it took are not handed out yet. `taken` is read first
 * (acquire, pairing with spw_core_took): the counters read after it are
 * never behind it.
 */
static size_t chan_backlog(spw_chan *chan, uint_least64_t unread)
{
	uint_least64_t taken, total;

	if (chan->core.capacity != 0)
		return spw_core_inflight(&chan->core);
	taken = atomic_load_explicit(&chan->core.taken, memory_order_acquire) - unread;
	total = published_total(chan);
	return total > taken ? (size_t)(total - taken) : 0;
}

spw_status spw_rx_len(const spw_rx *rx, size_t *len)
{
	uint_least64_t unread;

	if (rx == NULL || len == NULL)
		return SPW_INVALID;
	unread = rx->left + (uint_least64_t)(rx->rend - rx->rp) / rx->chan->size;
	*len = chan_backlog(rx->chan, unread);
	return SPW_OK;
}

spw_status spw_tx_len(const spw_tx *tx, size_t *len)
{
	if (tx == NULL || len == NULL)
		return SPW_INVALID;
	*len = chan_backlog(tx->chan, 0);
	return SPW_OK;
}

spw_status spw_rx_capacity(const spw_rx *rx, size_t *capacity)
{
	if (rx == NULL || capacity == NULL)
		return SPW_INVALID;
	*capacity = rx->chan->core.capacity;
	return SPW_OK;
}

spw_status spw_tx_capacity(const spw_tx *tx, size_t *capacity)
{
	if (tx == NULL || capacity == NULL)
		return SPW_INVALID;
	*capacity = tx->chan->core.capacity;
	return SPW_OK;
}

spw_status spw_rx_trim(spw_rx *rx)
{
	if (rx == NULL)
		return SPW_INVALID;
	chan_shed(rx->chan, 0);
	return SPW_OK;
}

/*
 * For a new descriptor: is anything there to receive, counting what the
 * receiver holds in its window but has not handed out, or has the stream
 * ended by a shutdown? (The end by the last sender's close is
 * spw_core_fd's own check.)
 */
static int rx_pending(void *ctx)
{
	spw_rx *rx = ctx;

	return rx->shut || rx->rp != rx->rend || rx->left != 0 || rx_ready(rx);
}

spw_status spw_rx_fd(spw_rx *rx, int *fd)
{
	if (rx == NULL || fd == NULL)
		return SPW_INVALID;
	return spw_core_fd(&rx->chan->core, fd, rx_pending, rx);
}
