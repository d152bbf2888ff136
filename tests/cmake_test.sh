#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cmake_test.sh - Spillway from CMake (docs/cmake.md): examples/cmake, a
# program with a channel of `struct tick` generated at build time by
# spillway_add_channel(), built and run
#
# 1. against an install: make install PREFIX=<tmp>, then
#    find_package(Spillway CONFIG) with CMAKE_PREFIX_PATH (Ninja): the
#    program loads libspillway.so.ABI; a rebuild with nothing changed does
#    nothing, touching tick.h or an installed template runs spwgen again;
#    a find_package for a version this is not is refused;
# 2. from the source tree with add_subdirectory (Unix Makefiles; static
#    runtime), touching tick.h runs spwgen again;
# 3. from the source tree with BUILD_SHARED_LIBS=ON: the library has the
#    Makefile's names (libspillway.so.ABI.MINOR.PATCH, soname .so.ABI) and
#    exports the same symbols;
# 4. PREFIX (spwgen --prefix), if the installed spwgen has --prefix;
# 5. FetchContent of the make dist tarball (git HEAD) by URL.
#
# The example is copied to a temporary folder (its tick.h is touched
# there, never in the repository). Prints one line per check and ends with
# "N passed, M failed" (the counter of tests/lib.sh); exits non-zero on any
# failure. Needs cmake (3.13+), ninja, make, a C compiler, python3 with
# jinja2, binutils (readelf, nm).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs"
T_LOG_DIR=$tmp/logs
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

