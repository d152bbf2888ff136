/* SPDX-License-Identifier: MIT */
/* message.h - a struct element type for the tests: large, with a pointer. */
#ifndef SPW_TESTS_MESSAGE_H
#define SPW_TESTS_MESSAGE_H

#include <stdint.h>

struct message {
	uint64_t id;
	char *note;          /* heap-allocated; freed by its owner */
	unsigned char payload[200];
};

#endif
