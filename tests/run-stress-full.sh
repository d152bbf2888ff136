#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The stress suite at the full sizes of the reliability issue (CI runs the
# quick sizes): 6 producer counts x 4 lane counts x 4 receive calls,
# 20,000 end-of-stream rounds twice, 100,000 ping-pong round trips, 10 s
# of bursty senders, the capacity grid, 10,000 receiver closes mid-stream,
# 8 x 100,000 handle churn cycles. Runs the plain build and the build with
# injected yields; with --sanitizers also the ThreadSanitizer and
# AddressSanitizer builds at the same full sizes (much slower). Prints a
# line per run with its duration, then "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
sh tests/deps.sh || exit 1

configs=(ci)
[ "${1:-}" = "--sanitizers" ] && configs+=(tsan asan)
passed=0
failed=0
for config in "${configs[@]}"; do
	bazel build --config="$config" //tests:stress_test //tests:stress_yields_test >/dev/null 2>&1 ||
		{ echo "build --config=$config failed" >&2; exit 1; }
	bin=$(bazel info --config="$config" bazel-bin 2>/dev/null)
	for t in stress_test stress_yields_test; do
		start=$(date +%s)
		if SPW_STRESS_FULL=1 TSAN_OPTIONS=halt_on_error=1 \
			"$bin/tests/$t" >"/tmp/spw-stress-$config-$t.log" 2>&1; then
			result="pass"
			passed=$((passed + 1))
		else
			result="FAIL (log: /tmp/spw-stress-$config-$t.log)"
			failed=$((failed + 1))
		fi
		echo "$t --config=$config full sizes: $(tail -1 "/tmp/spw-stress-$config-$t.log"); $(($(date +%s) - start)) s; $result"
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
