// SPDX-License-Identifier: MIT
// cxx_wrapper_test.cc - the C++17 wrapper that spwgen --cxx writes
// (spillway_NAME.hpp), for three channels that tests/cxx_wrapper_test.sh
// generates:
//
//   u64   uint64_t, passed by value     spillway::u64
//   tmsg  struct tmsg, by pointer       spillway::tmsg  (tmsg.h)
//   ev    int, --prefix foo             foo::ev
//
// Every call of the wrapper, the ownership rules (move-only, closing on
// destruction, empty objects), then several sender threads with per-sender
// order and exact counts. The channels are C, compiled with cc; this file
// builds with -std=c++17 -Wall -Wextra -Wpedantic -Werror and
// -fno-exceptions. Usage: cxx_wrapper_test [THREADS [VALUES_PER_THREAD]].
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "spillway_ev.hpp"
#include "spillway_tmsg.hpp"
#include "spillway_u64.hpp"

static int checks;

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			std::fprintf(stderr, "%s:%d: check failed: %s\n", \
				     __FILE__, __LINE__, #cond);        \
			std::exit(1);                                   \
		}                                                       \
		checks++;                                               \
	} while (0)

using namespace std::chrono_literals;
namespace u64 = spillway::u64;
namespace tq = spillway::tmsg;

// The classes are what the header promises.
static_assert(!std::is_copy_constructible_v<u64::sender>);
static_assert(!std::is_copy_assignable_v<u64::sender>);
static_assert(std::is_nothrow_move_constructible_v<u64::sender>);
static_assert(std::is_nothrow_move_assignable_v<u64::sender>);
static_assert(!std::is_copy_constructible_v<u64::receiver>);
static_assert(std::is_nothrow_move_constructible_v<u64::receiver>);
static_assert(std::is_nothrow_move_assignable_v<u64::receiver>);
static_assert(std::is_same_v<u64::value, uint64_t>);
static_assert(std::is_same_v<tq::value, struct tmsg>);
static_assert(std::is_same_v<foo::ev::value, int>);
static_assert(noexcept(u64::channel()));
static_assert(std::is_same_v<decltype(std::declval<u64::receiver &>()
					      .try_recv()),
			     std::optional<uint64_t>>);
static_assert(std::is_same_v<decltype(std::declval<u64::sender &>()
					      .send(1)),
			     spw_status>);

static void test_basics()
{
	auto [status, tx, rx] = u64::channel();
	CHECK(status == SPW_OK);
	CHECK(tx && rx);
	CHECK(tx.send(1) == SPW_OK);
	CHECK(tx.send(2) == SPW_OK);
	std::size_t n = 0;
	CHECK(rx.len(n) == SPW_OK && n == 2);
	CHECK(tx.len(n) == SPW_OK && n == 2);
	auto v = rx.try_recv();
	CHECK(v && *v == 1);
	uint64_t out = 0;
	CHECK(rx.recv(out) == SPW_OK && out == 2);
	CHECK(!rx.try_recv());
	CHECK(rx.try_recv(out) == SPW_EMPTY);
	CHECK(rx.recv_timeout(out, 1ms) == SPW_TIMEOUT);
	CHECK(!rx.recv_timeout(0s));
	CHECK(!rx.recv_timeout(-5s)); // negative: do not wait
	CHECK(tx.send(3) == SPW_OK);
	// A huge timeout does not overflow on its way to nanoseconds.
	v = rx.recv_timeout(std::chrono::hours::max());
	CHECK(v && *v == 3);
	CHECK(tx.send(4) == SPW_OK);
	CHECK(rx.recv_timeout(out, std::chrono::duration<double>(1e30)) ==
	      SPW_OK);
	CHECK(out == 4);
	std::size_t cap = 1;
	CHECK(rx.capacity(cap) == SPW_OK && cap == 0);
	CHECK(tx.capacity(cap) == SPW_OK && cap == 0);
	CHECK(rx.trim() == SPW_OK);
	int fd = -1;
	CHECK(rx.fd(fd) == SPW_OK && fd >= 0);
	// End of stream when the last sender is gone, after every value.
	CHECK(tx.send(5) == SPW_OK);
	CHECK(tx.close() == SPW_OK);
	CHECK(!tx);
	CHECK(tx.close() == SPW_INVALID);
	v = rx.recv();
	CHECK(v && *v == 5);
	CHECK(!rx.recv());
	CHECK(rx.recv(out) == SPW_CLOSED);
	CHECK(rx.try_recv(out) == SPW_CLOSED);
}

