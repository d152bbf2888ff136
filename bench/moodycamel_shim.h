/*
 * moodycamel_shim.h - a C interface to moodycamel::ConcurrentQueue<uint64_t>
 * (Debian libconcurrentqueue-dev), for the channel benchmark only.
 *
 * Every producer uses its own ProducerToken and the consumer a
 * ConsumerToken: the fastest way moodycamel offers for a fixed set of
 * threads. The queue uses the library's default traits.
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

/* A consumer token on q; NULL when out of memory. */
mc_consumer *mc_consumer_new(mc_queue *q);
void mc_consumer_free(mc_consumer *c);

/*
 * try_dequeue_bulk with c's token: copies up to max values into out and
 * returns how many (0: every producer's sub-queue looked empty).
 */
size_t mc_try_dequeue_bulk(mc_consumer *c, uint64_t *out, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* SPILLWAY_BENCH_MOODYCAMEL_SHIM_H */
