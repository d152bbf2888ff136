#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Source-based coverage (clang) of the fuzz target over the runtime and the
# generated u64 channel, driven by the corpus after a fuzzing run.
#
#   tests/fuzz/coverage.sh [SECONDS [CORPUS_DIR]]
#
# 1. fuzzes a copy of tests/fuzz/corpus (or of CORPUS_DIR) for SECONDS
#    (default 60; 0: no fuzzing, the seeds alone) with a libFuzzer build;
# 2. replays every input of the resulting corpus with a replay build
#    compiled with -fprofile-instr-generate -fcoverage-mapping, once as is
#    and once with SPW_NO_MEMBARRIER=1;
# 3. merges the profiles (llvm-profdata) and prints llvm-cov's report for
#    runtime/spillway_runtime.c, runtime/spillway_core.h and
#    generated/spillway_u64.c, the functions never entered and the line
#    ranges never run; then the same for a replay build with
#    -DSPW_TEST_YIELDS (sched_yield() in every race window). The full
#    annotated listings are written to $SPW_COV_OUT (default: a temporary
#    folder, kept and printed).
#
# Needs clang, llvm-profdata and llvm-cov of the same version (Debian 12:
# clang-14, llvm-14; LLVM_SUFFIX=-14 is found automatically) and
# libclang-rt-14-dev for libFuzzer. Installs nothing.
# Last line: "N passed, M failed".
set -uo pipefail

secs=${1:-60}
case "$secs" in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS [CORPUS_DIR]]" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
corpus_in=${2:-$here/corpus}

cc=${CLANG:-}
suffix=${LLVM_SUFFIX:-}
if [ -z "$cc" ]; then
	for v in "" -14 -15 -16; do
		if command -v "clang$v" >/dev/null 2>&1 &&
			command -v "llvm-profdata${suffix:-$v}" >/dev/null 2>&1; then
			cc=clang$v
			suffix=${suffix:-$v}
			break
		fi
	done
fi
if [ -z "$cc" ] && command -v clang >/dev/null 2>&1; then
	cc=clang
	suffix=${suffix:--14}
fi
profdata=llvm-profdata$suffix
llvmcov=llvm-cov$suffix
for tool in "$cc" "$profdata" "$llvmcov"; do
	if [ -z "$tool" ] || ! command -v "$tool" >/dev/null 2>&1; then
		echo "coverage.sh: ${tool:-clang} not found (Debian: apt-get install clang llvm libclang-rt-14-dev)" >&2
		t_fail "coverage tools" "${tool:-clang} missing"
		t_done
		exit 1
	fi
done

