/* SPDX-License-Identifier: MIT */
/*
 * spillway_runtime.h - the type-independent core of Spillway for C.
 *
 * Spillway is a multi-producer, single-consumer channel. Each element type
 * gets its own generated pair spillway_<name>.h/.c (see generator/spwgen);
 * everything that does not depend on the element type lives here: status
 * codes, the channel configuration, lane assignment, sender and handle
 * counting, the lane index with its biased producer locks, capacity
 * accounting and receive wake-ups.
 *
 * Users include the generated header, which includes this one. It is plain
 * C (C99 or later) and C++: no atomics, no pthreads. The machinery the
 * generated .c files share with the runtime is in spillway_core.h, which
 * is not a stable API: it may change whenever SPW_RUNTIME_ABI changes, and
 * generated code checks that number at compile time.
 */
#ifndef SPILLWAY_RUNTIME_H
#define SPILLWAY_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SPW_RUNTIME_ABI changes whenever generated code must be regenerated to
 * work with this runtime. Generated headers refuse to compile against a
 * runtime with a different number.
 */
#define SPW_RUNTIME_ABI 5
#define SPW_VERSION "0.2.0"

#if defined(__GNUC__) || defined(__clang__)
#define SPW_MUST_CHECK __attribute__((warn_unused_result))
#define SPW_LIKELY(x) __builtin_expect(!!(x), 1)
#define SPW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SPW_MUST_CHECK
#define SPW_LIKELY(x) (x)
#define SPW_UNLIKELY(x) (x)
#endif

/*
 * One result-code space for every generated type. Codes are never
 * renumbered; new codes may be added.
 */
typedef enum spw_status {
	SPW_OK = 0,      /* done */
	SPW_EMPTY = 1,   /* try_recv: nothing is ready yet */
	SPW_CLOSED = 2,  /* send: receiver closed; recv: end of stream */
	SPW_FULL = 3,    /* send: the soft capacity would be exceeded */
	SPW_TIMEOUT = 4, /* recv_timeout: nothing arrived in time */
	SPW_NOMEM = 5,   /* an allocation failed; nothing changed */
	SPW_INVALID = 6  /* a bad argument or configuration; nothing changed */
} spw_status;

/* A timeout that never expires (send_wait, wait_closed). */
#define SPW_FOREVER UINT64_MAX

/* A short, static, human-readable description; never NULL. */
const char *spw_status_str(spw_status status);

/* Default number of lanes of spw_<name>_channel(). */
#define SPW_DEFAULT_LANES 8
/* Largest number of lanes a channel accepts. */
#define SPW_MAX_LANES 4096
/* Largest soft capacity a channel accepts (values in flight). */
#define SPW_MAX_CAPACITY ((size_t)1 << 40)
/* Default size of a lane's buffer segments, in bytes (see initial_buffer). */
#define SPW_DEFAULT_SEGMENT_BYTES 8192
/* Largest initial_buffer, in elements. */
#define SPW_MAX_INITIAL_BUFFER ((size_t)1 << 24)

/*
 * Called once for every value still queued when the channel is torn down
 * (the receiver closed, or the last handle closed). elem points to the
 * value inside Spillway's buffer; the hook must not keep the pointer.
 */
typedef void (*spw_destroy_fn)(void *elem, void *ctx);

