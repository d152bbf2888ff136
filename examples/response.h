/* SPDX-License-Identifier: MIT */
/* response.h - what a worker hands the writer in examples/tcp_writer.c. */
#ifndef EXAMPLES_RESPONSE_H
#define EXAMPLES_RESPONSE_H

#include <stdint.h>

/*
 * On the wire a response is its first RESPONSE_HEADER bytes (worker, seq,
 * len, in host byte order: the example talks to itself over loopback)
 * followed by len bytes of body.
 */
struct response {
	uint32_t worker; /* which worker made it */
	uint32_t seq;    /* the worker's own sequence number */
	uint32_t len;    /* bytes of body that are used */
	char body[52];
};

#define RESPONSE_HEADER 12

#endif
