#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build and run the soak test (tests/soak.c) against the checked-in u64
# channel and the runtime.
#
#   tests/soak.sh [SECONDS [TSAN_SECONDS]]    defaults: 60 and 20
#
# Runs the plain build (cc -O2) for SECONDS, then a ThreadSanitizer build
# for TSAN_SECONDS (0 skips it; skipped too when the compiler cannot build
# with -fsanitize=thread). Extra options for the soak binary go in
# SPW_SOAK_ARGS (e.g. "--seed 42 --workers 8"). CC picks the compiler
# (default cc). Builds in a temporary folder; installs nothing.
# Last line: "N passed, M failed" (build and run of each build count 1 each).
set -uo pipefail

secs=${1:-60}
tsan_secs=${2:-20}
for n in "$secs" "$tsan_secs"; do
	case "$n" in
	'' | *[!0-9]*)
		echo "usage: $0 [SECONDS [TSAN_SECONDS]]" >&2
		exit 2
		;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
cc=${CC:-cc}
# shellcheck disable=SC2206
extra=(${SPW_SOAK_ARGS:-})

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spw-soak.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
T_LOG_DIR=$tmp

srcs=("$here/soak.c" "$root/generated/spillway_u64.c"
	"$root/runtime/spillway_runtime.c")
inc=(-I"$root/runtime" -I"$root/generated")

# run_soak NAME BINARY SECONDS [ARGS...]: passes when it exits 0 and says ok
run_soak() {
	local name=$1 bin=$2 s=$3 log
	shift 3
	log=$(t_log_path "$name")
	echo "== $name: $s s"
	"$bin" --seconds "$s" "$@" "${extra[@]}" 2>&1 | tee "$log"
	if [ "${PIPESTATUS[0]}" -eq 0 ] && grep -qx 'soak: ok' "$log"; then
		t_ok "$name"
	else
		t_fail "$name" "see the output above"
	fi
}

if t_run "soak build (cc -O2)" "$cc" -std=c11 -Wall -Wextra -Wpedantic \
	-Werror -O2 -pthread "${inc[@]}" "${srcs[@]}" -o "$tmp/soak"; then
	run_soak "soak ${secs}s" "$tmp/soak" "$secs"
fi

if [ "$tsan_secs" -gt 0 ]; then
	if echo 'int main(void){return 0;}' |
		"$cc" -x c -fsanitize=thread - -o "$tmp/probe" >/dev/null 2>&1; then
		if t_run "soak build (-fsanitize=thread)" "$cc" -std=c11 -g -O1 \
			-fsanitize=thread -pthread "${inc[@]}" "${srcs[@]}" \
			-o "$tmp/soak-tsan"; then
			# TSan's shadow memory grows with the run: RSS is
			# reported, not checked
			TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" \
				run_soak "soak TSan ${tsan_secs}s" \
				"$tmp/soak-tsan" "$tsan_secs" --no-rss-check
		fi
	else
		echo "soak.sh: $cc cannot build with -fsanitize=thread: TSan run skipped"
	fi
fi

t_done
