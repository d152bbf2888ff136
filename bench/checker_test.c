/* SPDX-License-Identifier: MIT */
/*
 * checker_test.c - the receiver's checks of bench.h, on their own: every
 * correct stream passes, whether it is checked value by value
 * (checker_take), in batches (checker_take_many) or both mixed, and the
 * two leave the same state; every wrong one (a gap, a duplicate, two
 * values swapped, a producer out of range, a value missing at the end, a
 * wrong value anywhere in a batch) exits with status 1. The wrong streams
 * run in a child process each, since the checks end the program.
 * Prints "N passed, M failed".
 */
#define _GNU_SOURCE

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define P 3
#define PER 2000 /* values per producer */
#define N (P * PER)

static int passed, failed;

static void result(const char *what, int ok)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

/* A small deterministic generator (xorshift64). */
static uint64_t rng_state = 88172645463325252u;

static uint64_t rnd(uint64_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % bound;
}

/*
 * One stream of the P producers' values, interleaved in runs of random
 * length (as a receiver sees them: a window of one lane, then another),
 * each producer's values in order.
 */
static void make_stream(uint64_t *v)
{
	uint64_t sent[P] = {0};
	size_t n = 0;

	while (n < N) {
		unsigned p = (unsigned)rnd(P);
		uint64_t run = 1 + rnd(40);

		while (run-- > 0 && sent[p] < PER)
			v[n++] = make_value(p, sent[p]++);
	}
}

/* Check v[0, n) in batches of random size (0: value by value). */
static void check_stream(struct checker *c, const uint64_t *v, size_t n, int mode)
{
	size_t i = 0;

	while (i < n) {
		size_t b = 1 + rnd(mode == 2 ? 100 : 1100);

		if (b > n - i)
			b = n - i;
		if (mode == 0 || (mode == 2 && rnd(2) == 0)) {
			size_t k;

			for (k = 0; k < b; k++)
				checker_take(c, v[i + k]);
		} else {
			checker_take_many(c, v + i, b);
		}
		i += b;
	}
}

static const struct job job = {"checker_test", V_PLAIN, P, N, 0, 0, 0};

/* Run a wrong stream in a child: it must exit with status 1. */
static void expect_death(const char *what, const uint64_t *v, size_t n, int mode)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		struct checker c;

		/* The checks' message is expected: keep the log short. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		checker_init(&c, &job);
		check_stream(&c, v, n, mode);
		checker_finish(&c);
		_exit(0); /* accepted: wrong */
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(2);
	}
	result(what, WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

int main(void)
{
	static uint64_t good[N], bad[N];
	static const char *const mode_name[] = {"value by value", "in batches", "mixed"};
	struct checker ref, c;
	char what[160];
	int mode;
	size_t i, j;

	bench_prog = "checker_test";
	make_stream(good);

	/* Correct streams pass, and every way of checking ends the same. */
	checker_init(&ref, &job);
	check_stream(&ref, good, N, 0);
	for (mode = 0; mode < 3; mode++) {
		checker_init(&c, &job);
		check_stream(&c, good, N, mode);
		snprintf(what, sizeof(what), "a correct stream, %s: same count, sum and indexes", mode_name[mode]);
		result(what, c.count == ref.count && c.sum == ref.sum && memcmp(c.next, ref.next, P * sizeof(*c.next)) == 0);
		checker_finish(&c); /* exits 1 if the stream did not add up */
	}
	checker_finish(&ref);
	result("the correct streams pass checker_finish", 1);

	for (mode = 0; mode < 3; mode++) {
		/* A gap: one value left out. */
		memcpy(bad, good, sizeof(good));
		i = (size_t)rnd(N);
		memmove(bad + i, bad + i + 1, (N - i - 1) * sizeof(*bad));
		snprintf(what, sizeof(what), "a gap (value %zu left out), %s", i, mode_name[mode]);
		expect_death(what, bad, N - 1, mode);

		/* A duplicate in place of the next value. */
		memcpy(bad, good, sizeof(good));
		i = 1 + (size_t)rnd(N - 1);
		bad[i] = bad[i - 1];
		snprintf(what, sizeof(what), "a duplicate at %zu, %s", i, mode_name[mode]);
		expect_death(what, bad, N, mode);

		/* Two values of one producer swapped. */
		memcpy(bad, good, sizeof(good));
		i = (size_t)rnd(N / 2);
		for (j = i + 1; j < N && bad[j] >> VALUE_SHIFT != bad[i] >> VALUE_SHIFT; j++)
			;
		if (j < N) {
			uint64_t t = bad[i];

			bad[i] = bad[j];
			bad[j] = t;
		}
		snprintf(what, sizeof(what), "values %zu and %zu of one producer swapped, %s", i, j, mode_name[mode]);
		expect_death(what, bad, N, mode);

		/* A producer that does not exist. */
		memcpy(bad, good, sizeof(good));
		i = (size_t)rnd(N);
		bad[i] = make_value(P, bad[i] & INDEX_MASK);
		snprintf(what, sizeof(what), "producer %d (of %d) at %zu, %s", P, P, i, mode_name[mode]);
		expect_death(what, bad, N, mode);

		/* The last value missing: only checker_finish can tell. */
		snprintf(what, sizeof(what), "the last value missing, %s", mode_name[mode]);
		expect_death(what, good, N - 1, mode);

		/* A wrong first and a wrong last value. */
		memcpy(bad, good, sizeof(good));
		bad[0] += 1;
		snprintf(what, sizeof(what), "a wrong first value, %s", mode_name[mode]);
		expect_death(what, bad, N, mode);
		memcpy(bad, good, sizeof(good));
		bad[N - 1] += 1;
		snprintf(what, sizeof(what), "a wrong last value, %s", mode_name[mode]);
		expect_death(what, bad, N, mode);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
