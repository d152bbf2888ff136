/* SPDX-License-Identifier: MIT */
/*
 * moodycamel_shim.h - a C interface to moodycamel::ConcurrentQueue<uint64_t>
 * and moodycamel::BlockingConcurrentQueue<uint64_t> (Debian
 * libconcurrentqueue-dev), for the benchmarks only.
 *
 * The throughput rows give every producer its own ProducerToken and the
 * consumer a ConsumerToken: the fastest way moodycamel offers for a fixed
 * set of threads. mc_enqueue_implicit is enqueue() without a token
 * (moodycamel's implicit producers, one sub-queue per thread), the way a
 * handle shared by several threads is used. Both queues use the library's
 * default traits.
 *
 * Thread rules are moodycamel's: a token is used by one thread at a time;
 * tokens are freed before their queue.
 */
#ifndef SPILLWAY_BENCH_MOODYCAMEL_SHIM_H
#define SPILLWAY_BENCH_MOODYCAMEL_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ConcurrentQueue ---------------------------------------------------- */

typedef struct mc_queue mc_queue;
typedef struct mc_producer mc_producer;
typedef struct mc_consumer mc_consumer;

/* NULL when out of memory. */
mc_queue *mc_queue_new(void);
void mc_queue_free(mc_queue *q);

/* A producer token on q; NULL when out of memory. */
mc_producer *mc_producer_new(mc_queue *q);
void mc_producer_free(mc_producer *p);

/* Enqueue with p's token. 1 on success, 0 when memory ran out. */
int mc_enqueue(mc_producer *p, uint64_t value);
int mc_enqueue_bulk(mc_producer *p, const uint64_t *values, size_t n);

/* enqueue() without a token (an implicit producer per thread). 1 or 0. */
int mc_enqueue_implicit(mc_queue *q, uint64_t value);

/* A consumer token on q; NULL when out of memory. */
mc_consumer *mc_consumer_new(mc_queue *q);
void mc_consumer_free(mc_consumer *c);

/*
 * try_dequeue_bulk with c's token: copies up to max values into out and
 * returns how many (0: every producer's sub-queue looked empty).
 */
size_t mc_try_dequeue_bulk(mc_consumer *c, uint64_t *out, size_t max);

/* try_dequeue of one value with c's token: 1 (*out set) or 0 (empty). */
int mc_try_dequeue(mc_consumer *c, uint64_t *out);

/* ---- BlockingConcurrentQueue (latency benchmark) ------------------------ */

typedef struct mc_bqueue mc_bqueue;
typedef struct mc_bproducer mc_bproducer;
typedef struct mc_bconsumer mc_bconsumer;

mc_bqueue *mc_bqueue_new(void);
void mc_bqueue_free(mc_bqueue *q);
mc_bproducer *mc_bproducer_new(mc_bqueue *q);
void mc_bproducer_free(mc_bproducer *p);
mc_bconsumer *mc_bconsumer_new(mc_bqueue *q);
void mc_bconsumer_free(mc_bconsumer *c);

/* enqueue with p's token (wakes a waiting consumer). 1 or 0. */
int mc_benqueue(mc_bproducer *p, uint64_t value);

/* wait_dequeue with c's token: blocks until a value is there. */
void mc_bwait_dequeue(mc_bconsumer *c, uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* SPILLWAY_BENCH_MOODYCAMEL_SHIM_H */
