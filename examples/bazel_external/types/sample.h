/* SPDX-License-Identifier: MIT */
/* sample.h - a typedef'd element type in another package (//types). */
#ifndef BAZEL_EXTERNAL_TYPES_SAMPLE_H
#define BAZEL_EXTERNAL_TYPES_SAMPLE_H

#include <stdint.h>

typedef struct {
	uint16_t channel;
	int16_t level;
} sample_t;

#endif
