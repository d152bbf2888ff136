#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/cxx_wrapper_test.sh - the C++17 wrapper of spwgen --cxx.
#
# Generates three channels with --cxx (u64 by value, struct tmsg by
# pointer, int with --prefix foo), compiles the C parts with cc (gcc for
# g++, clang for clang++) and tests/cxx_wrapper_test.cc with each C++
# compiler at -std=c++17 -Wall -Wextra -Wpedantic -Werror, and runs it:
# plain with -fno-exceptions, under -fsanitize=address,undefined and under
# -fsanitize=thread (several sender threads, per-sender order, exact
# counts). Then the refusals: a type that is not trivially copyable (a
# struct with a std::string), an array typedef, and C++14.
#
#   tests/cxx_wrapper_test.sh           everything
#   tests/cxx_wrapper_test.sh --quick   no sanitizer builds
#
# Ends with "N passed, M failed" (tests/lib.sh). A missing compiler is a
# failure, unless SPW_CXX_ALLOW_MISSING=1.
set -u
quick=0
for arg in "$@"; do
	case "$arg" in
	--quick) quick=1 ;;
	*)
		echo "cxx_wrapper_test.sh: unknown argument: $arg" >&2
		exit 2
		;;
	esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

CXXFLAGS="-std=c++17 -Wall -Wextra -Wpedantic -Werror"
CFLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror"
gen="$tmp/gen"
mkdir -p "$gen"

cat >"$gen/tmsg.h" <<'EOF'
#ifndef TMSG_H
#define TMSG_H
#include <stdint.h>
struct tmsg {
	uint32_t producer;
	uint32_t pad;
	uint64_t seq;
};
#endif
EOF
cat >"$gen/bad.h" <<'EOF'
#include <string>
struct bad {
	std::string text;
};
EOF
cat >"$gen/bad.cc" <<'EOF'
#include "spillway_bad.hpp"
int main() { return 0; }
EOF
cat >"$gen/name16.h" <<'EOF'
typedef char name16[16];
EOF
cat >"$gen/arr.cc" <<'EOF'
#include "spillway_arr.hpp"
int main() { return 0; }
EOF
cat >"$gen/old.cc" <<'EOF'
#include "spillway_u64.hpp"
int main() { return 0; }
EOF

t_run "spwgen --cxx u64, tmsg, ev (--prefix foo), bad, arr" sh -c '
	set -e
	python3 generator/spwgen.py --cxx --out-dir "$1" --type uint64_t --name u64 --include "<stdint.h>"
	python3 generator/spwgen.py --cxx --out-dir "$1" --type "struct tmsg" --name tmsg --include tmsg.h
	python3 generator/spwgen.py --cxx --out-dir "$1" --type int --name ev --prefix foo
	python3 generator/spwgen.py --cxx --out-dir "$1" --type "struct bad" --name bad --include bad.h
	python3 generator/spwgen.py --cxx --out-dir "$1" --type name16 --name arr --include name16.h
	test -f "$1/spillway_u64.hpp" && test -f "$1/spillway_ev.hpp"' sh "$gen" || {
	t_done
	exit 1
}

# build CXX CC NAME "FLAGS": the C objects with CC, the test with CXX, linked.
build() {
	local cxx=$1 cc=$2 name=$3 flags=$4 dir="$tmp/$3" f
	mkdir -p "$dir"
	for f in "$gen"/spillway_u64.c "$gen"/spillway_tmsg.c "$gen"/spillway_ev.c \
		runtime/spillway_runtime.c; do
		# shellcheck disable=SC2086
		$cc $CFLAGS -O1 -g $flags -Iruntime -I"$gen" -c "$f" \
			-o "$dir/$(basename "$f" .c).o" || return 1
	done
	# shellcheck disable=SC2086
	$cxx $CXXFLAGS -O1 -g $flags -Iruntime -I"$gen" \
		-c tests/cxx_wrapper_test.cc -o "$dir/test.o" || return 1
	# shellcheck disable=SC2086
	$cxx $flags "$dir"/*.o -pthread -o "$dir/cxx_wrapper_test"
}

# expect_error NAME WANT COMMAND...: COMMAND must fail, saying WANT.
expect_error() {
	local name=$1 want=$2 log
	shift 2
	log=$(t_log_path "$name")
	if "$@" >"$log" 2>&1; then
		t_fail "$name" "compiled, but should have failed"
	elif grep -qF -- "$want" "$log"; then
		t_ok "$name"
	else
		tail -20 "$log" | sed 's/^/    /'
		t_fail "$name" "failed without '$want'"
	fi
}

for pair in g++:gcc clang++:clang; do
	cxx=${pair%%:*}
	cc=${pair##*:}
	if ! command -v "$cxx" >/dev/null || ! command -v "$cc" >/dev/null; then
		if [ "${SPW_CXX_ALLOW_MISSING:-0}" = 1 ]; then
			echo "skip $cxx: not installed"
		else
			t_fail "$cxx" "$cxx or $cc not installed"
		fi
		continue
	fi
	t_run "$cxx plain -fno-exceptions: build" \
		build "$cxx" "$cc" "$cxx-plain" "-fno-exceptions" &&
		t_expect "$cxx plain -fno-exceptions: run" "checks passed" \
			"$tmp/$cxx-plain/cxx_wrapper_test" 4 50000
	if [ "$quick" -eq 0 ]; then
		t_run "$cxx ASan+UBSan: build" build "$cxx" "$cc" "$cxx-asan" \
			"-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" &&
			t_expect "$cxx ASan+UBSan: run" "checks passed" \
				env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
				UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
				"$tmp/$cxx-asan/cxx_wrapper_test" 4 20000
		t_run "$cxx TSan: build" build "$cxx" "$cc" "$cxx-tsan" \
			"-fsanitize=thread -fno-omit-frame-pointer" &&
			t_expect "$cxx TSan: run" "checks passed" \
				env TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
				"$tmp/$cxx-tsan/cxx_wrapper_test" 6 5000
	fi
	for std in c++17 c++20; do
		t_run "$cxx -std=$std -fsyntax-only of every .hpp" sh -c '
			for h in "$3"/spillway_u64.hpp "$3"/spillway_tmsg.hpp "$3"/spillway_ev.hpp; do
				$1 -std=$2 -Wall -Wextra -Wpedantic -Werror -Iruntime -I"$3" \
					-fsyntax-only -x c++ "$h" || exit 1
			done' sh "$cxx" "$std" "$gen"
	done
	expect_error "$cxx refuses a struct with std::string" \
		"the element type struct bad must be trivially copyable" \
		"$cxx" $CXXFLAGS -Iruntime -I"$gen" -fsyntax-only "$gen/bad.cc"
	expect_error "$cxx refuses an array typedef" \
		"wrap the array in a struct" \
		"$cxx" $CXXFLAGS -Iruntime -I"$gen" -fsyntax-only "$gen/arr.cc"
	expect_error "$cxx refuses C++14" "needs C++17" \
		"$cxx" -std=c++14 -Iruntime -I"$gen" -fsyntax-only "$gen/old.cc"
done

t_done
