/* SPDX-License-Identifier: MIT */
/*
 * aligned.h - element types aligned to 1, 8, 16, 32, 64 and 4096 bytes,
 * for test_align.c: every stored value and every recv_batch view must be
 * aligned to _Alignof(T).
 */
#ifndef SPW_TESTS_ALIGNED_H
#define SPW_TESTS_ALIGNED_H

#include <stdint.h>

struct a1 {
	unsigned char b;
};

struct a8 {
	uint64_t x;
};

struct a16 {
	_Alignas(16) uint64_t x;
	uint64_t y;
};

/* Four doubles in a vector register: copies use aligned vector moves. */
typedef double spw_test_v4d __attribute__((vector_size(32)));

struct a32 {
	_Alignas(32) spw_test_v4d v;
};

/* A cache-line padded record. */
struct a64 {
	_Alignas(64) uint64_t x;
};

/* A page-aligned record. */
struct a4096 {
	_Alignas(4096) uint64_t x;
	unsigned char pad[100];
};

#endif
