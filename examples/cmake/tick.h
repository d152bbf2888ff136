/* SPDX-License-Identifier: MIT */
/* tick.h - the element type of the CMake example's channel. */
#ifndef SPILLWAY_CMAKE_EXAMPLE_TICK_H
#define SPILLWAY_CMAKE_EXAMPLE_TICK_H

#include <stdint.h>

struct tick {
	uint32_t source; /* which sender */
	uint32_t seq;    /* that sender's sequence number: 0, 1, 2, ... */
	double price;
};

#endif
