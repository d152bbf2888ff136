#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-build Spillway for aarch64 and run it under qemu-user.
#
#   tests/cross_test.sh [SOAK_SECONDS]      default 20
#
# Builds, with aarch64-linux-gnu-gcc -std=c11 -Wall -Wextra -Wpedantic
# -Werror -O2 -static -pthread: the runtime, the checked-in channels
# (generated/spillway_u64.c, spillway_ptr.c), examples/readme.c,
# examples/epoll.c, examples/orders.c (with a channel spwgen makes, when
# python3-jinja2 is there), the fuzz target's replay program
# (tests/fuzz/fuzz_channel.c -DFUZZ_REPLAY_MAIN: the exact-order model
# over every seed) and the soak test (tests/soak.c), and runs each under
# qemu-aarch64-static -L /usr/aarch64-linux-gnu; then the Check suites
# tests/test_channel.c, tests/stress.c, tests/test_contract.c and
# tests/test_memory_fd.c, linked with Debian's arm64 build of Check, which
# tests/arm64_check.sh fetches and unpacks into a cache folder (Debian has
# no cross package of it).
# A probe reports which barrier path the runtime took under qemu
# (membarrier or the full-fence fallback); the replays and the soak run
# both ways (SPW_NO_MEMBARRIER=1 forces the fallback).
#
# Needs (Debian): gcc-aarch64-linux-gnu libc6-dev-arm64-cross
# qemu-user-static. Installs nothing; builds in a temporary folder.
# Last line: "N passed, M failed".
set -uo pipefail

soak_secs=${1:-20}
case "$soak_secs" in
'' | *[!0-9]*)
	echo "usage: $0 [SOAK_SECONDS]" >&2
	exit 2
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"

xcc=${CROSS_CC:-aarch64-linux-gnu-gcc}
qemu=${QEMU:-qemu-aarch64-static}
sysroot=${CROSS_SYSROOT:-/usr/aarch64-linux-gnu}

missing=
command -v "$xcc" >/dev/null 2>&1 || missing="$missing $xcc"
command -v "$qemu" >/dev/null 2>&1 || missing="$missing $qemu"
if [ -n "$missing" ]; then
	echo "cross_test.sh: missing:$missing (Debian: apt-get install -y" \
		"gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)" >&2
	t_fail "aarch64 tools" "missing:$missing"
	t_done
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spw-cross.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
T_LOG_DIR=$tmp/logs
mkdir -p "$T_LOG_DIR"

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -static -pthread
	-I"$root/runtime" -I"$root/generated")
rt="$root/runtime/spillway_runtime.c"
u64="$root/generated/spillway_u64.c"

xbuild() { # OUT SOURCES/FLAGS...
	local out=$1
	shift
	"$xcc" "${cflags[@]}" "$@" -o "$tmp/$out"
}
xrun() { # BINARY ARGS...  (under qemu, sizes scaled down)
	local bin=$1
	shift
	SPW_TEST_SCALE_DIV=${SPW_TEST_SCALE_DIV:-10} "$qemu" -L "$sysroot" \
		"$tmp/$bin" "$@"
}
# the same with the full-fence fallback forced
xrun_fallback() {
	SPW_NO_MEMBARRIER=1 xrun "$@"
}

echo "== $($xcc --version | head -n 1); $($qemu --version | head -n 1)"

echo "== the runtime and the checked-in channels"
t_run "aarch64 build: runtime" "$xcc" "${cflags[@]}" -c "$rt" -o "$tmp/rt.o"
t_run "aarch64 build: generated/spillway_u64.c" "$xcc" "${cflags[@]}" -c \
	"$u64" -o "$tmp/u64.o"
t_run "aarch64 build: generated/spillway_ptr.c" "$xcc" "${cflags[@]}" -c \
	"$root/generated/spillway_ptr.c" -o "$tmp/ptr.o"
if command -v file >/dev/null 2>&1; then
	t_expect "aarch64 build: the objects are aarch64 ELF" "ARM aarch64" \
		file "$tmp/rt.o"
fi

echo "== which barrier path runs under qemu"
cat >"$tmp/probe.c" <<'EOF'
/* which barrier path the runtime chose (spillway_core.h: not a stable API) */
#include <stdio.h>

#include "spillway_core.h"
#include "spillway_u64.h"

