/* SPDX-License-Identifier: MIT */
/*
 * impl_memory.c - the physical limit: one thread writes the values
 * (interleaved across the P producers, each producer's in order) into a
 * large array, then reads them back through the same checks as every
 * queue row; in chunks of at most MEM_CHUNK values, reused. It holds no
 * queue, so its size per repetition is not limited by a queue's memory.
 */
#define _GNU_SOURCE

#include "bench.h"

#include <stdlib.h>
#include <string.h>

#define MEM_CHUNK ((uint64_t)64 << 20) /* 512 MiB, beyond any L3 here */

static uint64_t *array;
static size_t array_len;

/* At least n values, touched once so that no page fault is timed. */
static uint64_t *array_get(uint64_t n)
{
	if (array_len < n) {
		free(array);
		array = xmalloc(n * sizeof(*array));
		memset(array, 0, n * sizeof(*array));
		array_len = n;
	}
	return array;
}

void memory_cleanup(void)
{
	free(array);
	array = NULL;
	array_len = 0;
}

uint64_t memory_run(const struct job *job)
{
	uint64_t chunk = job->values < MEM_CHUNK ? job->values : MEM_CHUNK;
	uint64_t *a = array_get(chunk);
	uint64_t t0, t1, done = 0, k, n, round = 0;
	unsigned p = 0;
	struct checker c;

	checker_init(&c, job);
	t0 = now_ns();
	while (done < job->values) {
		n = job->values - done < chunk ? job->values - done : chunk;
		for (k = 0; k < n; k++) {
			a[k] = make_value(p, round);
			if (++p == job->producers) {
				p = 0;
				round++;
			}
		}
		/* Keep the compiler from fusing writing and reading. */
		atomic_signal_fence(memory_order_seq_cst);
		checker_take_many(&c, a, n);
		done += n;
	}
	t1 = now_ns();
	checker_finish(&c);
	return t1 - t0;
}