/*
 * Channel configuration. Start from SPW_CONFIG_DEFAULT (or
 * spw_config_init()) and change what you need.
 *
 *   lanes          number of lanes, 1 .. SPW_MAX_LANES. Senders are bound
 *                  to lanes round-robin; more lanes, less contention.
 *   capacity       soft capacity: the most values sent but not yet received.
 *                  0 means unbounded. At most SPW_MAX_CAPACITY.
 *   initial_buffer size, in elements, of the segments a lane's buffer is
 *                  made of (a batch larger than that gets a segment of
 *                  its own); 0 means about SPW_DEFAULT_SEGMENT_BYTES worth
 *                  of elements (at least 16).
 *   destroy        optional hook for values nobody will receive.
 *   destroy_ctx    passed to destroy as ctx.
 *   spin_ns        the wait policy of a blocking receive: how long it keeps
 *                  looking for values (pausing the CPU, then yielding it)
 *                  before it sleeps in the kernel, in nanoseconds; 0 means
 *                  SPW_DEFAULT_SPIN_NS. Longer: lower latency after a
 *                  quiet spell (no wake-up system call on either side),
 *                  more receiver CPU while idle. 1 sleeps at once. At most
 *                  SPW_MAX_SPIN_NS.
 */
typedef struct spw_config {
	size_t lanes;
	size_t capacity;
	size_t initial_buffer;
	spw_destroy_fn destroy;
	void *destroy_ctx;
	uint64_t spin_ns;
} spw_config;

/* Default spin budget of a blocking receive (see spin_ns). */
#define SPW_DEFAULT_SPIN_NS 50000u
/* Largest spin budget a channel accepts: one second. */
#define SPW_MAX_SPIN_NS 1000000000u

#define SPW_CONFIG_DEFAULT { SPW_DEFAULT_LANES, 0, 0, NULL, NULL, 0 }

/* Fills *cfg with the defaults of SPW_CONFIG_DEFAULT. NULL is ignored. */
void spw_config_init(spw_config *cfg);

/* SPW_OK when cfg is a configuration a channel accepts, else SPW_INVALID. */
spw_status spw_config_check(const spw_config *cfg);

/*
 * Memory. Every allocation Spillway makes goes through these two
 * functions. spw_set_allocator() replaces them (NULL, or a NULL member,
 * restores malloc and free); call it before any channel exists. Tests use
 * it to count memory and to inject allocation failures.
 *
 * Blocks that must be aligned beyond what malloc promises (the channel
 * block, to cache lines, and the segments of an element type declared with
 * _Alignas(N) for N > 16) are taken from alloc with N extra bytes and
 * aligned inside, so every stored value and every recv_batch view is
 * aligned to _Alignof(T) whatever alloc returns (8-byte aligned at least).
 */
typedef struct spw_allocator {
	void *(*alloc)(size_t size, void *ctx);
	void (*free)(void *ptr, void *ctx);
	void *ctx;
} spw_allocator;

void spw_set_allocator(const spw_allocator *allocator);

/*
 * Memory after a burst: the high-water mark. Segments the receiver has
 * read go back to their lane for reuse; a lane keeps at most
 * SPW_LANE_SPARES of them. Its producer frees those above the mark in its
 * own thread when it next needs a segment. The receiver frees them only
 * once the channel has really gone idle: when it has found every lane
 * empty for SPW_SHED_IDLE_NS (1 ms) in a row -- a blocking receive that
 * waits that long, or non-blocking receives that keep returning SPW_EMPTY
 * or SPW_TIMEOUT over that time (looked at every 16th such return). So
 * while values flow, even with pauses shorter than that, the receiver
 * never calls free() and never meets a producer on its allocator's lock;
 * once a burst is received and the channel has been quiet for 1 ms, each
 * lane is back to its current segment and at most SPW_LANE_SPARES spares.
 * spw_<name>_trim() frees every spare at once (an event-loop receiver that
 * got SPW_EMPTY and sleeps can call it from a timer). A segment larger
 * than SPW_SPARE_MAX_FACTOR times the configured size (a big batch's) is
 * freed as soon as it is read.
 */
#ifndef SPW_SHED_IDLE_NS
#define SPW_SHED_IDLE_NS 1000000u
#endif
#ifndef SPW_LANE_SPARES
#define SPW_LANE_SPARES 4
#endif
#define SPW_SPARE_MAX_FACTOR 4

#ifdef __cplusplus
}
#endif

#endif /* SPILLWAY_RUNTIME_H */
