/* SPDX-License-Identifier: MIT */
/*
 * spillway_core.h - what generated channels share with the runtime: the
 * channel core, the lanes' biased locks, barriers, capacity accounting
 * and parking. Included by generated .c files and the runtime only.
 *
 * NOT a stable API: it changes whenever SPW_RUNTIME_ABI changes (generated
 * code checks that number at compile time). C11: atomics and pthreads.
 */
#ifndef SPILLWAY_CORE_H
#define SPILLWAY_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "spillway_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SPW_TEST_YIELD() marks the places where a check and the act that depends
 * on it are separate steps. The stress suite is also built with
 * -DSPW_TEST_YIELDS, which turns each into sched_yield() to widen the race
 * windows; in every other build it is nothing.
 */
#ifdef SPW_TEST_YIELDS
#include <sched.h>
#define SPW_TEST_YIELD() ((void)sched_yield())
#else
#define SPW_TEST_YIELD() ((void)0)
#endif

/*
 * The fast-path helpers below are forced inline: a user's -O0 build of a
 * generated channel still runs send without a call per helper.
 */
#if defined(__GNUC__) || defined(__clang__)
#define SPW_INLINE static inline __attribute__((always_inline))
#else
#define SPW_INLINE static inline
#endif

/* Keeps a slow path out of line, so that the fast path stays small. */
#if defined(__GNUC__) || defined(__clang__)
#define SPW_NOINLINE __attribute__((noinline))
#else
#define SPW_NOINLINE
#endif

#define SPW_CACHE_LINE 64
#define SPW_ALIGNED _Alignas(SPW_CACHE_LINE)

void *spw_mem_alloc(size_t size);
void spw_mem_free(void *ptr);
/*
 * Blocks aligned to `align` (a power of two; malloc only promises 16
 * bytes): the channel block (cache lines) and the segments of an
 * over-aligned element type; carved out of a larger spw_mem_alloc block.
 */
void *spw_mem_alloc_aligned(size_t size, size_t align);
void spw_mem_free_aligned(void *ptr);

/*
 * Barriers. The send fast path never executes a fence or a locked
 * instruction: where a Dekker-style check needs both sides ordered (the
 * receiver parking, a lane's bias being revoked), the rare side runs
 * spw_heavy_barrier(), which is membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)
 * on Linux: it orders memory on every running thread of the process, so the
 * frequent side only needs spw_light_barrier(), a compiler barrier. Where
 * membarrier is not available, spw_light_barrier() becomes a full fence and
 * lanes are never biased (spw_fast_barriers is 0). Setting the environment
 * variable SPW_NO_MEMBARRIER (to anything) before the first channel is
 * created forces that fallback; the tests use it.
 */
extern int spw_fast_barriers;

/*
 * A full fence. ThreadSanitizer does not model fences (gcc warns about
 * them under -fsanitize=thread), so sanitized builds use a sequentially
 * consistent read-modify-write of a dummy instead.
 */
#if defined(__SANITIZE_THREAD__)
#define SPW_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SPW_TSAN 1
#endif
#endif
#ifdef SPW_TSAN
extern atomic_int spw_fence_dummy;
#define SPW_FULL_FENCE() \
	((void)atomic_fetch_add_explicit(&spw_fence_dummy, 0, \
					 memory_order_seq_cst))
#else
#define SPW_FULL_FENCE() atomic_thread_fence(memory_order_seq_cst)
#endif

SPW_INLINE void spw_light_barrier(void)
{
	if (SPW_LIKELY(spw_fast_barriers))
		atomic_signal_fence(memory_order_seq_cst);
	else
		SPW_FULL_FENCE();
}

void spw_heavy_barrier(void);

/*
 * The calling thread's identity: its bias record, from a fixed table in
 * the runtime (SPW_BIAS_THREADS, 4096 records of one cache line each; no
 * allocation). A thread takes one the first time it enters a lane's slow
 * path and gives it back when it exits; until then, and when the table is
 * full, spw_thread_self is NULL and the thread never owns a lane (it
 * sends under the lanes' mutexes).
 *
 * `busy` is 1 while the thread is inside a lane it owns. It is the
 * thread's own, not the lane's: a thread whose bias was just revoked may
 * still store busy = 1 and busy = 0 once, and on a lane-wide flag that
 * store could hide the next owner's busy = 1 from the revoker after it.
 */
typedef struct spw_thread_rec {
	SPW_ALIGNED atomic_int busy;
	struct spw_thread_rec *next; /* the table's free list */
} spw_thread_rec;