static void test_ownership()
{
	auto made = u64::channel();
	CHECK(made.status == SPW_OK);
	u64::sender tx = std::move(made.tx);
	u64::receiver rx = std::move(made.rx);
	CHECK(!made.tx && !made.rx);
	CHECK(made.tx.send(1) == SPW_INVALID); // moved from: no handle
	CHECK(!made.rx.try_recv());
	uint64_t unused = 0;
	CHECK(made.rx.try_recv(unused) == SPW_INVALID);

	std::optional<u64::sender> tx2 = tx.clone();
	CHECK(tx2 && *tx2);
	u64::sender tx3;
	CHECK(!tx3);
	CHECK(tx.clone(tx3) == SPW_OK && tx3);
	CHECK(u64::sender().clone() == std::nullopt);
	CHECK(u64::sender().clone(tx3) == SPW_INVALID && tx3); // unchanged

	CHECK(tx2->send(10) == SPW_OK);
	CHECK(tx3.send(20) == SPW_OK);
	{
		u64::sender scoped = std::move(*tx2);
		CHECK(scoped.send(11) == SPW_OK);
	} // closed here
	tx3 = std::move(tx); // closes tx3's old handle, takes tx's
	CHECK(!tx);
	CHECK(tx3.send(30) == SPW_OK);

	// release() and reset(): the caller owns the C handle in between.
	spw_u64_sender *raw = tx3.release();
	CHECK(!tx3 && raw != nullptr);
	CHECK(spw_u64_send(raw, 31) == SPW_OK);
	tx3.reset(raw);
	CHECK(tx3.get() == raw);

	std::vector<uint64_t> got;
	while (got.size() < 5) {
		auto v = rx.recv();
		CHECK(v);
		got.push_back(*v);
	}
	// 10 and 11 came through one sender, in order; 20 then 30, 31 too.
	std::size_t i10 = 9, i11 = 9;
	for (std::size_t i = 0; i < got.size(); i++) {
		if (got[i] == 10)
			i10 = i;
		if (got[i] == 11)
			i11 = i;
	}
	CHECK(i10 < i11 && i11 < got.size());
	tx3.reset();
	CHECK(!tx3);
	CHECK(!rx.recv()); // every sender closed
	u64::receiver rx2 = std::move(rx);
	CHECK(!rx && rx2);
	rx2 = u64::receiver();
	CHECK(!rx2);
}

static void test_batches()
{
	auto [status, tx, rx] = u64::channel();
	CHECK(status == SPW_OK);
	u64::batch b;
	CHECK(b.empty() && b.size() == 0 && b.begin() == b.end());
	CHECK(rx.try_recv_batch(b) == SPW_EMPTY && b.empty());

	std::vector<uint64_t> values{1, 2, 3, 4};
	CHECK(tx.send_many(values) == SPW_OK);
	std::array<uint64_t, 2> more{5, 6};
	CHECK(tx.send_many(more) == SPW_OK);
	const uint64_t plain[3] = {7, 8, 9};
	CHECK(tx.send_many(plain) == SPW_OK);
	CHECK(tx.send_many(plain, 0) == SPW_OK);
	CHECK(tx.send_many(nullptr, 1) == SPW_INVALID);

	CHECK(rx.recv_batch(b) == SPW_OK);
	CHECK(!b.empty() && b.size() >= 4);
	uint64_t expect = 1;
	for (uint64_t v : b)
		CHECK(v == expect++);
	CHECK(b[0] == 1 && b.front() == 1 && b.data() == b.begin());
	CHECK(b.back() == b[b.size() - 1]);
	// The rest, by recv_many into a buffer.
	std::array<uint64_t, 16> buf{};
	std::size_t n = 0;
	while (expect <= 9) {
		CHECK(rx.recv_many(buf.data(), buf.size(), n) == SPW_OK && n > 0);
		for (std::size_t i = 0; i < n; i++)
			CHECK(buf[i] == expect++);
	}
	// A batch can be sent on as it is.
	CHECK(tx.send_many(values) == SPW_OK);
	CHECK(rx.recv_batch(b) == SPW_OK && b.size() == 4);
	auto [s2, tx2, rx2] = u64::channel();
	CHECK(s2 == SPW_OK);
	CHECK(tx2.send_many(b) == SPW_OK);
	CHECK(rx2.try_recv_batch(b) == SPW_OK && b.size() == 4 && b[3] == 4);
	tx.reset();
	CHECK(rx.recv_batch(b) == SPW_CLOSED && b.empty());
}

