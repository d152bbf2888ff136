#!/bin/bash
# Build the channel benchmark with gcc/g++ -O2 (no Bazel) and run it.
#
#   bench/run.sh            the full run: P = 1,2,4,16, every row, >= 0.4 s
#                           per repetition, 5 repetitions (a few minutes)
#   bench/run.sh --quick    small sizes (seconds)
#   bench/run.sh --help     every flag; any flag is passed through
#
# Writes bench/results/channel.csv, channel.png (+ channel.gp, the gnuplot
# script) and channel.txt (the tables); --quick runs write to
# bench/results/quick/ instead, and BENCH_OUT=DIR overrides both. The tables
# also go to stdout, progress to stderr. Run from anywhere.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# A --quick run must not replace the reference results of a full run.
out=${BENCH_OUT:-$here/results}
case " $* " in *" --quick "*) out=${BENCH_OUT:-$here/results/quick} ;; esac
build=${TMPDIR:-/tmp}/spillway-bench.$$
trap 'rm -rf "$build"' EXIT INT TERM
mkdir -p "$out" "$build"

CC=${CC:-gcc}
CXX=${CXX:-g++}
warn="-Wall -Wextra -Wpedantic"

"$CXX" -std=c++17 -O2 $warn -c "$here/moodycamel_shim.cpp" \
	-o "$build/moodycamel_shim.o"
"$CC" -std=c11 -O2 $warn -I"$root/runtime" -I"$root/generated" -I"$here" \
	"$here/channel.c" "$root/generated/spillway_u64.c" \
	"$root/runtime/spillway_runtime.c" "$build/moodycamel_shim.o" \
	-pthread -lstdc++ -o "$build/channel"

# The tables replace results/channel.txt only when the run succeeds.
"$build/channel" --csv "$out/channel.csv" --plot "$out/channel.png" "$@" |
	tee "$build/channel.txt"
mv "$build/channel.txt" "$out/channel.txt"