/*
 * Initial-exec TLS: the address is the thread pointer plus a constant,
 * also in position-independent code (Bazel's objects, shared libraries,
 * PIE), where the default model calls __tls_get_addr() on every send.
 * One pointer of static TLS; libspillway.so may still be dlopen()ed, as
 * glibc keeps room for that.
 */
#if defined(__GNUC__) || defined(__clang__)
#define SPW_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define SPW_TLS_MODEL
#endif
extern _Thread_local spw_thread_rec *spw_thread_self SPW_TLS_MODEL;

/*
 * The producer side of a lane: how many values it has published, and who
 * may append to it.
 *
 * Producers append under a *biased* lock. The first thread to send on a
 * lane takes the lane's mutex once and becomes its owner; from then on it
 * enters with plain stores and loads (check owner, its busy = 1, warm,
 * check owner again, ..., busy = 0), no locked instruction. A second
 * thread that wants the lane takes the mutex, marks the lane shared, runs
 * spw_heavy_barrier() and waits for the owner's busy == 0; from then on
 * the lane's senders use the mutex. So a lane that one thread has to itself costs no lock round
 * trip, and a lane that several threads share costs one uncontended mutex.
 *
 * Rebias: a shared lane whose last `rebias_after` locked sends all came
 * from one thread is biased to that thread again (one sender used by
 * threads that take turns: a pool, time slices on one CPU); the next
 * other thread revokes as above. A revocation costs a heavy barrier (6-26
 * us on the development VMs), so a bias revoked soon after it was given
 * doubles the run the next one needs (SPW_REBIAS_* in the runtime).
 */

typedef struct spw_lane_ctl {
	SPW_ALIGNED atomic_uint_least64_t published; /* values ever published */
	_Atomic(spw_thread_rec *) owner; /* a thread, or FREE or SHARED */
	/*
	 * Stored to (and never read) as the owner enters: that sends for
	 * this line, which the receiver keeps reading, while the values are
	 * copied, so that the store of `published` finds it here. Without
	 * it a pinned ping-pong round trip was 75-100 ns longer.
	 */
	atomic_int warm;
	pthread_mutex_t lock;        /* for lanes without an owner */
	/* Under `lock`: when to bias a shared lane again. */
	spw_thread_rec *last;        /* thread of the last locked send */
	uint32_t run;                /* its locked sends in a row */
	uint32_t rebias_after;       /* run that makes it the owner */
	uint64_t biased_at;          /* when the bias was last given (ns) */
} spw_lane_ctl;

void spw_lane_ctl_init(spw_lane_ctl *l);
void spw_lane_ctl_destroy(spw_lane_ctl *l);
/* Slow path of spw_lane_enter(): returns with l->lock held. */
void spw_lane_lock_slow(spw_lane_ctl *l);

/*
 * Enter the lane if the calling thread owns it: nonzero on success (leave
 * with spw_lane_exit(l, 0)), 0 when the caller must use spw_lane_enter().
 * The lane's owner is never NULL, so a thread without a record never
 * passes.
 */
SPW_INLINE int spw_lane_enter_owned(spw_lane_ctl *l)
{
	spw_thread_rec *self = spw_thread_self;

	if (SPW_LIKELY(atomic_load_explicit(&l->owner,
					    memory_order_relaxed) == self)) {
		/* A revocation and a rebias may happen right here. */
		SPW_TEST_YIELD();
		atomic_store_explicit(&self->busy, 1, memory_order_relaxed);
		atomic_store_explicit(&l->warm, 1, memory_order_relaxed);
		/* Pairs with the heavy barrier of a revoking thread. */
		atomic_signal_fence(memory_order_seq_cst);
		SPW_TEST_YIELD();
		if (SPW_LIKELY(atomic_load_explicit(&l->owner,
						    memory_order_relaxed) ==
			       self))
			return 1;
		atomic_store_explicit(&self->busy, 0, memory_order_release);
	}
	return 0;
}

/*
 * Enter the lane as its only producer. Returns 0 when the calling thread
 * owns the lane (fast path), 1 when it took the lane's mutex. Pass the
 * result to spw_lane_exit().
 */
SPW_INLINE int spw_lane_enter(spw_lane_ctl *l)
{
	if (SPW_LIKELY(spw_lane_enter_owned(l)))
		return 0;
	spw_lane_lock_slow(l);
	return 1;
}

SPW_INLINE void spw_lane_exit(spw_lane_ctl *l, int locked)
{
	if (SPW_LIKELY(!locked))
		atomic_store_explicit(&spw_thread_self->busy, 0,
				      memory_order_release);
	else
		pthread_mutex_unlock(&l->lock);
}

