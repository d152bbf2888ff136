#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# symbols_test.sh - libspillway.so exports exactly the names listed in
# runtime/spillway.map (the one documented list), and that list covers
# what users and generated code call:
#
#   - nm -D --defined-only of the library built by the Makefile is the
#     map's list, every name in version node SPILLWAY_<SPW_RUNTIME_ABI>;
#   - every function runtime/spillway_runtime.h (the public API) declares
#     is exported;
#   - every spw_ symbol that compiled generated code leaves undefined
#     (generated/*.c, and channels freshly generated from templates/ by
#     generator/spwgen.py) is exported; a template change that needs a new
#     runtime function fails here, naming the line to add to the map;
#   - a runtime function left out of the map cannot be linked against;
#   - a program built, with its generated channel, with -fvisibility=hidden
#     links against the shared library and runs (gcc and clang), and so
#     does a user's shared library with the channel inside, built with
#     -fvisibility=hidden (it exports only its own function).
#
#   bash tests/symbols_test.sh
#
# Prints one line per check and ends with "N passed, M failed" (the
# counter of tests/lib.sh); exits non-zero on any failure. Needs make, a C
# compiler (CC, default cc; clang is used too if present), binutils (nm,
# readelf), python3 with jinja2. Builds in a temporary folder.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs" "$tmp/gen" "$tmp/obj"
T_LOG_DIR=$tmp/logs
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"
cd "$root" || exit 1

cc=${CC:-cc}
map=runtime/spillway.map
abi=$(sed -n 's/^#define SPW_RUNTIME_ABI \([0-9]*\)$/\1/p' runtime/spillway_runtime.h)
lib=$tmp/build/libspillway.so

# map_names: the names of the map's global: section, one per line, sorted
# (comments removed).
map_names() {
	python3 - "$map" <<'PY'
import re, sys
text = re.sub(r"/\*.*?\*/", " ", open(sys.argv[1]).read(), flags=re.S)
m = re.search(r"\bglobal\s*:(.*?)\blocal\s*:", text, flags=re.S)
names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*;", m.group(1)) if m else []
print("\n".join(sorted(set(names))))
PY
}

# exported: NAME@@NODE of every symbol the library defines for others,
# without the node's own (absolute) symbol.
exported() {
	nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort
}

t_run "make builds libspillway.so (version script $map)" \
	make -C "$root" --no-print-directory BUILDDIR="$tmp/build" "$tmp/build/libspillway.so"
map_names >"$tmp/map.txt"
t_run "$map lists names in node SPILLWAY_@ABI@ { global: ... local: *; }" \
	sh -c "test -s '$tmp/map.txt' && grep -q '^SPILLWAY_@ABI@ {' '$map' && grep -qE '^local:' '$map'"

# --- the exported set is the map's list, in node SPILLWAY_<ABI> ----------

exported >"$tmp/exported-versioned.txt" 2>"$tmp/nm.err"
sed 's/@.*//' "$tmp/exported-versioned.txt" | sort -u >"$tmp/exported.txt"

# same_set: the library exports exactly the map's names.
same_set() {
	local extra missing
	extra=$(comm -13 "$tmp/map.txt" "$tmp/exported.txt")
	missing=$(comm -23 "$tmp/map.txt" "$tmp/exported.txt")
	[ -n "$extra" ] && echo "exported but not in $map: $extra"
	[ -n "$missing" ] && echo "in $map but not defined by runtime/spillway_runtime.c (remove the line, or define it): $missing"
	[ -z "$extra" ] && [ -z "$missing" ] && [ -s "$tmp/exported.txt" ]
}
t_run "libspillway.so exports exactly the $(wc -l <"$tmp/map.txt") names of $map" same_set

# in_node: every exported name is NAME@@SPILLWAY_<ABI>.
in_node() {
	local other
	other=$(grep -v "@@SPILLWAY_$abi\$" "$tmp/exported-versioned.txt")
	[ -z "$other" ] || {
		echo "not in node SPILLWAY_$abi: $other"
		return 1
	}
}
t_run "every exported name has version SPILLWAY_$abi (SPW_RUNTIME_ABI)" in_node
t_expect "the version node SPILLWAY_$abi is defined (readelf -V)" "SPILLWAY_$abi" \
	readelf -V "$lib"

