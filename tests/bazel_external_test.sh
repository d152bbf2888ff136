#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Spillway used from another Bazel workspace: runs `bazel test //...` in
# examples/bazel_external (its own WORKSPACE declares Spillway with
# local_repository(name = "spillway", path = "../..") and loads the rule
# with the short label @spillway//:defs.bzl; a genrule runs
# @spillway//:spwgen and a test links @spillway//:runtime), plain with
# -Werror and under ASan+UBSan, TSan and UBSan, and checks what the rule
# generated and that the short labels resolve to Spillway's targets.
#
#   tests/bazel_external_test.sh           every config: ci, asan, tsan, ubsan
#   tests/bazel_external_test.sh --quick   --config=ci only
#
# Prints one line per check and ends with "N passed, M failed" (the
# counter of tests/lib.sh); the exit status is non-zero when a check
# failed. The example workspace gets its own Bazel output base
# (SPW_BAZEL_EXTERNAL_OUTPUT_BASE, default under ~/.cache/spillway/), kept
# between runs as a cache; its Bazel server is shut down at the end. Needs
# the Debian packages bazel-bootstrap, bazel-skylib, bazel-platforms,
# python3 and python3-jinja2 (tests/deps.sh).
set -uo pipefail

quick=0
for arg in "$@"; do
	case "$arg" in
	--quick) quick=1 ;;
	-h | --help)
		sed -n '3,20p' "$0"
		exit 0
		;;
	*)
		echo "bazel_external_test.sh: unknown argument: $arg" >&2
		exit 2
		;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
ws=$root/examples/bazel_external
hash=$(printf '%s' "$ws" | md5sum | cut -c1-12)
output_base=${SPW_BAZEL_EXTERNAL_OUTPUT_BASE:-${XDG_CACHE_HOME:-$HOME/.cache}/spillway/bazel-external-$hash}

log_dir=$(mktemp -d)
mkdir -p "$log_dir/t"
T_LOG_DIR=$log_dir/t
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

# Every bazel call uses the same startup options, so one server serves them
# all; --max_idle_secs ends it even if this script is killed.
bz() {
	(cd "$ws" && bazel --output_base="$output_base" --max_idle_secs=300 "$@")
}

cleanup() {
	bz shutdown >/dev/null 2>&1
	rm -rf "$log_dir"
}
trap cleanup EXIT

# check NAME OK: one line per check (OK is 1 or 0).
check() {
	if [ "$2" -eq 1 ]; then
		t_ok "$1"
	else
		t_fail "$1"
	fi
}

ok() { if "$@"; then echo 1; else echo 0; fi; }

# lines_in FILE LINE...: FILE has each LINE (whole lines).
lines_in() {
	local file=$1 line
	shift
	for line in "$@"; do
		grep -qxF -- "$line" "$file" || return 1
	done
}

if ! command -v bazel >/dev/null 2>&1; then
	check "bazel is installed (tests/deps.sh installs bazel-bootstrap)" 0
	t_done
	exit 1
fi

# The main workspace must not load this one as its own package
# //examples/bazel_external: a nested WORKSPACE file is no boundary for
# //... in Bazel 4, .bazelignore is.
check "main workspace: .bazelignore leaves out examples/bazel_external" \
	"$(ok grep -qx 'examples/bazel_external/\{0,1\}' "$root/.bazelignore")"

echo "== examples/bazel_external: output base $output_base"

configs=(ci)
if [ "$quick" -eq 0 ]; then
	configs+=(asan tsan ubsan)