/* Values published on the lane so far (receiver: acquire). */
SPW_INLINE uint_least64_t spw_lane_published(spw_lane_ctl *l)
{
	return atomic_load_explicit(&l->published, memory_order_acquire);
}

struct spw_room_waiter;

/*
 * The shared core of one channel. The generated channel embeds it as its
 * first member and puts its typed lanes after it.
 *
 * Fields written by senders and fields written by the receiver sit on
 * separate cache lines.
 */
typedef struct spw_core {
	/* Read-mostly: fixed at creation. */
	size_t lanes;
	size_t capacity; /* 0: unbounded */
	size_t initial_buffer;
	spw_destroy_fn destroy;
	void *destroy_ctx;
	uint64_t spin_ns; /* a blocking receive's spin budget */
	atomic_int closed; /* the receiver has closed or shut down (written once) */

	/* Written by senders when they clone and close. */
	SPW_ALIGNED atomic_size_t clock;   /* next lane for a new sender */
	atomic_size_t senders;             /* open senders */
	atomic_size_t handles;             /* open senders + open receiver */

	/*
	 * Capacity: slots ever reserved by senders (compare-and-swap) and
	 * ever released by the receiver (its own counter: a plain store, no
	 * locked instruction). In flight: reserved - released.
	 */
	SPW_ALIGNED atomic_size_t reserved;
	SPW_ALIGNED atomic_size_t released;

	/*
	 * Senders waiting for room (send_wait) or for the close (wait_closed):
	 * a FIFO list under room_lock. The receiver reads `room_waiters`
	 * (and `room_need`, what the first waiter needs) after each release,
	 * a plain load of a line that changes only when senders start or stop
	 * waiting.
	 */
	SPW_ALIGNED atomic_size_t room_waiters;
	atomic_size_t room_need;
	pthread_mutex_t room_lock;
	struct spw_room_waiter *room_head, *room_tail;
	/*
	 * Under room_lock: a heavy barrier has run since the line last
	 * emptied, with room_need == room_fenced_need at the time; a new
	 * first-in-line that needs the same need not run another.
	 */
	int room_fenced;
	size_t room_fenced_need;
	pthread_cond_t closed_cond;
	size_t closed_waiters;

	/* Values the receiver has taken off the lanes (for len()). */
	SPW_ALIGNED atomic_uint_least64_t taken;

	/* Parking: written by the receiver, read by senders. */
	SPW_ALIGNED atomic_int parked;
	atomic_int efd; /* the pollable descriptor (read end), or -1 */
	int wfd;        /* its write end (the same as efd for an eventfd) */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
} spw_core;

/* Validates cfg and fills core. */
spw_status spw_core_init(spw_core *core, const spw_config *cfg);
/* Frees what spw_core_init allocated. */
void spw_core_destroy(spw_core *core);

/* Lane for a new sender: the round-robin clock. */
SPW_INLINE size_t spw_core_next_lane(spw_core *core)
{
	return atomic_fetch_add_explicit(&core->clock, 1, memory_order_acq_rel) %
	       core->lanes;
}

/*
 * Receiver: the lanes that have ever had a sender. The clock hands out
 * lanes 0, 1, 2, ... in order, so they are the first min(clock, lanes):
 * idle lanes beyond them cost nothing (a 4096-lane channel with one
 * sender scans one lane). A sender takes its lane before it sends, so a
 * look after the park's heavy barrier never misses a lane with values.
 */
SPW_INLINE size_t spw_core_active_lanes(spw_core *core)
{
	size_t c = atomic_load_explicit(&core->clock, memory_order_acquire);

	return c < core->lanes ? c : core->lanes;
}

/*
 * Capacity. spw_core_reserve() takes n slots or fails whole (a sender);
 * spw_core_unreserve() gives them back when the send fails after all (a
 * sender); the receiver gives slots back with spw_core_release() as it
 * hands values out. All are no-ops on an unbounded channel.
 *
 * `released` only grows, so a sender that reads an old value can only
 * find less room than there is (but a `released` newer than the
 * `reserved` read before it must not be subtracted: see below). Reserving is acq_rel and observers read
 * `reserved` (acquire) before `released`, so an observer never computes
 * more than the capacity in flight.
 */
