#!/bin/bash
# SPDX-License-Identifier: MIT
# Instructions per send, counted by callgrind (not timed, so repeatable on
# a noisy machine): one lane, 1,000,000 sends, then as many receives, then
# 1,000,000 values in send_many batches of 32 (each received with
# recv_many before the next). Then the polling receiver's two calls, each
# in its own run: a try_recv of the one value just sent (1,000,000 times
# send + try_recv, as in a ping-pong) and an empty try_recv (1,000,000 on
# an empty channel, as a polling loop between messages). The
# runtime is always -O2 (as installed); the generated channel and the
# program are built at the level of each row, as a user's build would.
#
#   bench/callgrind.sh        prints the table, writes bench/results/callgrind.txt
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found" >&2; exit 1; }

cat >"$tmp/sendloop.c" <<'C'
#include "spillway_u64.h"
#include <string.h>

int main(int argc, char **argv)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	spw_config cfg = SPW_CONFIG_DEFAULT;
	uint64_t i, v;

	cfg.lanes = 1;
	if (spw_u64_channel_with(&cfg, &tx, &rx) != SPW_OK)
		return 1;
	if (argc > 1) {
		/* "one": send + try_recv; "empty": try_recv of nothing. */
		int one = strcmp(argv[1], "one") == 0;

		for (i = 0; i < 1000000; i++) {
			if (one && spw_u64_send(tx, i) != SPW_OK)
				return 1;
			if (spw_u64_try_recv(rx, &v) != (one ? SPW_OK : SPW_EMPTY))
				return 1;
		}
		spw_u64_sender_close(tx);
		spw_u64_receiver_close(rx);
		return 0;
	}
	for (i = 0; i < 1000000; i++)
		if (spw_u64_send(tx, i) != SPW_OK)
			return 1;
	for (i = 0; i < 1000000; i++)
		if (spw_u64_recv(rx, &v) != SPW_OK)
			return 1;
	for (i = 0; i < 1000000; i += 32) {
		uint64_t batch[32], k;
		size_t n;

		for (k = 0; k < 32; k++)
			batch[k] = i + k;
		if (spw_u64_send_many(tx, batch, 32) != SPW_OK ||
		    spw_u64_recv_many(rx, batch, 32, &n) != SPW_OK || n != 32)
			return 1;
	}
	spw_u64_sender_close(tx);
	spw_u64_receiver_close(rx);
	return 0;
}
C
inc=(-I"$root/runtime" -I"$root/generated")
gcc -std=c11 -O2 "${inc[@]}" -c "$root/runtime/spillway_runtime.c" -o "$tmp/rt.o"

# row CC FLAGS...: instructions per spw_u64_send and per spw_u64_recv,
# inclusive (callees too), each counted alone with --toggle-collect: the
# whole function, wherever its inlined lines come from (the generated
# file or spillway_core.h). count FUNCTION [MODE]: per call, in millions
# of instructions over 1,000,000 calls (or values).
count() {
	valgrind --tool=callgrind --toggle-collect="$1" --callgrind-out-file="$tmp/cg.out" "$tmp/sl" ${2:-} \
		>/dev/null 2>&1
	callgrind_annotate "$tmp/cg.out" 2>/dev/null |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.1f", $1 / 1000000; exit }'
}
row() {
	local cc=$1 name=$2
	shift 2
	"$cc" -std=c11 "$@" -g "${inc[@]}" -c "$root/generated/spillway_u64.c" -o "$tmp/u64.o"
	"$cc" -std=c11 "$@" "${inc[@]}" "$tmp/sendloop.c" "$tmp/u64.o" "$tmp/rt.o" \
		-pthread -o "$tmp/sl"
	echo "| $name | $(count spw_u64_send) | $(count spw_u64_recv) | $(count spw_u64_send_many) | $(count spw_u64_try_recv one) | $(count spw_u64_try_recv empty) |"
}

{
	echo "command: bench/callgrind.sh ($(gcc -dumpfullversion), $(clang --version | head -1))"
	echo
	echo "| build of the generated channel and the program | instructions per send | per recv | per value of send_many(32) | per try_recv of a value just sent | per empty try_recv |"
	echo "|-|-|-|-|-|-|"
	row gcc "gcc -O2" -O2
	row gcc "gcc -O0" -O0
	row gcc "gcc -O0 -DSPW_NO_OPTIMIZE (no pragma: forced inlining only)" -O0 -DSPW_NO_OPTIMIZE
	row clang "clang -O2" -O2
	row clang "clang -O0 (calls the runtime's send)" -O0
	row clang "clang -O0 -DSPW_NO_OPTIMIZE (forced inlining only)" -O0 -DSPW_NO_OPTIMIZE
} | tee "${CALLGRIND_OUT:-$here/results/callgrind.txt}"