fi
for config in "${configs[@]}"; do
	flags=(--config=ci)
	[ "$config" = ci ] || flags+=("--config=$config")
	log=$log_dir/test-$config.log
	bz test "${flags[@]}" //... >"$log" 2>&1
	status=$?
	results=$(grep -E '^//[^ ]* .*(PASSED|FAILED|TIMEOUT|NO STATUS|FLAKY)' "$log" |
		sed -E 's/^(\/\/[^ ]+) .*(PASSED|FAILED|TIMEOUT|NO STATUS|FLAKY).*/\1 \2/')
	if [ -z "$results" ]; then
		tail -30 "$log"
		check "bazel test ${flags[*]} //... (build)" 0
		continue
	fi
	while read -r target result; do
		check "bazel test ${flags[*]} $target" "$(ok [ "$result" = PASSED ])"
	done <<<"$results"
	if [ "$status" -ne 0 ]; then
		grep -E '^(ERROR|FAIL)' "$log" | head -20
		testlogs=$(bz info "${flags[@]}" bazel-testlogs 2>/dev/null)
		while read -r target result; do
			[ "$result" = PASSED ] && continue
			tail -5 "$testlogs/${target#//:}/test.log" 2>/dev/null | sed 's/^/    /'
		done <<<"$results"
		check "bazel test ${flags[*]} //... exit status ($status)" 0
	fi
	[ "$config" = ci ] || continue

	# What the test printed: each sender's count and order.
	testlogs=$(bz info "${flags[@]}" bazel-testlogs 2>/dev/null)
	tlog=$testlogs/two_senders_test/test.log
	check "two_senders_test: sender 0 and sender 1, 50000 readings each, in order" \
		"$(ok [ "$(grep -cE '^two_senders: sender [01]: 50000 readings, in order$' "$tlog" 2>/dev/null)" -eq 2 ])"
	check "two_senders_test: 100000 readings in all" \
		"$(ok grep -q '^two_senders: OK: 100000 readings from 2 senders' "$tlog")"
	check "sample_test: 2000 samples, each sender in order" \
		"$(ok grep -q '^sample_test: OK: 2000 samples' "$testlogs/sample_test/test.log")"
	check "short_labels_test: 1000 values, each sender in order" \
		"$(ok grep -q '^short_labels_test: OK: 1000 values' "$testlogs/short_labels_test/test.log")"

	# The generated headers: in this workspace's bazel-bin, including the
	# element type's header as this workspace spells it.
	bin=$(bz info "${flags[@]}" bazel-bin 2>/dev/null)
	check 'spillway_reading.h (same package) has #include "reading.h"' \
		"$(ok grep -qx '#include "reading.h"' "$bin/spillway_reading.h")"
	check 'spillway_sample.h (header in //types) has #include "types/sample.h"' \
		"$(ok grep -qx '#include "types/sample.h"' "$bin/spillway_sample.h")"

	# Spillway's own targets resolve in @spillway, not in this workspace.
	bz query 'deps(//:reading_channel)' >"$log_dir/deps.txt" 2>"$log_dir/query.err"
	for label in @spillway//runtime:spillway_runtime @spillway//generator:spwgen.py \
		@spillway//templates:templates; do
		check "//:reading_channel depends on $label" \
			"$(ok grep -qx "$label" "$log_dir/deps.txt")"
	done

	# The short labels of Spillway's root BUILD.bazel and defs.bzl.
	bz query 'buildfiles(//:all)' >"$log_dir/buildfiles.txt" 2>"$log_dir/query.err"
	check "BUILD.bazel loads the rule from @spillway//:defs.bzl" \
		"$(ok grep -qx '@spillway//:defs.bzl' "$log_dir/buildfiles.txt")"
	bz query 'deps(//:short_labels_test)' >"$log_dir/deps-short.txt" 2>"$log_dir/query.err"
	for pair in @spillway//:runtime=@spillway//runtime:spillway_runtime \
		@spillway//:spwgen=@spillway//generator:spwgen.py \
		@spillway//:templates=@spillway//templates:templates; do
		short=${pair%%=*}
		long=${pair#*=}
		check "//:short_labels_test depends on $short, an alias of $long" \
			"$(ok lines_in "$log_dir/deps-short.txt" "$short" "$long")"
	done
done

t_done