SPW_INLINE int spw_core_reserve_keep(spw_core *core, size_t n, size_t keep)
{
	size_t cur, rel;

	if (core->capacity == 0)
		return 1;
	if (n > core->capacity || keep > core->capacity - n)
		return 0;
	cur = atomic_load_explicit(&core->reserved, memory_order_relaxed);
	do {
		SPW_TEST_YIELD();
		rel = atomic_load_explicit(&core->released, memory_order_acquire);
		/*
		 * A `released` past `cur`: sends and receives came between
		 * the two loads, so `cur` is stale (reserved >= released >
		 * cur): the compare-and-swap fails and rereads it. Only a
		 * fresh pair can say the channel is full.
		 */
		if (cur >= rel && cur - rel > core->capacity - n - keep)
			return 0;
	} while (!atomic_compare_exchange_weak_explicit(
		&core->reserved, &cur, cur + n, memory_order_acq_rel,
		memory_order_relaxed));
	return 1;
}

SPW_INLINE int spw_core_reserve(spw_core *core, size_t n)
{
	return spw_core_reserve_keep(core, n, 0);
}

/*
 * Reserve as a sender that is not first in line: while senders wait for
 * room, leave what the first of them needs (`room_need`), so that a stream
 * of arriving sends never starves it, but take the room beyond that (the
 * line does not become a convoy of sleeps and wake-ups).
 */
SPW_INLINE int spw_core_reserve_polite(spw_core *core, size_t n)
{
	size_t keep = 0;

	if (core->capacity == 0)
		return 1;
	if (SPW_UNLIKELY(atomic_load_explicit(&core->room_waiters,
					      memory_order_relaxed) != 0))
		keep = atomic_load_explicit(&core->room_need,
					    memory_order_relaxed);
	return spw_core_reserve_keep(core, n, keep);
}

/* Slow half of spw_core_release(): wake the first waiting sender. */
void spw_core_room_wake(spw_core *core);

/*
 * Has a sender to be woken? Only when some wait, and (for the first in
 * line) there is room for what it needs. Pairs with the heavy barrier a
 * waiting sender runs after it publishes `room_waiters` and `room_need`.
 */
SPW_INLINE void spw_core_room_check(spw_core *core)
{
	spw_light_barrier();
	if (SPW_UNLIKELY(atomic_load_explicit(&core->room_waiters,
					      memory_order_relaxed) != 0)) {
		size_t res = atomic_load_explicit(&core->reserved,
						  memory_order_relaxed);
		size_t rel = atomic_load_explicit(&core->released,
						  memory_order_relaxed);
		size_t need = atomic_load_explicit(&core->room_need,
						   memory_order_relaxed);

		if (core->capacity - (res - rel) >= need)
			spw_core_room_wake(core);
	}
}

SPW_INLINE void spw_core_release(spw_core *core, size_t n)
{
	if (core->capacity != 0 && n != 0) {
		size_t rel = atomic_load_explicit(&core->released,
						  memory_order_relaxed);

		atomic_store_explicit(&core->released, rel + n,
				      memory_order_release);
		spw_core_room_check(core);
	}
}

/* A sender: the n slots it reserved are not used after all. */
SPW_INLINE void spw_core_unreserve(spw_core *core, size_t n)
{
	if (core->capacity != 0 && n != 0) {
		atomic_fetch_sub_explicit(&core->reserved, n,
					  memory_order_acq_rel);
		spw_core_room_check(core);
	}
}

/* Values sent but not yet received (0 when the channel is unbounded). */
SPW_INLINE size_t spw_core_inflight(spw_core *core)
{
	size_t res = atomic_load_explicit(&core->reserved,
					  memory_order_acquire);
	size_t rel = atomic_load_explicit(&core->released,
					  memory_order_acquire);

	return res > rel ? res - rel : 0;
}

/*
 * A sender: wait until n slots can be reserved (then reserve them and
 * return SPW_OK), the receiver closes or shuts down (SPW_CLOSED) or the
 * deadline passes (SPW_TIMEOUT; NULL: no deadline). It first keeps trying
 * for the channel's spin budget (spin_ns, yielding the CPU), as a polite
 * sender; then it sleeps in a FIFO line, whose first sender alone may take
 * the room it needs. n must be at most the capacity of a bounded channel.
 */
spw_status spw_core_reserve_wait(spw_core *core, size_t n,
				 const struct timespec *deadline);

/* A sender: wait until the receiver closes or shuts down. */
spw_status spw_core_wait_closed(spw_core *core,
				const struct timespec *deadline);

/*
 * Receiver: n more values were taken off the lanes. Release, so that a
 * thread that reads `taken` (acquire) and then the lanes' published
 * counters never finds fewer published values than taken ones.
 */
SPW_INLINE void spw_core_took(spw_core *core, uint_least64_t n)
{
	uint_least64_t t = atomic_load_explicit(&core->taken,
						memory_order_relaxed);

	atomic_store_explicit(&core->taken, t + n, memory_order_release);
}

