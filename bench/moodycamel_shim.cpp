// moodycamel_shim.cpp - see moodycamel_shim.h.
//
// Each call crosses a translation-unit boundary, like the calls into
// spillway_u64.c: neither side of the benchmark is inlined into the
// producer loop.
#include "moodycamel_shim.h"

#include <concurrentqueue/concurrentqueue.h>

#include <new>

namespace {
using Queue = moodycamel::ConcurrentQueue<std::uint64_t>;
}

struct mc_queue {
	Queue q;
};

struct mc_producer {
	explicit mc_producer(Queue &queue) : q(queue), tok(queue) {}
	Queue &q;
	moodycamel::ProducerToken tok;
};

struct mc_consumer {
	explicit mc_consumer(Queue &queue) : q(queue), tok(queue) {}
	Queue &q;
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

} // extern "C"
