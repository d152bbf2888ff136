/* SPDX-License-Identifier: MIT */
// cxx_test.cc - generated headers used from C++ (-std=c++11 and later):
// the extern "C" guard, the public runtime header (no C11 atomics in it),
// and a channel passed by value (u64) and one passed by pointer (a struct).
// The channels themselves are compiled as C and linked in.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "message.h"
#include "spillway_message.h"
#include "spillway_u64.h"

#define EXPECT(cond)                                                   \
	do {                                                           \
		if (!(cond)) {                                         \
			std::fprintf(stderr, "%s:%d: failed: %s\n",    \
				     __FILE__, __LINE__, #cond);       \
			std::exit(1);                                  \
		}                                                      \
	} while (0)

static int checks;
#define CHECK_OK(expr)                  \
	do {                            \
		EXPECT((expr) == SPW_OK); \
		checks++;                 \
	} while (0)

int main()
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_u64_sender *tx = nullptr, *tx2 = nullptr;
	spw_u64_receiver *rx = nullptr;
	uint64_t v = 0;
	size_t n = 0;

	cfg.lanes = 2;
	CHECK_OK(spw_u64_channel_with(&cfg, &tx, &rx));
	CHECK_OK(spw_u64_sender_clone(tx, &tx2));
	CHECK_OK(spw_u64_send(tx, 1));
	CHECK_OK(spw_u64_send(tx2, 2));
	CHECK_OK(spw_u64_len(rx, &n));
	EXPECT(n == 2);
	CHECK_OK(spw_u64_recv(rx, &v));
	EXPECT(v == 1);
	CHECK_OK(spw_u64_recv(rx, &v));
	EXPECT(v == 2);
	EXPECT(spw_u64_try_recv(rx, &v) == SPW_EMPTY);
	CHECK_OK(spw_u64_sender_close(tx));
	CHECK_OK(spw_u64_sender_close(tx2));
	EXPECT(spw_u64_recv(rx, &v) == SPW_CLOSED);
	CHECK_OK(spw_u64_receiver_close(rx));

	spw_message_sender *mtx = nullptr;
	spw_message_receiver *mrx = nullptr;
	struct message m, out;
	std::memset(&m, 0, sizeof(m));
	m.id = 42;
	CHECK_OK(spw_message_channel(&mtx, &mrx));
	CHECK_OK(spw_message_send(mtx, &m)); // a struct: by pointer
	CHECK_OK(spw_message_recv(mrx, &out));
	EXPECT(out.id == 42);
	CHECK_OK(spw_message_sender_close(mtx));
	CHECK_OK(spw_message_receiver_close(mrx));

	EXPECT(std::strcmp(spw_status_str(SPW_FULL), "") != 0);
	std::printf("%d passed, 0 failed\n", checks);
	return 0;
}