/*
 * The receiver is parked: wake it (the slow half of spw_tx_published).
 * The receiver publishes `parked` and then runs the heavy barrier before
 * its last look at the lanes, so a sender whose values that look missed
 * is bound to see `parked` after its publish.
 */
void spw_core_wake(spw_core *core);

/* Receiver: have all senders closed? (acquire: their sends happen-before) */
SPW_INLINE int spw_core_senders_gone(spw_core *core)
{
	return atomic_load_explicit(&core->senders, memory_order_acquire) == 0;
}

/*
 * Receiver: sleep until a sender publishes, the last sender closes, or
 * the deadline passes (deadline NULL: no deadline; a CLOCK_MONOTONIC
 * time). `ready(ctx)` looks at the lanes one last time after `parked` is
 * published: nonzero means there is something to take and we do not sleep.
 * Returns SPW_OK on a wake-up (which may be spurious: look again) or
 * SPW_TIMEOUT.
 */
spw_status spw_core_park(spw_core *core, const struct timespec *deadline,
			 int (*ready)(void *ctx), void *ctx);

/*
 * Receiver: before it parks, a blocking receive keeps looking for
 * core->spin_ns nanoseconds (spw_config.spin_ns), measured on the clock,
 * not in scans or pauses, so the budget means the same whatever the lane
 * count and the CPU's pause length. For the first SPW_SPIN_PAUSE_NS it
 * pauses the CPU between looks; after that it yields it (to the senders,
 * on a machine with fewer cores than threads). Parking costs a system call
 * on each side; spinning saves them when values are about to arrive.
 * spw_spin(waited) waits a little, `waited` ns into the spin.
 */
#ifndef SPW_SPIN_PAUSE_NS
#define SPW_SPIN_PAUSE_NS 5000u
#endif
void spw_spin(uint64_t waited_ns);

/* One CPU pause (a spin-wait hint); a compiler barrier elsewhere. */
SPW_INLINE void spw_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/*
 * Lingering. When a blocking receive finds a lane with less than
 * SPW_LINGER_BYTES of values on its first look, and it is in a stream
 * (it has taken SPW_STREAM_BYTES or more since it last waited
 * SPW_STREAM_GAP_NS or longer), the sender is probably still streaming
 * into the lane: reading its lines now would pull them away from the
 * sender value by value. The receiver waits SPW_LINGER_NS on the clock
 * (pausing the CPU) and looks again, taking the longer visit. A short
 * burst after a quiet spell is taken as it comes: waiting would only add
 * to its latency. Measured in DESIGN.md; set SPW_LINGER_NS to 0 to turn
 * it off.
 */
#ifndef SPW_LINGER_BYTES
#define SPW_LINGER_BYTES 4096
#endif
#ifdef SPW_LINGER_PAUSES
#error "SPW_LINGER_PAUSES is gone: the linger is SPW_LINGER_NS nanoseconds (0 turns it off)"
#endif
#ifndef SPW_LINGER_NS
#define SPW_LINGER_NS 1000u
#endif
/*
 * Built with -DSPW_TEST_LINGERS, the runtime counts its lingers in
 * spw_test_lingers (tests/test_linger.c); no other build has the counter.
 */
#ifdef SPW_TEST_LINGERS
extern atomic_ulong spw_test_lingers;
#endif
#ifndef SPW_STREAM_BYTES
#define SPW_STREAM_BYTES 2048u
#endif
#ifndef SPW_STREAM_GAP_NS
#define SPW_STREAM_GAP_NS 2000u
#endif

/*
 * The pollable descriptor: an eventfd on Linux; elsewhere, or built with
 * -DSPW_NO_EVENTFD, the read end of a non-blocking pipe (POSIX).
 * spw_core_fd() makes it on the first call and returns it; it stays open
 * until the channel is freed. A sender that wakes the receiver also makes
 * it readable.
 *
 * spw_core_arm() is the receiver's way of parking in somebody else's poll
 * loop: it empties the descriptor, publishes `parked`, runs the heavy
 * barrier and looks at the lanes again with ready(ctx), exactly like
 * spw_core_park() but without sleeping. It returns nonzero when values are
 * there after all (or every sender closed): look again. Otherwise it
 * returns 0 with `parked` set, and the next publish or the last close
 * makes the descriptor readable.
 *
 * A new descriptor is armed at once: spw_core_fd() runs the same double
 * check with ready(ctx) (which must also count values the receiver holds
 * but has not handed out) and makes the descriptor readable itself if
 * something is there, so it is readable from the start whenever a value
 * is ready or the stream has ended.
 */
