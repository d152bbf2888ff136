#!/usr/bin/env bash
# Generated code satisfies the repository's .clang-format: the checked-in
# channels in generated/, and fresh channels with short and long names,
# scalar, pointer and struct types, passed by value and by pointer
# (templates align continuation lines to the generated names, so every
# name length is checked).
#
# Prints one line per file and ends with "N passed, M failed".
# Needs clang-format (Debian: clang-format, version 14 here).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

fmt=$(command -v clang-format || command -v clang-format-14) || {
	echo "clang-format not found"
	echo "0 passed, 1 failed"
	exit 1
}
passed=0
failed=0

# gen NAME TYPE [spwgen options...]
gen() {
	local name=$1 type=$2
	shift 2
	python3 generator/spwgen.py --type "$type" --name "$name" \
		--out-dir "$tmp" "$@" || {
		echo "FAIL spwgen --name $name"
		failed=$((failed + 1))
	}
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
		echo "ok   ${f#"$tmp"/}"
		passed=$((passed + 1))
	else
		echo "FAIL ${f#"$tmp"/}"
		head -20 "$tmp/out.txt"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