int main(void)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	spw_u64_value v = 0;

	if (spw_u64_channel(&tx, &rx) != SPW_OK ||
	    spw_u64_send(tx, 42) != SPW_OK || spw_u64_recv(rx, &v) != SPW_OK ||
	    v != 42)
		return 1;
	printf("barriers: %s\n",
	       spw_fast_barriers ? "membarrier (compiler barrier on the hot side)"
				 : "fallback (full fences, lanes never biased)");
	(void)spw_u64_sender_close(tx);
	(void)spw_u64_receiver_close(rx);
	return 0;
}
EOF
if t_run "aarch64 build: barrier probe" xbuild probe "$tmp/probe.c" "$u64" "$rt"; then
	if xrun probe >"$tmp/probe.out" 2>&1; then
		t_ok "aarch64 run: barrier probe: $(sed -n 's/^barriers: //p' "$tmp/probe.out")"
	else
		cat "$tmp/probe.out"
		t_fail "aarch64 run: barrier probe"
	fi
	t_expect "aarch64 run: barrier probe, SPW_NO_MEMBARRIER=1" "fallback" \
		xrun_fallback probe
fi

echo "== examples"
if t_run "aarch64 build: examples/readme.c" xbuild readme \
	"$root/examples/readme.c" "$u64" "$rt"; then
	t_expect "aarch64 run: readme example" "received: 1 3 2 4 6 5" xrun readme
fi
if t_run "aarch64 build: examples/epoll.c" xbuild epoll \
	"$root/examples/epoll.c" "$u64" "$rt"; then
	t_expect "aarch64 run: epoll example" "in order" xrun epoll
fi
if python3 -c 'import jinja2' >/dev/null 2>&1; then
	if t_run "spwgen: struct order channel" python3 "$root/generator/spwgen.py" \
		--type 'struct order' --name order --include order.h --out-dir "$tmp"; then
		if t_run "aarch64 build: examples/orders.c" xbuild orders \
			-I"$root/examples" -I"$tmp" "$root/examples/orders.c" \
			"$tmp/spillway_order.c" "$rt"; then
			t_expect "aarch64 run: orders example" "every desk in order" \
				xrun orders
		fi
	fi
else
	echo "cross_test.sh: python3-jinja2 missing: examples/orders.c skipped"
fi

echo "== the fuzz target's replay program over the seed corpus"
if t_run "aarch64 build: fuzz replay" xbuild replay -DFUZZ_REPLAY_MAIN \
	"$here/fuzz/fuzz_channel.c" "$u64" "$rt"; then
	t_run "aarch64 run: fuzz replay of tests/fuzz/corpus" xrun replay "$here/fuzz/corpus"
	t_run "aarch64 run: fuzz replay, SPW_NO_MEMBARRIER=1" xrun_fallback replay \
		"$here/fuzz/corpus"
fi

echo "== the soak test, ${soak_secs} s each way"
# qemu's own memory (translated code) is part of the resident set: the
# bound is the soak's default, checked after a warm-up of a third
if [ "$soak_secs" -gt 0 ] &&
	t_run "aarch64 build: tests/soak.c" xbuild soak "$here/soak.c" "$u64" "$rt"; then
	t_expect "aarch64 run: soak ${soak_secs}s" "soak: ok" xrun soak \
		--seconds "$soak_secs" --quiet
	sed -n 's/^soak: \(values\|RSS\|[0-9]* epochs\|[0-9]* s, seed\)/    \1/p' \
		"$(t_log_path "aarch64 run: soak ${soak_secs}s")"
	t_expect "aarch64 run: soak ${soak_secs}s, SPW_NO_MEMBARRIER=1" "soak: ok" \
		xrun_fallback soak --seconds "$soak_secs" --quiet
	sed -n 's/^soak: \(values\|RSS\|[0-9]* epochs\|[0-9]* s, seed\)/    \1/p' \
		"$(t_log_path "aarch64 run: soak ${soak_secs}s, SPW_NO_MEMBARRIER=1")"
fi

echo "== the Check suites"
# Debian's arm64 build of Check, unpacked into a cache folder of our own
# (tests/arm64_check.sh; nothing goes into the system's library folders).
ck_dir=${SPW_ARM64_CHECK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spillway/arm64-check}
if ck_dir=$(sh "$here/arm64_check.sh" "$ck_dir"); then
	t_ok "arm64 Check (Debian's check:arm64, unpacked in $ck_dir)"
	for t in test_channel stress test_contract test_memory_fd; do
		if t_run "aarch64 build: tests/$t.c" xbuild "$t" \
			-I"$ck_dir/usr/include" "$here/$t.c" "$here/support.c" "$u64" \
			"$root/generated/spillway_ptr.c" "$rt" \
			-L"$ck_dir/usr/lib/aarch64-linux-gnu" -lcheck -lsubunit -lm -lrt; then
			CK_FORK=no t_expect "aarch64 run: tests/$t.c" "100%: Checks:" xrun "$t"
		fi
	done
else
	t_fail "arm64 Check" "tests/arm64_check.sh could not fetch check:arm64"
fi

t_done
