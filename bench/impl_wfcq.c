/* SPDX-License-Identifier: MIT */
/*
 * impl_wfcq.c - liburcu's wait-free concurrent queue (Debian liburcu-dev,
 * used from its headers with _LGPL_SOURCE: nothing is linked). Each
 * producer enqueues nodes from its own part of a preallocated array
 * (allocated, touched and initialised before the clock starts: no malloc
 * timed); the one receiver dequeues one node per call without a lock
 * (__cds_wfcq_dequeue_nonblocking). End of stream as for moodycamel: a
 * `done` counter, then a drain.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE /* liburcu: inline wfcqueue, no library */

#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include <urcu/wfcqueue.h>

struct wnode {
	struct cds_wfcq_node node;
	uint64_t value;
};

/* Head (receiver) and tail (producers) on cache lines of their own. */
struct wq {
	_Alignas(64) struct __cds_wfcq_head head;
	_Alignas(64) struct cds_wfcq_tail tail;
	_Alignas(64) atomic_uint done; /* producers finished */
};

/* Reused between repetitions, touched once so that no page fault is timed. */
static struct wnode *arena;
static size_t arena_len;

static struct wnode *nodes_get(uint64_t n)
{
	if (arena_len < n) {
		free(arena);
		arena = xmalloc(n * sizeof(*arena));
		memset(arena, 0, n * sizeof(*arena));
		arena_len = n;
	}
	return arena;
}

void wfcq_cleanup(void)
{
	free(arena);
	arena = NULL;
	arena_len = 0;
}

static void *wfcq_main(struct producer *pr)
{
	struct wq *q = pr->ctx;
	struct wnode *nodes = pr->handle;
	uint64_t i;

	gate_wait(pr->gate);
	for (i = 0; i < pr->count; i++) {
		nodes[i].value = make_value(pr->id, i);
		cds_wfcq_enqueue(&q->head, &q->tail, &nodes[i].node);
	}
	atomic_fetch_add_explicit(&q->done, 1, memory_order_release);
	return NULL;
}

uint64_t wfcq_run(const struct job *job)
{
	struct wnode *nodes;
	struct cds_wfcq_node *node;
	struct producer *prs;
	struct checker c;
	struct gate g;
	struct wq *q;
	uint64_t t0, t1, i, off = 0;
	unsigned p, spins = 0;

	q = aligned_alloc(64, sizeof(*q));
	if (q == NULL)
		die("out of memory");
	__cds_wfcq_init(&q->head, &q->tail);
	atomic_init(&q->done, 0);
	nodes = nodes_get(job->values);
	for (i = 0; i < job->values; i++)
		cds_wfcq_node_init(&nodes[i].node);
	gate_init(&g);
	prs = producers_new(job, &g);
	for (p = 0; p < job->producers; p++) {
		prs[p].ctx = q;
		prs[p].handle = &nodes[off];
		off += prs[p].count;
	}
	checker_init(&c, job);
	producers_start(prs, job->producers, wfcq_main);

	/* One receiver thread: the lock-free __ dequeue is allowed. */
	t0 = gate_open(&g, job->producers);
	for (;;) {
		node = __cds_wfcq_dequeue_nonblocking(&q->head, &q->tail);
		if (node != NULL && node != CDS_WFCQ_WOULDBLOCK) {
			checker_take(&c, caa_container_of(node, struct wnode,
							  node)
						 ->value);
			spins = 0;
			continue;
		}
		if (atomic_load_explicit(&q->done, memory_order_acquire) ==
		    job->producers) {
			/* Every enqueue is complete and visible: drain. */
			while ((node = __cds_wfcq_dequeue_nonblocking(
					&q->head, &q->tail)) != NULL) {
				if (node == CDS_WFCQ_WOULDBLOCK)
					die("wfcqueue: blocked after every "
					    "producer finished");
				checker_take(&c, caa_container_of(
							 node, struct wnode, node)
							 ->value);
			}
			break;
		}
		idle_wait(&spins);
	}
	t1 = now_ns();

	producers_join(prs, job->producers);
	checker_finish(&c);
	free(prs);
	gate_destroy(&g);
	free(q);
	return t1 - t0;
}
