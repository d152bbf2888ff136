/* SPDX-License-Identifier: MIT */
/*
 * test_linger.c - when a blocking receive lingers (DESIGN.md,
 * "Lingering"): only in a stream, once it has taken SPW_STREAM_BYTES
 * since it last waited SPW_STREAM_GAP_NS or parked; never in try_recv.
 * One thread, one lane: each round sends one value and receives it, so
 * every receive finds a value at once and the only question is whether it
 * lingers first. Built by ./test.sh with the runtime at -DSPW_TEST_LINGERS,
 * which counts lingers in spw_test_lingers (no timing is asserted).
 */
#include <check.h>
#include <stdint.h>

#include "spillway_core.h"
#include "spillway_u64.h"

#ifndef SPW_TEST_LINGERS
#error "build the runtime and this test with -DSPW_TEST_LINGERS"
#endif

/* Values a receiver takes before it is in a stream. */
#define STREAM_VALUES (SPW_STREAM_BYTES / sizeof(uint64_t))

static spw_u64_sender *tx;
static spw_u64_receiver *rx;
static uint64_t next_value, next_expected;

static void open_channel(void)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;

	cfg.lanes = 1;
	ck_assert_int_eq(spw_u64_channel_with(&cfg, &tx, &rx), SPW_OK);
	next_value = next_expected = 0;
	atomic_store(&spw_test_lingers, 0);
}

static void close_channel(void)
{
	uint64_t v;

	ck_assert_int_eq(spw_u64_sender_close(tx), SPW_OK);
	ck_assert_int_eq(spw_u64_recv(rx, &v), SPW_CLOSED);
	ck_assert_int_eq(spw_u64_receiver_close(rx), SPW_OK);
}

/* n rounds of one send and one blocking recv. */
static void rounds(size_t n)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(spw_u64_send(tx, next_value++), SPW_OK);
		ck_assert_int_eq(spw_u64_recv(rx, &v), SPW_OK);
		ck_assert_uint_eq(v, next_expected++);
	}
}

static unsigned long lingers(void)
{
	return atomic_load(&spw_test_lingers);
}

START_TEST(test_lingers_only_in_a_stream)
{
	open_channel();
	/* The first STREAM_VALUES receives come before the stream. */
	rounds(STREAM_VALUES);
	ck_assert_uint_eq(lingers(), 0);
	/* Then every receive that finds a short visit lingers. */
	rounds(1);
	ck_assert_uint_eq(lingers(), 1);
	rounds(10);
	ck_assert_uint_eq(lingers(), 11);
	close_channel();
}
END_TEST

START_TEST(test_a_quiet_spell_ends_the_stream)
{
	uint64_t v;
	unsigned long before;

	open_channel();
	rounds(STREAM_VALUES + 1);
	before = lingers();
	ck_assert_uint_eq(before, 1);
	/* 5 ms on an empty channel: it spins past SPW_STREAM_GAP_NS, parks. */
	ck_assert_int_eq(spw_u64_recv_timeout(rx, &v, 5000000), SPW_TIMEOUT);
	rounds(STREAM_VALUES);
	ck_assert_uint_eq(lingers(), before);
	rounds(1);
	ck_assert_uint_eq(lingers(), before + 1);
	close_channel();
}
END_TEST

START_TEST(test_try_recv_never_lingers)
{
	uint64_t v;
	size_t i;

	open_channel();
	for (i = 0; i < 4 * STREAM_VALUES; i++) {
		ck_assert_int_eq(spw_u64_send(tx, i), SPW_OK);
		ck_assert_int_eq(spw_u64_try_recv(rx, &v), SPW_OK);
		ck_assert_uint_eq(v, i);
	}
	ck_assert_uint_eq(lingers(), 0);
	close_channel();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("linger");
	TCase *tc = tcase_create("linger");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lingers_only_in_a_stream);
	tcase_add_test(tc, test_a_quiet_spell_ends_the_stream);
	tcase_add_test(tc, test_try_recv_never_lingers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