# all_spw: nothing outside Spillway's spw_ namespace is exported.
all_spw() {
	local other
	other=$(grep -v '^spw_' "$tmp/exported.txt")
	[ -z "$other" ] || {
		echo "exported names outside spw_: $other"
		return 1
	}
}
t_run "every exported name starts with spw_" all_spw

# covers LIST_FILE WHAT: every name in LIST_FILE is exported.
covers() {
	local missing sym
	missing=$(comm -23 "$1" "$tmp/exported.txt")
	[ -z "$missing" ] || {
		for sym in $missing; do
			echo "$2 needs $sym, which libspillway.so does not export: add the line '	$sym;' to $map"
		done
		return 1
	}
	echo "$(wc -l <"$1") names, all exported"
}

# --- the public API -------------------------------------------------------

# The functions runtime/spillway_runtime.h declares (preprocessed: no
# comments, no macros).
$cc -std=c11 -E -P runtime/spillway_runtime.h 2>"$tmp/cpp.err" |
	grep -oE '\bspw_[a-z0-9_]+ *\(' | sed 's/ *($//' | sort -u >"$tmp/api.txt"
t_run "runtime/spillway_runtime.h declares functions ($(wc -l <"$tmp/api.txt"))" test -s "$tmp/api.txt"
t_run "every function of runtime/spillway_runtime.h is exported" \
	covers "$tmp/api.txt" "runtime/spillway_runtime.h"

# --- what generated code calls ---------------------------------------------

# undefined_spw OBJECT...: the spw_ symbols the objects leave undefined.
undefined_spw() {
	nm -u "$@" | awk '{ print $NF }' | grep '^spw_' | sort -u
}

