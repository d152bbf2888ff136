#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the benchmarks with gcc/g++ -O2 (no Bazel) and run them.
#
#   bench/run.sh                    both: channel (throughput), then latency
#   bench/run.sh --quick            both, small sizes (seconds)
#   bench/run.sh channel [flags]    the channel benchmark only
#   bench/run.sh latency [flags]    the latency benchmark only
#   bench/run.sh channel --help     every flag of a program
#
# Without a program name every flag goes to both programs (flags both
# accept: --quick, --reps, --warmup, --pin[=on|off|both]). Writes
# bench/results/channel.{csv,png,gp,txt} and latency.{csv,png,gp,txt};
# --quick runs write to bench/results/quick/ instead, and BENCH_OUT=DIR
# overrides both. The tables also go to stdout, progress to stderr. Each
# program's output starts with the command that reproduces it. Run from
# anywhere.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
progs="channel latency"
named=""
case "${1:-}" in
channel | latency)
	progs=$1
	named=$1
	shift
	;;
esac
# A --quick run must not replace the reference results of a full run.
out=${BENCH_OUT:-$here/results}
case " $* " in *" --quick "*) out=${BENCH_OUT:-$here/results/quick} ;; esac
build=${TMPDIR:-/tmp}/spillway-bench.$$
trap 'rm -rf "$build"' EXIT INT TERM
mkdir -p "$out" "$build"

CC=${CC:-gcc}
CXX=${CXX:-g++}
warn=(-Wall -Wextra -Wpedantic)
cflags=(-std=c11 -O2 "${warn[@]}" -I"$root/runtime" -I"$root/generated" -I"$here")

"$CXX" -std=c++17 -O2 "${warn[@]}" -c "$here/moodycamel_shim.cpp" \
	-o "$build/moodycamel_shim.o"
objs=("$build/moodycamel_shim.o")
for src in "$here"/common.c "$here"/impl_*.c "$root/generated/spillway_u64.c" \
	"$root/runtime/spillway_runtime.c"; do
	obj="$build/$(basename "$src" .c).o"
	"$CC" "${cflags[@]}" -c "$src" -o "$obj"
	objs+=("$obj")
done
for prog in channel latency; do
	"$CC" "${cflags[@]}" "$here/$prog.c" "${objs[@]}" -pthread -lstdc++ -lm \
		-o "$build/$prog"
done

# --help: only the programs' usage, no results touched.
for arg in "$@"; do
	case $arg in
	--help | -h)
		for prog in $progs; do
			"$build/$prog" --help
		done
		exit 0
		;;
	esac
done

# The one line that reproduces a run, printed by each program's header.
rel=$(realpath --relative-to="$PWD" "$here/run.sh" 2>/dev/null || echo "$here/run.sh")
for prog in $progs; do
	cmd="$rel${named:+ $named}${*:+ $*}"
	echo "== $prog: $cmd" >&2
	# The tables replace results/$prog.txt only when the run succeeds.
	BENCH_COMMAND=$cmd "$build/$prog" --csv "$out/$prog.csv" \
		--plot "$out/$prog.png" "$@" | tee "$build/$prog.txt"
	mv "$build/$prog.txt" "$out/$prog.txt"
done