static void test_config_and_other_channels()
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	cfg.lanes = 2;
	cfg.capacity = 2;
	auto [status, tx, rx] = tq::channel(cfg);
	CHECK(status == SPW_OK);
	struct tmsg m = {7, 0, 70};
	CHECK(tx.send(m) == SPW_OK); // by pointer underneath
	m.seq = 71;
	CHECK(tx.send(m) == SPW_OK);
	CHECK(tx.send(m) == SPW_FULL);
	std::size_t cap = 0;
	CHECK(rx.capacity(cap) == SPW_OK && cap == 2);
	auto got = rx.recv();
	CHECK(got && got->producer == 7 && got->seq == 70);
	got = rx.try_recv();
	CHECK(got && got->seq == 71);

	cfg.lanes = 0;
	auto bad = tq::channel(cfg);
	CHECK(bad.status == SPW_INVALID && !bad.tx && !bad.rx);

	// A prefixed channel: foo_ev_* underneath, namespace foo::ev.
	auto [s3, etx, erx] = foo::ev::channel();
	CHECK(s3 == SPW_OK);
	CHECK(etx.send(-3) == SPW_OK);
	auto e = erx.recv();
	CHECK(e && *e == -3);
	CHECK((std::is_same_v<decltype(etx.get()), foo_ev_sender *>));
}

// Backpressure and shutdown: send_wait on a full channel, closed(),
// wait_closed(), shutdown(), sender_count().
static void test_wait_and_shutdown()
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	cfg.capacity = 1;
	auto [status, tx, rx] = u64::channel(cfg);
	CHECK(status == SPW_OK);
	std::size_t n = 0;
	CHECK(rx.sender_count(n) == SPW_OK && n == 1);
	CHECK(tx.send_wait(1) == SPW_OK);
	CHECK(tx.send(2) == SPW_FULL);
	CHECK(tx.send_wait(2, 1ms) == SPW_TIMEOUT);
	CHECK(tx.send_wait(2, -1s) == SPW_TIMEOUT); // negative: no wait
	const uint64_t two[2] = {2, 3};
	CHECK(tx.send_many_wait(two, 2, 1ms) == SPW_INVALID); // > capacity
	// A receiver thread makes room: the waiting send gets through.
	std::thread taker([&rx = rx]() {
		std::this_thread::sleep_for(20ms);
		auto v = rx.recv();
		if (!v || *v != 1)
			std::abort();
	});
	CHECK(tx.send_wait(2) == SPW_OK); // forever, until there is room
	taker.join();
	CHECK(tx.send_many_wait(two, 1, 1ms) == SPW_TIMEOUT); // full again
	auto v = rx.recv();
	CHECK(v && *v == 2);
	CHECK(tx.send_many_wait(two, 1) == SPW_OK);

	bool closed = true;
	CHECK(tx.is_closed(closed) == SPW_OK && !closed);
	CHECK(!tx.closed());
	CHECK(tx.wait_closed(1ms) == SPW_TIMEOUT);
	CHECK(u64::sender().closed()); // no handle: nothing can be sent
	CHECK(u64::sender().wait_closed(1ms) == SPW_INVALID);

	CHECK(rx.shutdown() == SPW_OK);
	CHECK(tx.closed());
	CHECK(tx.is_closed(closed) == SPW_OK && closed);
	CHECK(tx.wait_closed() == SPW_OK);
	CHECK(tx.send(9) == SPW_CLOSED);
	CHECK(tx.send_wait(9, 1ms) == SPW_CLOSED);
	v = rx.recv(); // accepted before the shutdown: still received
	CHECK(v && *v == 2);
	uint64_t out = 0;
	CHECK(rx.recv(out) == SPW_CLOSED);
	CHECK(rx.sender_count(n) == SPW_OK && n == 1);
}

