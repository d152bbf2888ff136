/* SPDX-License-Identifier: MIT */
/* reading.h - this workspace's own element type, stored inline. */
#ifndef BAZEL_EXTERNAL_READING_H
#define BAZEL_EXTERNAL_READING_H

#include <stdint.h>

struct reading {
	uint32_t sensor;  /* which sender (thread) took it */
	uint32_t seq;     /* that sender's own sequence number: 0, 1, 2, ... */
	double celsius;
};

#endif
