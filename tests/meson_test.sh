#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson_test.sh - Spillway from Meson (docs/meson.md): examples/meson, a
# program with a channel of `struct job` that a custom_target generates at
# build time with spwgen, found with dependency('spillway') (pkg-config),
# built with meson + ninja against a temporary install (make install
# PREFIX=<tmp>, PKG_CONFIG_PATH; spwgen is found through spillway.pc, not
# PATH) and run. Touching job.h, or installing again, runs spwgen again;
# a build with nothing changed does nothing.
#
# The example is copied to a temporary folder first. Prints one line per
# check and ends with "N passed, M failed" (the counter of tests/lib.sh);
# exits non-zero on any failure. Needs meson, ninja, make, pkg-config, a C
# compiler, python3 with jinja2, binutils (readelf).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs"
T_LOG_DIR=$tmp/logs
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

abi=$(sed -n 's/^#define SPW_RUNTIME_ABI \([0-9]*\)$/\1/p' "$root/runtime/spillway_runtime.h")
prefix=$tmp/prefix
proj=$tmp/project
build=$tmp/build-meson
cp -r "$root/examples/meson" "$proj"
ok_line="jobs: OK: 128 jobs from 2 senders, each in order"

for tool in meson ninja pkg-config; do
	command -v "$tool" >/dev/null 2>&1 || {
		t_fail "$tool is installed (tests/deps.sh installs meson, ninja-build, pkg-config)"
		t_done
		exit 1
	}
done

# mk ARGS...: the repository's Makefile, building into the temporary folder.
mk() {
	make -C "$root" --no-print-directory BUILDDIR="$tmp/build" "$@"
}
t_run "make install PREFIX=<tmp>/prefix" mk install PREFIX="$prefix"

# Only the install: pkg-config sees no other folder, spwgen is not on PATH.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
t_expect "pkg-config --variable=spwgen spillway is the installed spwgen" \
	"$prefix/bin/spwgen" pkg-config --variable=spwgen spillway

# compile: meson compile, output in $tmp/out.txt.
compile() {
	meson compile -C "$build" >"$tmp/out.txt" 2>&1
	local status=$?
	cat "$tmp/out.txt"
	return $status
}
regenerates() {
	compile && grep -q 'Generating spillway_job' "$tmp/out.txt"
}
no_work() {
	compile && grep -q 'no work to do' "$tmp/out.txt"
}

t_expect "meson setup: dependency('spillway') found by pkg-config" \
	"Run-time dependency spillway found: YES" meson setup "$build" "$proj"
t_run "meson compile: spwgen runs (custom_target), jobs builds (werror)" regenerates
t_expect "jobs runs: $ok_line" "$ok_line" timeout 30 "$build/jobs"
t_expect "jobs loads libspillway.so.$abi" "Shared library: [libspillway.so.$abi]" \
	readelf -d "$build/jobs"
t_run "a second compile has nothing to do" no_work
touch "$proj/job.h"
t_run "touching job.h: spwgen runs again" regenerates
t_run "make install again: spwgen runs again" \
	sh -c 'make -C "$1" --no-print-directory BUILDDIR="$2/build" install PREFIX="$3" >/dev/null &&
		meson compile -C "$4" | tee "$2/out.txt" | grep "Generating spillway_job"' \
	sh "$root" "$tmp" "$prefix" "$build"
t_expect "jobs still runs" "$ok_line" timeout 30 "$build/jobs"

t_done