// Several sender threads, each with its own sender (its own order); the
// receiver checks every producer's sequence is complete and increasing,
// and that the stream ends only after the last value.
static void test_threads(unsigned threads, uint64_t per_thread)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	cfg.lanes = 4; // fewer lanes than threads: some share a lane
	auto [status, tx, rx] = tq::channel(cfg);
	CHECK(status == SPW_OK);
	std::vector<std::thread> workers;
	for (unsigned t = 0; t < threads; t++) {
		std::optional<tq::sender> mine = tx.clone();
		CHECK(mine);
		workers.emplace_back([t, per_thread, s = std::move(*mine)]() mutable {
			std::vector<struct tmsg> chunk;
			for (uint64_t seq = 0; seq < per_thread;) {
				if (seq % 3 == 0) {
					// a batch of up to 7, atomically
					chunk.clear();
					for (int k = 0; k < 7 && seq < per_thread; k++)
						chunk.push_back({t, 0, seq++});
					if (s.send_many(chunk) != SPW_OK)
						std::abort();
				} else {
					struct tmsg m = {t, 0, seq++};
					if (s.send(m) != SPW_OK)
						std::abort();
				}
			}
		}); // s closes when the thread's lambda is destroyed
	}
	tx.reset(); // only the workers' senders are left

	std::vector<uint64_t> next(threads, 0);
	uint64_t total = 0, sum = 0, batches = 0;
	for (;;) {
		tq::batch b;
		spw_status s;
		if (batches % 2 == 0) {
			s = rx.recv_batch(b);
			if (s == SPW_CLOSED)
				break;
			CHECK(s == SPW_OK && !b.empty());
			for (const struct tmsg &m : b) {
				CHECK(m.producer < threads);
				CHECK(m.seq == next[m.producer]);
				next[m.producer]++;
				total++;
				sum += m.seq;
			}
		} else {
			auto m = rx.recv();
			if (!m)
				break;
			CHECK(m->producer < threads);
			CHECK(m->seq == next[m->producer]);
			next[m->producer]++;
			total++;
			sum += m->seq;
		}
		batches++;
	}
	for (auto &w : workers)
		w.join();
	CHECK(total == threads * per_thread);
	CHECK(sum == threads * (per_thread * (per_thread - 1) / 2));
	for (unsigned t = 0; t < threads; t++)
		CHECK(next[t] == per_thread);
	CHECK(!rx.try_recv());
	std::printf("threads: %u senders x %llu values in order, %llu "
		    "receives\n",
		    threads, (unsigned long long)per_thread,
		    (unsigned long long)batches);
}

int main(int argc, char **argv)
{
	unsigned threads = argc > 1 ? (unsigned)std::atoi(argv[1]) : 4;
	uint64_t per_thread =
		argc > 2 ? (uint64_t)std::strtoull(argv[2], nullptr, 10)
			 : 50000;
	if (threads == 0 || per_thread == 0) {
		std::fprintf(stderr, "usage: %s [THREADS [VALUES]]\n", argv[0]);
		return 2;
	}
	test_basics();
	test_ownership();
	test_batches();
	test_config_and_other_channels();
	test_wait_and_shutdown();
	test_threads(threads, per_thread);
	std::printf("all %d checks passed\n", checks);
	return 0;
}
