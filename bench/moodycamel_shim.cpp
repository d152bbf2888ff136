// SPDX-License-Identifier: MIT
// moodycamel_shim.cpp - see moodycamel_shim.h.
//
// Each call crosses a translation-unit boundary, like the calls into
// spillway_u64.c: neither side of the benchmark is inlined into the
// producer loop.
#include "moodycamel_shim.h"

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/concurrentqueue.h>

#include <new>

namespace
{
using Queue = moodycamel::ConcurrentQueue<std::uint64_t>;
using BQueue = moodycamel::BlockingConcurrentQueue<std::uint64_t>;
} // namespace

struct mc_queue {
	Queue q;
};

struct mc_producer {
	explicit mc_producer(Queue &queue)
	    : q(queue), tok(queue)
	{
	}
	Queue &q;
	moodycamel::ProducerToken tok;
};

struct mc_consumer {
	explicit mc_consumer(Queue &queue)
	    : q(queue), tok(queue)
	{
	}
	Queue &q;
	moodycamel::ConsumerToken tok;
};

struct mc_bqueue {
	BQueue q;
};

struct mc_bproducer {
	explicit mc_bproducer(BQueue &queue)
	    : q(queue), tok(queue)
	{
	}
	BQueue &q;
	moodycamel::ProducerToken tok;
};

struct mc_bconsumer {
	explicit mc_bconsumer(BQueue &queue)
	    : q(queue), tok(queue)
	{
	}
	BQueue &q;
	moodycamel::ConsumerToken tok;
};

extern "C" {

mc_queue *mc_queue_new(void)
{
	return new (std::nothrow) mc_queue();
}

void mc_queue_free(mc_queue *q)
{
	delete q;
}

mc_producer *mc_producer_new(mc_queue *q)
{
	mc_producer *p = new (std::nothrow) mc_producer(q->q);

	// A token whose producer could not be allocated is not valid.
	if (p != nullptr && !p->tok.valid()) {
		delete p;
		return nullptr;
	}
	return p;
}

void mc_producer_free(mc_producer *p)
{
	delete p;
}

int mc_enqueue(mc_producer *p, std::uint64_t value)
{
	return p->q.enqueue(p->tok, value) ? 1 : 0;
}

int mc_enqueue_bulk(mc_producer *p, const std::uint64_t *values, size_t n)
{
	return p->q.enqueue_bulk(p->tok, values, n) ? 1 : 0;
}

int mc_enqueue_implicit(mc_queue *q, std::uint64_t value)
{
	return q->q.enqueue(value) ? 1 : 0;
}

mc_consumer *mc_consumer_new(mc_queue *q)
{
	return new (std::nothrow) mc_consumer(q->q);
}

void mc_consumer_free(mc_consumer *c)
{
	delete c;
}

size_t mc_try_dequeue_bulk(mc_consumer *c, std::uint64_t *out, size_t max)
{
	return c->q.try_dequeue_bulk(c->tok, out, max);
}

int mc_try_dequeue(mc_consumer *c, std::uint64_t *out)
{
	return c->q.try_dequeue(c->tok, *out) ? 1 : 0;
}

mc_bqueue *mc_bqueue_new(void)
{
	return new (std::nothrow) mc_bqueue();
}

void mc_bqueue_free(mc_bqueue *q)
{
	delete q;
}

mc_bproducer *mc_bproducer_new(mc_bqueue *q)
{
	mc_bproducer *p = new (std::nothrow) mc_bproducer(q->q);

	if (p != nullptr && !p->tok.valid()) {
		delete p;
		return nullptr;
	}
	return p;
}

void mc_bproducer_free(mc_bproducer *p)
{
	delete p;
}

mc_bconsumer *mc_bconsumer_new(mc_bqueue *q)
{
	return new (std::nothrow) mc_bconsumer(q->q);
}

void mc_bconsumer_free(mc_bconsumer *c)
{
	delete c;
}

int mc_benqueue(mc_bproducer *p, std::uint64_t value)
{
	return p->q.enqueue(p->tok, value) ? 1 : 0;
}

void mc_bwait_dequeue(mc_bconsumer *c, std::uint64_t *out)
{
	c->q.wait_dequeue(c->tok, *out);
}

} // extern "C"
