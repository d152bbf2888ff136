/* SPDX-License-Identifier: MIT */
/* job.h - the element type of the Meson example's channel. */
#ifndef SPILLWAY_MESON_EXAMPLE_JOB_H
#define SPILLWAY_MESON_EXAMPLE_JOB_H

#include <stdint.h>

struct job {
	uint32_t id;
	uint32_t cost;
};

#endif