spw_status spw_core_fd(spw_core *core, int *fd, int (*ready)(void *ctx),
		       void *ctx);
int spw_core_arm(spw_core *core, int (*ready)(void *ctx), void *ctx);

/* Has the receiver a descriptor? (Receiver thread.) */
SPW_INLINE int spw_core_has_fd(spw_core *core)
{
	return atomic_load_explicit(&core->efd, memory_order_relaxed) >= 0;
}

/* Deadline `timeout_ns` from now on CLOCK_MONOTONIC. */
void spw_deadline_after(struct timespec *deadline, uint64_t timeout_ns);

/* A CLOCK_MONOTONIC deadline in nanoseconds. */
SPW_INLINE uint64_t spw_timespec_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

/* CLOCK_MONOTONIC in nanoseconds (never 0). */
uint64_t spw_now_ns(void);

/* The CLOCK_MONOTONIC time `ns` as a deadline for spw_core_park(). */
void spw_deadline_at(struct timespec *deadline, uint64_t ns);

/* A new sender handle exists. */
SPW_INLINE void spw_core_sender_opened(spw_core *core)
{
	atomic_fetch_add_explicit(&core->senders, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&core->handles, 1, memory_order_relaxed);
}

/*
 * A sender closed. Wakes a parked receiver when it was the last one, so
 * that it can report end of stream. Returns nonzero when the caller closed
 * the last handle and must free the channel.
 */
int spw_core_sender_closed(spw_core *core);

/*
 * The receiver is closing or shutting down: from now on sends fail with
 * SPW_CLOSED, and every sender waiting for room or for the close wakes.
 */
void spw_core_mark_closed(spw_core *core);

/*
 * Receiver, after spw_core_mark_closed(): wait until no sender is inside
 * any of the `n` lanes (their controls `stride` bytes apart from `first`).
 * A sender checks `closed` inside its lane, so afterwards every send that
 * was accepted has published its values and every later one is refused.
 */
void spw_core_quiesce(spw_core *core, spw_lane_ctl *first, size_t stride,
		      size_t n);

/* Live senders (any thread; a snapshot). */
SPW_INLINE size_t spw_core_sender_count(spw_core *core)
{
	return atomic_load_explicit(&core->senders, memory_order_acquire);
}

/* Has the receiver closed (or shut down)? */
SPW_INLINE int spw_core_is_closed(spw_core *core)
{
	return atomic_load_explicit(&core->closed, memory_order_relaxed);
}

/*
 * The same, inside a lane (after spw_lane_enter): the store of `busy` (or
 * the lane mutex) is ordered before this load against the receiver's
 * shutdown, which publishes `closed`, runs the heavy barrier and then
 * waits for busy == 0 and takes every lane mutex once.
 */
SPW_INLINE int spw_core_closed_in_lane(spw_core *core)
{
	SPW_TEST_YIELD();
	return atomic_load_explicit(&core->closed, memory_order_relaxed);
}

/*
 * A handle (the receiver, or a sender after spw_core_sender_closed's own
 * bookkeeping) is gone. Returns nonzero when it was the last one and the
 * caller must free the channel.
 */
int spw_core_handle_closed(spw_core *core);

/* ---- lanes and handles (spillway_runtime.c) ------------------------- */

/*
 * The lane algorithm lives in the runtime and works on the element's size
 * and alignment; a generated channel adds the typed copy of its fast
 * paths (send of one value into the tail segment, receive of one value
 * from the receiver's window) and its API, which converts its handles to
 * these and calls the functions below. See spillway_runtime.c, "Lanes",
 * for how they work.
 *
 * A segment is this header, then `cap` values at SPW_SEG_ITEMS(align)
 * bytes from its start (align: the element type's alignment); it is
 * aligned for the element type.
 */
typedef struct spw_seg {
	struct spw_seg *next; /* written before the values after it are published */
	struct spw_seg *free_next; /* in the spares stack, or a taken list */
	atomic_size_t end; /* SIZE_MAX, or the number of values once sealed */
	size_t cap; /* values it has room for */
} spw_seg;

#define SPW_SEG_ITEMS(align) \
	((sizeof(spw_seg) + (size_t)(align) - 1) / (size_t)(align) * (size_t)(align))