out=${SPW_COV_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/spw-cov.XXXXXX")}
mkdir -p "$out"
T_LOG_DIR=$out/logs
mkdir -p "$T_LOG_DIR"

srcs=("$here/fuzz_channel.c" "$root/generated/spillway_u64.c"
	"$root/runtime/spillway_runtime.c")
flags=(-g -O1 -std=c11 -I"$root/runtime" -I"$root/generated" -pthread)
covflags=(-fprofile-instr-generate -fcoverage-mapping)

echo "== build ($cc, $profdata, $llvmcov)"
t_run "coverage build: replay with coverage" "$cc" "${flags[@]}" "${covflags[@]}" \
	-DFUZZ_REPLAY_MAIN "${srcs[@]}" -o "$out/replay-cov" || {
	t_done
	exit 1
}

rm -rf "$out/corpus"
cp -R "$corpus_in" "$out/corpus"
if [ "$secs" -gt 0 ]; then
	if t_run "coverage build: fuzzer" "$cc" "${flags[@]}" \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		"${srcs[@]}" -o "$out/fuzz_channel"; then
		mkdir -p "$out/artifacts"
		echo "== fuzz for ${secs}s over a copy of $corpus_in"
		t_run "coverage: fuzz ${secs}s" env ASAN_OPTIONS=detect_leaks=1 \
			"$out/fuzz_channel" -max_total_time="$secs" -timeout=10 \
			-rss_limit_mb=2048 -max_len=1024 -print_final_stats=1 \
			-artifact_prefix="$out/artifacts/" "$out/corpus"
		grep -E '^stat::number_of_executed_units' \
			"$(t_log_path "coverage: fuzz ${secs}s")"
	fi
fi
echo "== replay $(ls "$out/corpus" | wc -l) inputs with coverage"
rm -f "$out"/*.profraw "$out"/yields-*.profraw
t_run "coverage: replay" env LLVM_PROFILE_FILE="$out/fast-%p.profraw" \
	"$out/replay-cov" "$out/corpus"
t_run "coverage: replay, SPW_NO_MEMBARRIER=1" env SPW_NO_MEMBARRIER=1 \
	LLVM_PROFILE_FILE="$out/fallback-%p.profraw" "$out/replay-cov" "$out/corpus"
if ! t_run "coverage: llvm-profdata merge" "$profdata" merge -sparse \
	"$out"/*.profraw -o "$out/cov.profdata"; then
	t_done
	exit 1
fi

files=("$root/runtime/spillway_runtime.c" "$root/runtime/spillway_core.h"
	"$root/generated/spillway_u64.c")

# report BINARY PROFDATA PREFIX: llvm-cov's summary, the functions never
# entered and the line ranges never run, into $out/PREFIX*.txt
report() {
	local bin=$1 prof=$2 pre=$3
	echo "== llvm-cov report"
	"$llvmcov" report "$bin" -instr-profile="$prof" "${files[@]}" |
		sed "s|$root/||" | tee "$out/${pre}report.txt"
	"$llvmcov" show "$bin" -instr-profile="$prof" \
		-show-line-counts-or-regions "${files[@]}" >"$out/${pre}show.txt"
	echo "== functions never entered"
	"$llvmcov" report "$bin" -instr-profile="$prof" -show-functions \
		"${files[@]}" 2>/dev/null |
		awk '$1 != "Name" && $1 != "TOTAL" && $1 != "File" &&
			$1 ~ /^[A-Za-z_][A-Za-z0-9_.:]*$/ {
			# a static inline function of a header has one instance
			# per file: never entered = every instance at 0%
			base = $1; sub(/^.*:/, "", base)
			for (i = 2; i <= NF; i++) if ($i ~ /%$/) { pct = $i; break }
			if (!(base in zero)) zero[base] = 1
			if (pct != "0.00%") zero[base] = 0
		}
		END { for (b in zero) if (zero[b]) print "  " b }' |
		sort | tee "$out/${pre}never_entered.txt"
	echo "== lines never run (file: line ranges)"
	# llvm-cov show: "  NNN|  COUNT|source"; COUNT 0 marks a line never run
	awk -v root="$root/" '
		/^\/.*:$/ { if (f != "") flush(); f = substr($0, 1, length($0) - 1);
			sub(root, "", f); n = 0; next }
		/^ *[0-9]+\| *0\|/ { split($0, a, "|"); ln = a[1] + 0;
			if (n > 0 && ln == last + 1) { last = ln } else {
				if (n > 0) out = out sprintf(" %s", rng(start, last));
				start = ln; last = ln; n++ } next }
		function rng(s, e) { return s == e ? s : s "-" e }
		function flush() { if (n > 0) out = out sprintf(" %s", rng(start, last));
			if (out != "") printf "  %s:%s\n", f, out; out = ""; n = 0 }
		END { flush() }' "$out/${pre}show.txt" | fold -s -w 100 |
		tee "$out/${pre}uncovered.txt"
}
report "$out/replay-cov" "$out/cov.profdata" ""

# The same corpus with sched_yield() in every check-then-act window
# (-DSPW_TEST_YIELDS, as stress_yields_test): the threaded inputs then
# reach the races one thread's timing rarely hits (a revoker waiting for
# busy == 0, an owner whose re-check sees its bias revoked). A separate
# build, so a separate report.
echo "== the same corpus, built with -DSPW_TEST_YIELDS"
if t_run "coverage build: replay with coverage and SPW_TEST_YIELDS" "$cc" \
	"${flags[@]}" "${covflags[@]}" -DSPW_TEST_YIELDS -DFUZZ_REPLAY_MAIN \
	"${srcs[@]}" -o "$out/replay-cov-yields" &&
	t_run "coverage: replay with SPW_TEST_YIELDS" env \
		LLVM_PROFILE_FILE="$out/yields-%p.profraw" \
		"$out/replay-cov-yields" "$out/corpus" &&
	t_run "coverage: llvm-profdata merge (SPW_TEST_YIELDS)" "$profdata" \
		merge -sparse "$out"/yields-*.profraw -o "$out/yields.profdata"; then
	report "$out/replay-cov-yields" "$out/yields.profdata" yields-
fi

echo "coverage: the listings are in $out (show.txt, yields-show.txt, report.txt, uncovered.txt)"
t_done
