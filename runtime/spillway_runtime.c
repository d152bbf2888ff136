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

/* ---- the core ---------------------------------------------------------- */

/* ---- barriers and lanes ------------------------------------------------ */

int spw_fast_barriers;
#ifdef SPW_TSAN
atomic_int spw_fence_dummy;
#endif
_Thread_local char spw_thread_token;
static pthread_once_t barriers_once = PTHREAD_ONCE_INIT;

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
	atomic_init(&l->owner, NULL);
	atomic_init(&l->busy, 0);
	pthread_mutex_init(&l->lock, NULL);
}

void spw_lane_ctl_destroy(spw_lane_ctl *l)
{
	pthread_mutex_destroy(&l->lock);
}

void spw_lane_lock_slow(spw_lane_ctl *l)
{
	const void *self = &spw_thread_token;
	const void *owner;

	pthread_mutex_lock(&l->lock);
	owner = atomic_load_explicit(&l->owner, memory_order_relaxed);
	if (owner == NULL) {
		/*
		 * First sender thread of the lane: bias the lane to it. Its
		 * later sends take the fast path; this one holds the mutex.
		 */
		atomic_store_explicit(&l->owner,
				      spw_fast_barriers ? self :
							  SPW_LANE_SHARED,
				      memory_order_relaxed);
	} else if (owner != SPW_LANE_SHARED && owner != self) {
		/*
		 * Revoke the bias: after the heavy barrier the owner either
		 * sees SHARED on its re-check, or its busy = 1 is visible to
		 * us and we wait for it to leave.
		 */
		atomic_store_explicit(&l->owner, SPW_LANE_SHARED,
				      memory_order_seq_cst);
		SPW_TEST_YIELD();
		spw_heavy_barrier();
		while (atomic_load_explicit(&l->busy, memory_order_acquire))
			sched_yield();
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
	 * inside, and every later one sees the close.
	 */
	SPW_TEST_YIELD();
	spw_heavy_barrier();
	for (i = 0; i < n; i++) {
		spw_lane_ctl *l =
			(spw_lane_ctl *)((unsigned char *)first + i * stride);

		while (atomic_load_explicit(&l->busy, memory_order_acquire))
			sched_yield();
		pthread_mutex_lock(&l->lock);
		pthread_mutex_unlock(&l->lock);
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
