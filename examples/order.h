/* SPDX-License-Identifier: MIT */
/* order.h - a user-defined element type, stored inline in the channel. */
#ifndef EXAMPLES_ORDER_H
#define EXAMPLES_ORDER_H

#include <stdint.h>

struct order {
	uint32_t desk;     /* which producer (desk) placed it */
	uint32_t seq;      /* the desk's own sequence number */
	int64_t price_cents;
	char symbol[8];
};

#endif
