/* SPDX-License-Identifier: MIT */
/*
 * test_align.c - channels of over-aligned element types (aligned to 1, 8,
 * 16, 32, 64 and 4096 bytes): every value the channel stores and every
 * recv_batch view is aligned to _Alignof(T), with one-value segments
 * (initial_buffer = 1, so every value starts a segment), default segments
 * and large batches, and values survive the copy. Built under UBSan
 * (--config=ubsan, asan) a misaligned access is fatal there too.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "aligned.h"
#include "spillway_a1.h"
#include "spillway_a16.h"
#include "spillway_a32.h"
#include "spillway_a4096.h"
#include "spillway_a64.h"
#include "spillway_a8.h"
#include "support.h"

#define ALIGNED(p, T) ((uintptr_t)(p) % _Alignof(T) == 0)

static void set_a1(struct a1 *v, uint64_t i) { v->b = (unsigned char)i; }
static int is_a1(const struct a1 *v, uint64_t i) { return v->b == (unsigned char)i; }
static void set_a8(struct a8 *v, uint64_t i) { v->x = i; }
static int is_a8(const struct a8 *v, uint64_t i) { return v->x == i; }
static void set_a16(struct a16 *v, uint64_t i) { v->x = i; v->y = ~i; }
static int is_a16(const struct a16 *v, uint64_t i) { return v->x == i && v->y == ~i; }
static void set_a32(struct a32 *v, uint64_t i)
{
	spw_test_v4d d = { (double)i, 1.0, 2.0, (double)(i + 3) };

	v->v = d;
}
static int is_a32(const struct a32 *v, uint64_t i)
{
	/* A vector load from the view: legal C only if it is aligned. */
	spw_test_v4d d = v->v;

	return d[0] == (double)i && d[1] == 1.0 && d[3] == (double)(i + 3);
}
static void set_a64(struct a64 *v, uint64_t i) { v->x = i; }
static int is_a64(const struct a64 *v, uint64_t i) { return v->x == i; }
static void set_a4096(struct a4096 *v, uint64_t i)
{
	v->x = i;
	memset(v->pad, (int)(i & 0xff), sizeof(v->pad));
}
static int is_a4096(const struct a4096 *v, uint64_t i)
{
	return v->x == i && v->pad[99] == (unsigned char)(i & 0xff);
}

/*
 * For one type: send `count` values one by one and in batches of 5 and
 * 100, receive them with recv_batch (checking each view's alignment), with
 * recv into an aligned local and with recv_many; then close with values
 * still queued (the destroy hook sees aligned pointers too).
 */
static unsigned destroyed, misaligned_destroy;

#define ALIGN_CASE(N) \
	static void destroy_##N(void *elem, void *ctx) \
	{ \
		(void)ctx; \
		destroyed++; \
		if (!ALIGNED(elem, struct N)) \
			misaligned_destroy++; \
	} \
	static void run_##N(size_t initial_buffer) \
	{ \
		spw_config cfg = SPW_CONFIG_DEFAULT; \
		spw_##N##_sender *tx; \
		spw_##N##_receiver *rx; \
		static struct N batch[100]; \
		static struct N out[100]; \
		struct N v; \
		const struct N *items; \
		size_t n, i, got = 0; \
		uint64_t next = 0, sent = 0; \
		cfg.lanes = 2; \
		cfg.initial_buffer = initial_buffer; \
		cfg.destroy = destroy_##N; \
		ck_assert_int_eq(spw_##N##_channel_with(&cfg, &tx, &rx), SPW_OK); \
		for (i = 0; i < 20; i++) { \
			set_##N(&v, sent++); \
			CHECK_ST(spw_##N##_send(tx, &v), SPW_OK); \
		} \
		for (i = 0; i < 5; i++) \
			set_##N(&batch[i], sent++); \
		CHECK_ST(spw_##N##_send_many(tx, batch, 5), SPW_OK); \
		for (i = 0; i < 100; i++) \
			set_##N(&batch[i], sent++); \
		CHECK_ST(spw_##N##_send_many(tx, batch, 100), SPW_OK); \
		/* recv and recv_many first: a view takes a whole window. */ \
		for (i = 0; i < 5; i++) { \
			CHECK_ST(spw_##N##_recv(rx, &v), SPW_OK); \
			CHECK(is_##N(&v, next++)); \
		} \
		CHECK_ST(spw_##N##_recv_many(rx, out, 10, &n), SPW_OK); \
		CHECK(n >= 1); \
		for (i = 0; i < n; i++) \
			CHECK(is_##N(&out[i], next++)); \
		got = next; \
		while (got < 60) { \
			CHECK_ST(spw_##N##_recv_batch(rx, &items, &n), SPW_OK); \
			CHECK(ALIGNED(items, struct N)); \
			for (i = 0; i < n; i++) \
				CHECK(is_##N(&items[i], next++)); \
			got += n; \
		} \
		/* Values nobody receives: the destroy hook's pointers. */ \
		for (i = 0; i < 7; i++) { \
			set_##N(&v, sent++); \
			CHECK_ST(spw_##N##_send(tx, &v), SPW_OK); \
		} \
		CHECK(sent > next); \
		destroyed = misaligned_destroy = 0; \
		ck_assert_int_eq(spw_##N##_receiver_close(rx), SPW_OK); \
		ck_assert_int_eq(spw_##N##_sender_close(tx), SPW_OK); \
		ck_assert_uint_eq(destroyed, sent - next); \
		ck_assert_uint_eq(misaligned_destroy, 0); \
	} \
	START_TEST(test_align_##N) \
	{ \
		run_##N(1); \
		run_##N(0); \
		run_##N(7); \
	} \
	END_TEST

ALIGN_CASE(a1)
ALIGN_CASE(a8)
ALIGN_CASE(a16)
ALIGN_CASE(a32)
ALIGN_CASE(a64)
ALIGN_CASE(a4096)

/* The alignment the test relies on is the one the types declare. */
START_TEST(test_align_types)
{
	ck_assert_uint_eq(_Alignof(struct a1), 1);
	ck_assert_uint_eq(_Alignof(struct a8), 8);
	ck_assert_uint_eq(_Alignof(struct a16), 16);
	ck_assert_uint_eq(_Alignof(struct a32), 32);
	ck_assert_uint_eq(_Alignof(struct a64), 64);
	ck_assert_uint_eq(_Alignof(struct a4096), 4096);
}
END_TEST

/* Under the counting allocator (pointer-aligned blocks only): still aligned. */
START_TEST(test_align_counting_allocator)
{
	alloc_install();
	run_a64(1);
	run_a4096(1);
	run_a32(0);
	ck_assert_int_eq(alloc_live(), 0);
	alloc_uninstall();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("align");
	TCase *tc = tcase_create("align");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_align_types);
	tcase_add_test(tc, test_align_a1);
	tcase_add_test(tc, test_align_a8);
	tcase_add_test(tc, test_align_a16);
	tcase_add_test(tc, test_align_a32);
	tcase_add_test(tc, test_align_a64);
	tcase_add_test(tc, test_align_a4096);
	tcase_add_test(tc, test_align_counting_allocator);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
