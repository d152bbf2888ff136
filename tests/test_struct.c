/* SPDX-License-Identifier: MIT */
/*
 * test_struct.c - a channel of a user-defined struct, generated at build
 * time by the Bazel rule spillway_channel: values are stored inline and
 * copied whole; the destroy hook sees each unreceived value exactly once.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "spillway_message.h"

static struct message make(uint64_t id)
{
	struct message m;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.id = id;
	m.note = malloc(16);
	ck_assert_ptr_nonnull(m.note);
	memcpy(m.note, "note", 5);
	for (i = 0; i < sizeof(m.payload); i++)
		m.payload[i] = (unsigned char)(id + i);
	return m;
}

static void check_msg(const struct message *m, uint64_t id)
{
	size_t i;

	ck_assert_uint_eq(m->id, id);
	ck_assert_str_eq(m->note, "note");
	for (i = 0; i < sizeof(m->payload); i++)
		ck_assert_uint_eq(m->payload[i], (unsigned char)(id + i));
}

START_TEST(test_struct_roundtrip)
{
	spw_message_sender *tx;
	spw_message_receiver *rx;
	struct message batch[10], out[10], m;
	const struct message *view;
	size_t n, i;

	ck_assert_int_eq(spw_message_channel(&tx, &rx), SPW_OK);
	m = make(1);
	ck_assert_int_eq(spw_message_send(tx, &m), SPW_OK);
	/* Passed by pointer (spwgen --pass auto for a struct): NULL is refused. */
	ck_assert_int_eq(spw_message_send(tx, NULL), SPW_INVALID);
	for (i = 0; i < 10; i++)
		batch[i] = make(100 + i);
	ck_assert_int_eq(spw_message_send_many(tx, batch, 10), SPW_OK);
	/* The channel holds copies: the caller's array may change now. */
	memset(batch, 0xff, sizeof(batch));

	ck_assert_int_eq(spw_message_recv(rx, &m), SPW_OK);
	check_msg(&m, 1);
	free(m.note);
	ck_assert_int_eq(spw_message_recv_many(rx, out, 4, &n), SPW_OK);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < 4; i++) {
		check_msg(&out[i], 100 + i);
		free(out[i].note);
	}
	ck_assert_int_eq(spw_message_recv_batch(rx, &view, &n), SPW_OK);
	ck_assert_uint_eq(n, 6);
	for (i = 0; i < 6; i++) {
		check_msg(&view[i], 104 + i);
		free(view[i].note);
	}
	ck_assert_int_eq(spw_message_try_recv(rx, &m), SPW_EMPTY);
	ck_assert_int_eq(spw_message_sender_close(tx), SPW_OK);
	ck_assert_int_eq(spw_message_recv(rx, &m), SPW_CLOSED);
	ck_assert_int_eq(spw_message_receiver_close(rx), SPW_OK);
}
END_TEST

static void free_note(void *elem, void *ctx)
{
	struct message *m = elem;

	++*(int *)ctx;
	free(m->note);
}

START_TEST(test_struct_destroy_hook)
{
	spw_config cfg = SPW_CONFIG_DEFAULT;
	spw_message_sender *tx, *tx2;
	spw_message_receiver *rx;
	struct message m;
	int destroyed = 0, i;

	cfg.lanes = 2;
	cfg.destroy = free_note;
	cfg.destroy_ctx = &destroyed;
	ck_assert_int_eq(spw_message_channel_with(&cfg, &tx, &rx), SPW_OK);
	ck_assert_int_eq(spw_message_sender_clone(tx, &tx2), SPW_OK);
	for (i = 0; i < 20; i++) {
		m = make(i);
		ck_assert_int_eq(spw_message_send(i % 2 ? tx2 : tx, &m),
				 SPW_OK);
	}
	ck_assert_int_eq(spw_message_recv(rx, &m), SPW_OK);
	check_msg(&m, 0);
	free(m.note);
	ck_assert_int_eq(spw_message_receiver_close(rx), SPW_OK);
	m = make(99);
	ck_assert_int_eq(spw_message_send(tx, &m), SPW_CLOSED);
	free(m.note); /* SPW_CLOSED: still ours */
	spw_message_sender_close(tx);
	ck_assert_int_eq(destroyed, 0); /* tx2 still holds the channel */
	spw_message_sender_close(tx2);
	/* 19 unreceived (9 of lane 0's visit, 10 in lane 1), once each. */
	ck_assert_int_eq(destroyed, 19);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("struct");
	TCase *tc = tcase_create("message");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_struct_roundtrip);
	tcase_add_test(tc, test_struct_destroy_hook);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