# The checked-in channels.
objs=()
for c in generated/*.c; do
	o=$tmp/obj/$(basename "$c" .c).o
	if $cc -std=c11 -O2 -fPIC -pthread -Iruntime -Igenerated -c "$c" -o "$o" \
		>"$tmp/logs/cc.log" 2>&1; then
		objs+=("$o")
	else
		sed 's/^/    /' "$tmp/logs/cc.log" | tail -10
		t_fail "compile $c"
	fi
done
undefined_spw "${objs[@]}" >"$tmp/generated.txt"
t_run "every spw_ symbol generated/*.c needs is exported ($(wc -l <"$tmp/generated.txt") names)" \
	covers "$tmp/generated.txt" "generated code (generated/*.c)"

# Channels generated now from templates/ (the checked-in ones may be older):
# a struct by pointer and by value, a pointer type, a scalar.
cat >"$tmp/gen/item.h" <<'H'
#include <stdint.h>
struct item { uint64_t a; double b; char c[24]; };
H
fresh_objs=()
gen() {
	local name=$1
	shift
	if python3 generator/spwgen.py --name "$name" --out-dir "$tmp/gen" "$@" \
		>"$tmp/logs/gen.log" 2>&1 &&
		$cc -std=c11 -O2 -fPIC -pthread -Iruntime -I"$tmp/gen" \
			-c "$tmp/gen/spillway_$name.c" -o "$tmp/obj/fresh_$name.o" \
			>>"$tmp/logs/gen.log" 2>&1; then
		fresh_objs+=("$tmp/obj/fresh_$name.o")
	else
		sed 's/^/    /' "$tmp/logs/gen.log" | tail -10
		t_fail "spwgen --name $name and compile"
	fi
}
gen item --type 'struct item' --include item.h
gen item_value --type 'struct item' --include item.h --pass value
gen cstr --type 'const char *'
gen u8 --type uint8_t --include '<stdint.h>'
if [ "${#fresh_objs[@]}" -gt 0 ]; then
	undefined_spw "${fresh_objs[@]}" >"$tmp/fresh.txt"
	t_run "every spw_ symbol freshly generated channels need is exported ($(wc -l <"$tmp/fresh.txt") names)" \
		covers "$tmp/fresh.txt" "code generated from templates/"
fi

# --- what is not in the map is not linkable ------------------------------

# A function the runtime object defines globally that the map leaves out
# (internal to the runtime): a program calling it fails to link.
$cc -std=c11 -O2 -fPIC -pthread -c runtime/spillway_runtime.c -o "$tmp/obj/runtime.o"
internal=$(nm --defined-only "$tmp/obj/runtime.o" | awk '$2 == "T" { print $3 }' |
	sort | comm -23 - "$tmp/map.txt" | head -1)
if [ -n "$internal" ]; then
	printf 'void %s(void);\nint main(void) { %s(); return 0; }\n' "$internal" "$internal" \
		>"$tmp/internal.c"
	# not_linkable: the link fails, on exactly that name.
	not_linkable() {
		! $cc "$tmp/internal.c" -L"$tmp/build" -lspillway -o "$tmp/internal" \
			>"$tmp/link.log" 2>&1 && grep -F "$internal" "$tmp/link.log"
	}
	t_run "an internal runtime function ($internal) is not linkable from libspillway.so" \
		not_linkable
else
	echo "note: every global function of the runtime is in the map: no internal one to try"
fi

# --- a user's program built with -fvisibility=hidden ----------------------

compilers=("$cc")
if command -v clang >/dev/null 2>&1 && [ "$cc" != clang ]; then
	compilers+=(clang)
fi
for c in "${compilers[@]}"; do
	# hidden_build: the README example and the u64 channel, both with
	# -fvisibility=hidden, against the shared library.
	hidden_build() {
		$c -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -pthread -fvisibility=hidden \
			-Iruntime -Igenerated examples/readme.c generated/spillway_u64.c \
			-L"$tmp/build" -lspillway -o "$tmp/readme-hidden-$c" &&
			readelf -d "$tmp/readme-hidden-$c" | grep -F "[libspillway.so.$abi]"
	}
	t_run "$c -fvisibility=hidden: readme.c + generated u64 link against libspillway.so.$abi" \
		hidden_build
	t_expect "$c -fvisibility=hidden: readme prints received: 1 3 2 4 6 5" \
		"received: 1 3 2 4 6 5" \
		env LD_LIBRARY_PATH="$tmp/build" timeout 20 "$tmp/readme-hidden-$c"
done

# A user's shared library, built with -fvisibility=hidden, that has the
# u64 channel inside and exports one function of its own; a program calls
# it. The library needs libspillway.so; the channel's spw_u64_* stay hidden.
cat >"$tmp/user.c" <<'C'
#include "spillway_u64.h"

__attribute__((visibility("default"))) int user_roundtrip(void)
{
	spw_u64_sender *tx;
	spw_u64_receiver *rx;
	uint64_t v = 0;

	if (spw_u64_channel(&tx, &rx) != SPW_OK || spw_u64_send(tx, 42) != SPW_OK ||
	    spw_u64_recv(rx, &v) != SPW_OK)
		return -1;
	(void)spw_u64_sender_close(tx);
	(void)spw_u64_receiver_close(rx);
	return (int)v;
}
C
cat >"$tmp/user_main.c" <<'C'
#include <stdio.h>
int user_roundtrip(void);
int main(void)
{
	int v = user_roundtrip();

	printf("user library: %d\n", v);
	return v == 42 ? 0 : 1;
}
C
user_library() {
	$cc -std=c11 -Wall -Wextra -Werror -O2 -fPIC -pthread -fvisibility=hidden -shared \
		-Iruntime -Igenerated "$tmp/user.c" generated/spillway_u64.c \
		-L"$tmp/build" -lspillway -o "$tmp/libuser.so" &&
		$cc -std=c11 -O2 "$tmp/user_main.c" -L"$tmp" -luser \
			-Wl,-rpath-link,"$tmp/build" -o "$tmp/user_main" &&
		readelf -d "$tmp/libuser.so" | grep -F "[libspillway.so.$abi]"
}
t_run "-fvisibility=hidden user library with the u64 channel links against libspillway.so.$abi" \
	user_library
user_exports() {
	local own
	own=$(nm -D --defined-only "$tmp/libuser.so" | awk '{ print $3 }')
	echo "$own"
	[ "$own" = user_roundtrip ]
}
t_run "the user library exports user_roundtrip only (the channel is hidden)" user_exports
t_expect "a program calls it: user library: 42" "user library: 42" \
	env LD_LIBRARY_PATH="$tmp/build:$tmp" timeout 20 "$tmp/user_main"

t_done
