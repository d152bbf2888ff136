#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzz the u64 channel against its reference model, then replay the seeds.
#
#   tests/fuzz/run.sh [SECONDS]     fuzz for SECONDS (default 60)
#
# Builds tests/fuzz/fuzz_channel.c with clang (libFuzzer + ASan + UBSan)
# into a temporary folder, fuzzes a copy of tests/fuzz/corpus (the repo is
# not modified), then replays every seed with a replay build (ASan + UBSan,
# no libFuzzer), once as is and once with SPW_NO_MEMBARRIER set. Needs
# clang with libFuzzer (Debian: clang and libclang-rt-14-dev or the
# matching version); installs nothing.
#
# Last line: "N passed, M failed" (tests/lib.sh; the fuzz run counts 1,
# each seed replay 1). On a failure the temporary folder is kept and the
# crashing input's path is printed; replay it with
#   <tmp>/replay -v <input>
set -uo pipefail

secs=${1:-60}
case "$secs" in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"

cc=${CLANG:-}
if [ -z "$cc" ]; then
	for c in clang clang-14 clang-15 clang-16; do
		if command -v "$c" >/dev/null 2>&1; then
			cc=$c
			break
		fi
	done
fi
if [ -z "$cc" ]; then
	echo "run.sh: clang not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
	t_fail "fuzz build" "clang not found"
	t_done
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spw-fuzz.XXXXXX")
T_LOG_DIR=$tmp/logs
mkdir -p "$T_LOG_DIR"
keep=0
cleanup() {
	if [ "$keep" -eq 0 ]; then
		rm -rf "$tmp"
	else
		echo "run.sh: kept $tmp" >&2
	fi
}
trap cleanup EXIT

srcs=("$here/fuzz_channel.c" "$root/generated/spillway_u64.c"
	"$root/runtime/spillway_runtime.c")
flags=(-g -O1 -std=c11 -I"$root/runtime" -I"$root/generated" -pthread
	-fno-sanitize-recover=all)

echo "== build ($cc)"
if ! "$cc" "${flags[@]}" -fsanitize=fuzzer,address,undefined "${srcs[@]}" \
	-o "$tmp/fuzz_channel" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	echo "run.sh: building the fuzzer failed (is libFuzzer installed? Debian: libclang-rt-14-dev)" >&2
	keep=1
	t_fail "fuzz build" "see $tmp/build.log"
	t_done
	exit 1
fi
if ! "$cc" "${flags[@]}" -fsanitize=address,undefined -DFUZZ_REPLAY_MAIN \
	"${srcs[@]}" -o "$tmp/replay" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	keep=1
	t_fail "replay build" "see $tmp/build.log"
	t_done
	exit 1
fi

echo "== fuzz for ${secs}s over a copy of tests/fuzz/corpus"
cp -R "$here/corpus" "$tmp/corpus"
mkdir -p "$tmp/artifacts"
(cd "$tmp" && ASAN_OPTIONS=detect_leaks=1 ./fuzz_channel \
	-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1024 \
	-print_final_stats=1 -artifact_prefix="$tmp/artifacts/" \
	"$tmp/corpus") >"$tmp/fuzz.log" 2>&1
rc=$?
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$tmp/fuzz.log"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$tmp/fuzz.log"
crash=$(ls "$tmp/artifacts" 2>/dev/null | head -n 1)
if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
	t_ok "fuzz ${secs}s"
else
	keep=1
	grep -E 'fuzz_channel.c:[0-9]+:|ERROR:|SUMMARY:|runtime error' \
		"$tmp/fuzz.log" | head -n 20 >&2
	t_fail "fuzz ${secs}s" "exit $rc; log: $tmp/fuzz.log"
	if [ -n "$crash" ]; then
		echo "fuzz: crashing input: $tmp/artifacts/$crash" >&2
		echo "fuzz: replay with: $tmp/replay -v $tmp/artifacts/$crash" >&2
	fi
fi

echo "== replay the seed corpus"
for seed in "$here"/corpus/*; do
	name=$(basename "$seed")
	t_run "replay $name" "$tmp/replay" "$seed" || keep=1
	t_run "replay $name (SPW_NO_MEMBARRIER=1)" \
		env SPW_NO_MEMBARRIER=1 "$tmp/replay" "$seed" || keep=1
done >"$tmp/replay.out"
grep -v '^ok ' "$tmp/replay.out"
echo "replayed $(ls "$here"/corpus | wc -l) seeds, each with and without membarrier"

t_done
