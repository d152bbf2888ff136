/*
 * spillway_runtime.c - the type-independent core of Spillway for C.
 * See spillway_runtime.h for the contract of each function.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_condattr_setclock */

#include "spillway_runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	return SPW_OK;
}

/* ---- memory ------------------------------------------------------------ */

static void *std_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void *std_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	return realloc(ptr, size);
}

static void std_free(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static spw_allocator allocator = { std_alloc, std_realloc, std_free, NULL };

void spw_set_allocator(const spw_allocator *a)
{
	if (a == NULL || a->alloc == NULL || a->realloc == NULL ||
	    a->free == NULL) {
		allocator.alloc = std_alloc;
		allocator.realloc = std_realloc;
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

void *spw_mem_realloc(void *ptr, size_t size)
{
	return allocator.realloc(ptr, size, allocator.ctx);
}

void spw_mem_free(void *ptr)
{
	if (ptr != NULL)
		allocator.free(ptr, allocator.ctx);
}

/*
 * An aligned block keeps what spw_mem_alloc returned in the pointer-sized
 * slot just before the aligned address.
 */
void *spw_mem_alloc_aligned(size_t size)
{
	const size_t extra = SPW_CACHE_LINE + sizeof(void *);
	unsigned char *raw, *p;

	if (size > SIZE_MAX - extra)
		return NULL;
	raw = spw_mem_alloc(size + extra);
	if (raw == NULL)
		return NULL;
	p = raw + sizeof(void *);
	p += (SPW_CACHE_LINE - (uintptr_t)p % SPW_CACHE_LINE) % SPW_CACHE_LINE;
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

spw_status spw_core_init(spw_core *core, const spw_config *cfg)
{
	pthread_condattr_t cattr;
	size_t i;

	if (spw_config_check(cfg) != SPW_OK)
		return SPW_INVALID;
	memset(core, 0, sizeof(*core));
	core->lanes = cfg->lanes;
	core->capacity = cfg->capacity;
	core->initial_buffer = cfg->initial_buffer != 0 ?
				       cfg->initial_buffer :
				       SPW_DEFAULT_INITIAL_BUFFER;
	core->destroy = cfg->destroy;
	core->destroy_ctx = cfg->destroy_ctx;
	core->dirty_words = (cfg->lanes + 63) / 64;
	core->dirty = spw_mem_alloc(core->dirty_words * sizeof(*core->dirty));
	if (core->dirty == NULL)
		return SPW_NOMEM;
	for (i = 0; i < core->dirty_words; i++)
		atomic_init(&core->dirty[i], 0);
	atomic_init(&core->clock, 0);
	atomic_init(&core->senders, 0);
	atomic_init(&core->handles, 0);
	atomic_init(&core->inflight, 0);
	atomic_init(&core->parked, 0);
	atomic_init(&core->closed, 0);

	if (pthread_mutex_init(&core->park_lock, NULL) != 0)
		goto fail_mutex;
	if (pthread_condattr_init(&cattr) != 0)
		goto fail_cond;
	if (pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&core->park_cond, &cattr) != 0) {
		pthread_condattr_destroy(&cattr);
		goto fail_cond;
	}
	pthread_condattr_destroy(&cattr);
	return SPW_OK;

fail_cond:
	pthread_mutex_destroy(&core->park_lock);
fail_mutex:
	spw_mem_free(core->dirty);
	core->dirty = NULL;
	return SPW_NOMEM;
}

void spw_core_destroy(spw_core *core)
{
	pthread_cond_destroy(&core->park_cond);
	pthread_mutex_destroy(&core->park_lock);
	spw_mem_free(core->dirty);
	core->dirty = NULL;
}

/* ---- the dirty-lane index ---------------------------------------------- */

size_t spw_core_take_dirty(spw_core *core, size_t from)
{
	size_t w = from / 64, n = core->dirty_words, k;
	uint_least64_t mask = ~(uint_least64_t)0 << (from % 64);

	/*
	 * Visit the words from `from`'s word onwards, then wrap around and
	 * finish with the low bits of `from`'s word.
	 */
	for (k = 0; k <= n; k++) {
		size_t idx = (w + k) % n;
		uint_least64_t bits = atomic_load_explicit(
			&core->dirty[idx], memory_order_acquire);

		if (k == 0)
			bits &= mask;
		else if (k == n)
			bits &= ~mask;
		while (bits != 0) {
			unsigned bit = (unsigned)__builtin_ctzll(bits);
			uint_least64_t b = (uint_least64_t)1 << bit;
			uint_least64_t old = atomic_fetch_and_explicit(
				&core->dirty[idx], ~b, memory_order_acq_rel);

			if (old & b)
				return idx * 64 + bit;
			bits &= ~b;
		}
	}
	return core->lanes;
}

int spw_core_any_dirty(spw_core *core)
{
	size_t i;

	for (i = 0; i < core->dirty_words; i++)
		if (atomic_load_explicit(&core->dirty[i],
					 memory_order_seq_cst) != 0)
			return 1;
	return 0;
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

void spw_core_wake(spw_core *core)
{
	/*
	 * Taking the lock orders this signal after the receiver's re-check:
	 * the receiver holds park_lock from storing `parked` until
	 * pthread_cond_wait releases it, so the signal cannot fall between
	 * its check and its sleep.
	 */
	pthread_mutex_lock(&core->park_lock);
	pthread_cond_signal(&core->park_cond);
	pthread_mutex_unlock(&core->park_lock);
}

spw_status spw_core_park(spw_core *core, const struct timespec *deadline)
{
	spw_status st = SPW_OK;

	pthread_mutex_lock(&core->park_lock);
	atomic_store_explicit(&core->parked, 1, memory_order_seq_cst);
	/*
	 * The double check: with `parked` published, look again. A sender
	 * that marked a lane dirty before our store is seen here; one that
	 * marks it after will see `parked` and signal.
	 */
	if (!spw_core_any_dirty(core) && !spw_core_senders_gone(core)) {
		int rc;

		if (deadline == NULL)
			rc = pthread_cond_wait(&core->park_cond,
					       &core->park_lock);
		else
			rc = pthread_cond_timedwait(&core->park_cond,
						    &core->park_lock, deadline);
		if (rc == ETIMEDOUT)
			st = SPW_TIMEOUT;
	}
	atomic_store_explicit(&core->parked, 0, memory_order_relaxed);
	pthread_mutex_unlock(&core->park_lock);
	return st;
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
		/* Last sender: a parked receiver must wake to see the end. */
		if (atomic_load_explicit(&core->parked, memory_order_seq_cst))
			spw_core_wake(core);
	}
	return spw_core_handle_closed(core);
}
