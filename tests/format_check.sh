#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Generated code satisfies the repository's .clang-format: the checked-in
# channels in generated/, and fresh channels with short and long names,
# scalar, pointer and struct types, passed by value and by pointer
# (templates align continuation lines to the generated names, so every
# name length is checked).
#
# Prints one line per file and ends with "N passed, M failed" (the
# counter of tests/lib.sh). Needs clang-format (Debian: clang-format,
# version 14 here).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
mkdir -p "$tmp/logs"
T_LOG_DIR=$tmp/logs
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

fmt=$(command -v clang-format || command -v clang-format-14) || {
	t_fail "clang-format" "not found"
	t_done
	exit 1
}

# gen NAME TYPE [spwgen options...]
gen() {
	local name=$1 type=$2
	shift 2
	python3 generator/spwgen.py --type "$type" --name "$name" \
		--out-dir "$tmp" "$@" || t_fail "spwgen --name $name"
}
gen x uint8_t --include '<stdint.h>'
gen ab 'unsigned long long'
gen evt 'struct event' --include event.h
gen evt_by_value 'struct event' --include event.h --pass value
gen cstr 'const char *'
gen a_channel_name_long_enough_to_push_every_prototype_past_80c 'struct order' \
	--include order.h --include '<stdint.h>'
gen Z9 'union msg' --pass pointer

for f in generated/*.h generated/*.c "$tmp"/*.h "$tmp"/*.c; do
	if "$fmt" --style=file:"$root/.clang-format" --dry-run --Werror "$f" \
		>"$tmp/out.txt" 2>&1; then
		t_ok "${f#"$tmp"/}"
	else
		t_fail "${f#"$tmp"/}"
		head -20 "$tmp/out.txt"
	fi
done
t_done