abi=$(sed -n 's/^#define SPW_RUNTIME_ABI \([0-9]*\)$/\1/p' "$root/runtime/spillway_runtime.h")
version=$(sed -n 's/^#define SPW_VERSION "\(.*\)"$/\1/p' "$root/runtime/spillway_runtime.h")
real=libspillway.so.$abi.${version#*.}
prefix=$tmp/prefix
proj=$tmp/project
cp -r "$root/examples/cmake" "$proj"
warnings="-Wall -Wextra -Wpedantic -Werror"
ok_line="ticks: OK: 20000 ticks from 2 senders, each in order"

for tool in cmake ninja; do
	command -v "$tool" >/dev/null 2>&1 || {
		t_fail "$tool is installed (tests/deps.sh installs cmake, ninja-build)"
		t_done
		exit 1
	}
done

t_run "make install PREFIX=<tmp>/prefix" \
	make -C "$root" --no-print-directory BUILDDIR="$tmp/build" install PREFIX="$prefix"

# build DIR [cmake options...]: cmake --build DIR, output in $tmp/out.txt.
build() {
	cmake --build "$1" >"$tmp/out.txt" 2>&1
	local status=$?
	cat "$tmp/out.txt"
	return $status
}
# regenerates DIR: a build that runs spwgen (its COMMENT line) and links.
regenerates() {
	build "$1" && grep -q 'spwgen: channel tick of struct tick' "$tmp/out.txt"
}
# no_work DIR: a build that has nothing to do (Ninja).
no_work() {
	build "$1" && grep -q 'no work to do' "$tmp/out.txt"
}

# --- 1. against the install -------------------------------------------------

b1=$tmp/b-install
t_run "cmake configure: find_package(Spillway 0.2 CONFIG) with CMAKE_PREFIX_PATH (Ninja)" \
	cmake -S "$proj" -B "$b1" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_FLAGS="$warnings"
t_run "cmake --build: spwgen runs, ticks builds at -Werror" regenerates "$b1"
t_expect "ticks runs: $ok_line" "$ok_line" timeout 30 "$b1/ticks"
t_expect "ticks loads libspillway.so.$abi" "Shared library: [libspillway.so.$abi]" \
	readelf -d "$b1/ticks"
t_expect "ticks links $prefix/lib/$real" "$prefix/lib/$real" \
	grep -rF "$prefix/lib/$real" "$b1/build.ninja"
t_run "a second build has nothing to do" no_work "$b1"
touch "$proj/tick.h"
t_run "touching tick.h: the build runs spwgen again" regenerates "$b1"
t_run "then nothing to do again" no_work "$b1"
touch "$prefix/share/spillway/templates/spillway.c.j2"
t_run "touching an installed template: the build runs spwgen again" regenerates "$b1"
t_expect "ticks still runs" "$ok_line" timeout 30 "$b1/ticks"

# A version this install is not.
mkdir -p "$tmp/wrong"
cat >"$tmp/wrong/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(wrong LANGUAGES C)
find_package(Spillway 99.0 CONFIG REQUIRED)
CM
t_expect "find_package(Spillway 99.0) is refused (version $version)" "$version" \
	sh -c '! cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$3" 2>&1' sh \
	"$tmp/wrong" "$tmp/b-wrong" "$prefix"

# --- 2. from the source tree: add_subdirectory -------------------------------

b2=$tmp/b-source
t_run "cmake configure: add_subdirectory(<repository>) (Unix Makefiles)" \
	cmake -S "$proj" -B "$b2" -G "Unix Makefiles" -DSPILLWAY_SOURCE_DIR="$root" \
	-DCMAKE_C_FLAGS="$warnings"
t_run "cmake --build: the runtime, spwgen from the tree, ticks" regenerates "$b2"
t_expect "ticks (source tree) runs: $ok_line" "$ok_line" timeout 30 "$b2/ticks"
static_runtime() {
	! readelf -d "$b2/ticks" | grep -F libspillway && test -f "$b2/spillway/libspillway.a"
}
t_run "the runtime is static (libspillway.a), not loaded at run time" static_runtime
touch "$proj/tick.h"
t_run "touching tick.h: the build runs spwgen again (source tree)" regenerates "$b2"

# --- 3. from the source tree, shared -------------------------------------

b3=$tmp/b-shared
t_run "cmake configure: add_subdirectory, BUILD_SHARED_LIBS=ON (Ninja)" \
	cmake -S "$proj" -B "$b3" -G Ninja -DSPILLWAY_SOURCE_DIR="$root" \
	-DBUILD_SHARED_LIBS=ON -DCMAKE_C_FLAGS="$warnings"
t_run "cmake --build (shared runtime)" build "$b3"
t_expect "ticks (shared runtime) runs: $ok_line" "$ok_line" timeout 30 "$b3/ticks"
shared_names() {
	test -f "$b3/spillway/$real" &&
		readelf -d "$b3/spillway/$real" | grep -F "Library soname: [libspillway.so.$abi]"
}
t_run "the CMake-built library is $real with soname libspillway.so.$abi" shared_names
same_exports() {
	diff <(nm -D --defined-only "$b3/spillway/$real" | awk '{ print $3 }' | sort) \
		<(nm -D --defined-only "$tmp/build/libspillway.so" | awk '{ print $3 }' | sort)
}
t_run "it exports the same symbols as the Makefile's (runtime/spillway.map)" same_exports

# --- 4. PREFIX --------------------------------------------------------------

if "$prefix/bin/spwgen" --help 2>/dev/null | grep -q -- '--prefix'; then
	mkdir -p "$tmp/pfx"
	cp "$proj/tick.h" "$tmp/pfx/"
	cat >"$tmp/pfx/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(pfx LANGUAGES C)
find_package(Spillway CONFIG REQUIRED)
add_executable(pfx main.c)
spillway_add_channel(pfx TYPE "struct tick" NAME tick INCLUDES tick.h PREFIX mkt PASS value)
CM
	cat >"$tmp/pfx/main.c" <<'C'
#include <stdio.h>
#include "spillway_tick.h"
int main(void)
{
	mkt_tick_sender *tx;
	mkt_tick_receiver *rx;
	struct tick t = { 1, 2, 3.5 }, r;

	if (mkt_tick_channel(&tx, &rx) != SPW_OK || mkt_tick_send(tx, t) != SPW_OK ||
	    mkt_tick_recv(rx, &r) != SPW_OK || r.seq != 2)
		return 1;
	(void)mkt_tick_sender_close(tx);
	(void)mkt_tick_receiver_close(rx);
	printf("pfx: OK\n");
	return 0;
}
C
	t_run "PREFIX mkt PASS value: configure and build" \
		sh -c 'cmake -S "$1" -B "$2" -G Ninja -DCMAKE_PREFIX_PATH="$3" -DCMAKE_C_FLAGS="$4" &&
			cmake --build "$2"' sh "$tmp/pfx" "$tmp/b-pfx" "$prefix" "$warnings"
	t_expect "PREFIX mkt: mkt_tick_* functions work" "pfx: OK" timeout 30 "$tmp/b-pfx/pfx"
else
	echo "note: the installed spwgen has no --prefix: PREFIX not tested"
fi

# --- 5. FetchContent of the release tarball -------------------------------

mkdir -p "$tmp/fetch" "$tmp/dist"
cp "$proj/tick.h" "$proj/ticks.c" "$tmp/fetch/"
fetch_project() {
	make -C "$root" --no-print-directory BUILDDIR="$tmp/build" DISTDIR="$tmp/dist" dist &&
		tarball=$(ls "$tmp"/dist/spillway-*.tar.gz) &&
		cat >"$tmp/fetch/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.14)
project(fetch LANGUAGES C)
include(FetchContent)
FetchContent_Declare(spillway URL "$tarball" DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
FetchContent_MakeAvailable(spillway)
add_executable(ticks ticks.c)
spillway_add_channel(ticks TYPE "struct tick" NAME tick INCLUDES tick.h)
CM
}
t_run "make dist, and a project that fetches the tarball (FetchContent URL)" fetch_project
t_run "FetchContent: configure and build" \
	sh -c 'cmake -S "$1" -B "$2" -G Ninja -DCMAKE_C_FLAGS="$3" && cmake --build "$2"' sh \
	"$tmp/fetch" "$tmp/b-fetch" "$warnings"
t_expect "FetchContent: ticks runs: $ok_line" "$ok_line" timeout 30 "$tmp/b-fetch/ticks"

t_done