typedef struct spw_lane {
	/* Producer side: published count and biased lock, then the tail. */
	spw_lane_ctl ctl;
	spw_seg *tseg; /* segment being filled (NULL: none yet) */
	size_t tpos; /* next free slot in tseg */
	spw_seg *first; /* the lane's first segment, for the receiver */

	/* Receiver side. */
	SPW_ALIGNED uint_least64_t consumed; /* values taken into visits */
	spw_seg *rseg; /* segment being read */
	size_t rpos; /* next slot to read in rseg */
	/*
	 * Read segments for the producers to reuse (a stack: pushed by the
	 * receiver and by a producer giving some back; taken whole), and
	 * about how many there are (exact when nobody is inside).
	 */
	_Atomic(spw_seg *) returned;
	atomic_size_t spare_n;
	int visited; /* receiver: visited since the last sweep of the index */
} spw_lane;

/* One cache-aligned block: the channel, then its lanes. */
typedef struct spw_chan {
	spw_core core;
	size_t size; /* bytes per value */
	size_t seg_align; /* alignment of a segment */
	size_t items; /* SPW_SEG_ITEMS(the element's alignment) */
	size_t seg_cap; /* values per segment */
	size_t max_items; /* most values one segment (and batch) may hold */
	spw_lane *lanes; /* just after the channel, in the block */
	/*
	 * The dirty-lane index: bit i%64 of word i/64 is set while lane i
	 * may have values the receiver has not taken; just after the lanes.
	 * A sender sets its lane's bit when it finds it clear after a publish
	 * (once per quiet spell of the lane); the receiver's sweep clears the
	 * bits of lanes that stayed empty (see "the dirty-lane index" in
	 * spillway_runtime.c).
	 */
	atomic_uint_least64_t *dirty;
} spw_chan;

/* A sender handle: its channel and the lane it is bound to. */
typedef struct spw_tx {
	spw_chan *chan;
	spw_lane *lane;
	atomic_uint_least64_t *dirty; /* the index word of its lane */
	uint_least64_t bit; /* its lane's bit in *dirty */
} spw_tx;

/* The receiver handle. */
typedef struct spw_rx {
	spw_chan *chan;
	unsigned char *rp; /* next value to hand out */
	unsigned char *rend; /* end of the current window */
	size_t lane; /* the lane being visited */
	uint_least64_t left; /* values of the visit not yet in a window */
	size_t cursor; /* next lane to look at */
	/* Idle tracking for shedding (see rx_idle). */
	uint64_t idle_since; /* first empty look of this quiet spell, or 0 */
	uint64_t swept_at; /* last sweep of the dirty-lane index */
	unsigned idle_looks; /* empty non-blocking looks since then */
	int idle_shed; /* this quiet spell has shed already */
	int shut; /* receiver_shutdown: end of stream once drained */
	/*
	 * Bytes taken since the receiver last waited SPW_STREAM_GAP_NS or
	 * longer (or parked): a blocking receive lingers only in a stream.
	 */
	uint64_t streak;
} spw_rx;

/*
 * How a receive may wait: not at all (try_*), not at all but lingering on
 * a short first look (the rest of a blocking recv_many), or block (until
 * a deadline, or for ever with a NULL one).
 */
typedef enum spw_wait {
	SPW_WAIT_NONE,
	SPW_WAIT_MORE,
	SPW_WAIT_BLOCK
} spw_wait;

/*
 * A channel of values of `size` bytes aligned to `align` (a power of two):
 * SPW_OK, SPW_INVALID or SPW_NOMEM, as spw_<name>_channel_with.
 */
spw_status spw_chan_open(const spw_config *cfg, size_t size, size_t align, spw_tx **tx, spw_rx **rx);

/* The sender side of the API, as the generated functions of the same name. */
spw_status spw_tx_clone(spw_tx *tx, spw_tx **out);
spw_status spw_tx_close(spw_tx *tx);
spw_status spw_tx_send(spw_tx *tx, const void *value);
spw_status spw_tx_send_many(spw_tx *tx, const void *values, size_t n);
spw_status spw_tx_send_wait(spw_tx *tx, const void *value, uint64_t timeout_ns);
spw_status spw_tx_send_many_wait(spw_tx *tx, const void *values, size_t n, uint64_t timeout_ns);
spw_status spw_tx_is_closed(const spw_tx *tx, int *closed);
spw_status spw_tx_wait_closed(spw_tx *tx, uint64_t timeout_ns);
spw_status spw_tx_len(const spw_tx *tx, size_t *len);
spw_status spw_tx_capacity(const spw_tx *tx, size_t *capacity);
/*
 * Append n values (whole, or not at all) to tx's lane once their capacity
 * slots are reserved: the slow half of a send whose fast path failed.
 */
spw_status spw_tx_append(spw_tx *tx, const void *values, size_t n);
/* Enqueue n values without waiting: closed, capacity, then append. */
spw_status spw_tx_enqueue(spw_tx *tx, const void *values, size_t n);

/*
 * The receiver side. spw_rx_recv copies one value to *out (the slow half
 * of a typed receive whose window is empty; timeout_ns as recv_timeout,
 * or SPW_FOREVER).
 */
spw_status spw_rx_recv(spw_rx *rx, void *out, spw_wait wait, uint64_t timeout_ns);
spw_status spw_rx_view(spw_rx *rx, const void **items, size_t *n, spw_wait wait);
spw_status spw_rx_recv_many(spw_rx *rx, void *out, size_t max, size_t *n);
spw_status spw_rx_close(spw_rx *rx);
spw_status spw_rx_shutdown(spw_rx *rx);
spw_status spw_rx_sender_count(const spw_rx *rx, size_t *n);
spw_status spw_rx_len(const spw_rx *rx, size_t *len);
spw_status spw_rx_capacity(const spw_rx *rx, size_t *capacity);
spw_status spw_rx_trim(spw_rx *rx);
spw_status spw_rx_fd(spw_rx *rx, int *fd);

/* Slow half of spw_tx_published(): set the lane's bit in the index. */
void spw_tx_mark(spw_tx *tx);

/*
 * A sender has published values: make sure the receiver's index has its
 * lane, and wake the receiver if it is parked. Both are Dekker-style
 * checks against the receiver (its sweep clears bits, runs the heavy
 * barrier, then looks at those lanes; its park publishes `parked`, runs
 * the heavy barrier, then looks at every lane), so the sender only needs
 * the light barrier between its publish and these two plain loads: while
 * its lane stays in the index and the receiver is awake, no locked
 * instruction and no system call.
 */
SPW_INLINE void spw_tx_published(spw_tx *tx)
{
	spw_core *core = &tx->chan->core;

	SPW_TEST_YIELD();
	spw_light_barrier();
	if (SPW_UNLIKELY((atomic_load_explicit(tx->dirty, memory_order_relaxed) & tx->bit) == 0))
		spw_tx_mark(tx);
	if (SPW_UNLIKELY(atomic_load_explicit(&core->parked, memory_order_relaxed)))
		spw_core_wake(core);
}

/*
 * The typed fast path of n values (a generated channel's send_many, and
 * with n = 1 its send and send_wait): the calling thread owns the lane,
 * the whole batch fits in its tail segment (a batch never spans two
 * segments), the channel is open (and, when bounded, the slots are
 * already reserved). Copies n values of `size` bytes, with a constant
 * size the compiler turns into moves. Returns 0 when the caller must take
 * the slow path (spw_tx_append or spw_tx_enqueue).
 */
SPW_INLINE int spw_tx_fast_many(spw_tx *tx, const void *values, size_t n, size_t size, size_t items)
{
	spw_chan *chan = tx->chan;
	spw_lane *lane = tx->lane;
	spw_seg *seg;

	if (SPW_LIKELY(spw_lane_enter_owned(&lane->ctl))) {
		seg = lane->tseg;
		if (SPW_LIKELY(seg != NULL && seg->cap - lane->tpos >= n &&
			       !spw_core_closed_in_lane(&chan->core))) {
			uint_least64_t pub = atomic_load_explicit(&lane->ctl.published, memory_order_relaxed);

			memcpy((unsigned char *)seg + items + lane->tpos * size, values, n * size);
			/* A second appender here would overwrite or lose values. */
			SPW_TEST_YIELD();
			lane->tpos += n;
			atomic_store_explicit(&lane->ctl.published, pub + n, memory_order_release);
			spw_lane_exit(&lane->ctl, 0);
			spw_tx_published(tx);
			return 1;
		}
		spw_lane_exit(&lane->ctl, 0);
	}
	return 0;
}

SPW_INLINE int spw_tx_fast(spw_tx *tx, const void *value, size_t size, size_t items)
{
	return spw_tx_fast_many(tx, value, 1, size, items);
}

/*
 * The typed fast path of a receive: a value in the receiver's window is
 * copied out (`size` constant) and released. Returns 0 when the window is
 * empty (the caller then calls spw_rx_recv).
 */
SPW_INLINE int spw_rx_fast(spw_rx *rx, void *out, size_t size)
{
	if (SPW_UNLIKELY(rx->rp == rx->rend))
		return 0;
	memcpy(out, rx->rp, size);
	rx->rp += size;
	spw_core_release(&rx->chan->core, 1);
	return 1;
}

#ifdef __cplusplus
}
#endif

#endif /* SPILLWAY_CORE_H */
