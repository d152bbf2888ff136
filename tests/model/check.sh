#!/bin/sh
# Model-check the receive-side protocol of Spillway (spillway.pml) with spin.
#
#   tests/model/check.sh                      # S=2 senders, K=2 values each
#   SPW_MODEL_FLAGS="-DS=3 -DK=3" tests/model/check.sh   # bigger (slower)
#
# Checks: the correct model verifies (safety: assertions and invalid end
# states; liveness: every fair run reaches end of stream), and each broken
# variant (BAD_EOS, BAD_PARK) is caught with the expected kind of error;
# the same for the eventfd receiver (FD, and BAD_ARM caught).
# Works in a temporary directory; installs nothing (needs spin and a C
# compiler: apt-get install -y spin gcc).

set -u

here=$(cd "$(dirname "$0")" && pwd)
model="$here/spillway.pml"
flags=${SPW_MODEL_FLAGS:-}
cc=${CC:-gcc}

missing=
command -v spin >/dev/null 2>&1 || missing="$missing spin"
command -v "$cc" >/dev/null 2>&1 || missing="$missing $cc"
if [ -n "$missing" ]; then
	echo "check.sh: missing tool(s):$missing (Debian: apt-get install -y spin gcc)" >&2
	exit 2
fi
[ -f "$model" ] || { echo "check.sh: $model not found" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/spw-model.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

passed=0
failed=0

# run NAME EXPECT MODE DEFINES
#   EXPECT: ok | "text of the expected error"
#   MODE:   safety | liveness
run() {
	name=$1 expect=$2 mode=$3 defs=$4
	dir="$work/$name"
	mkdir -p "$dir" && cp "$model" "$dir/" || return 1
	log="$dir/pan.out"
	if [ "$mode" = liveness ]; then
		ccdefs= panargs="-a -f"
	else
		ccdefs=-DSAFETY panargs=
	fi
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin -a $flags $defs spillway.pml >spin.out 2>&1); then
		echo "model $name: FAILED (spin -a)"; sed 's/^/    /' "$dir/spin.out"
		failed=$((failed + 1)); return
	fi
	# shellcheck disable=SC2086
	if ! (cd "$dir" && "$cc" -O2 $ccdefs -o pan pan.c >cc.out 2>&1); then
		echo "model $name: FAILED (compiling pan.c)"; sed 's/^/    /' "$dir/cc.out"
		failed=$((failed + 1)); return
	fi
	# shellcheck disable=SC2086
	(cd "$dir" && ./pan -m100000 $panargs >"$log" 2>&1)
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$log" | tail -n 1)
	first=$(grep -m 1 '^pan:1:' "$log" | sed 's/^pan:1: //')
	if [ -z "$errors" ]; then
		echo "model $name: FAILED (no result from pan)"; sed 's/^/    /' "$log" | head -n 20
		failed=$((failed + 1)); return
	fi
	if grep -q 'max search depth too small' "$log"; then
		echo "model $name: FAILED (search depth too small: raise -m)"
		failed=$((failed + 1)); return
	fi
	if [ "$expect" = ok ]; then
		if [ "$errors" -eq 0 ]; then
			echo "model $name: verified ($states states)"
			passed=$((passed + 1))
		else
			echo "model $name: FAILED, $errors error(s): $first"
			(cd "$dir" && spin -t -p $flags $defs spillway.pml 2>&1 | tail -n 30 | sed 's/^/    /')
			failed=$((failed + 1))
		fi
	else
		if [ "$errors" -gt 0 ] && printf '%s\n' "$first" | grep -q "$expect"; then
			echo "model $name: error found as expected ($first)"
			passed=$((passed + 1))
		elif [ "$errors" -gt 0 ]; then
			echo "model $name: FAILED, wrong error: $first (expected: $expect)"
			failed=$((failed + 1))
		else
			echo "model $name: FAILED, no error found ($states states)"
			failed=$((failed + 1))
		fi
	fi
}

[ -n "$flags" ] && echo "model flags: $flags"
run correct           ok                    safety   ""
run correct-liveness  ok                    liveness "-DLIVENESS"
run BAD_EOS           "assertion violated"  safety   "-DBAD_EOS"
run BAD_PARK          "invalid end state"   safety   "-DBAD_PARK"
run fd                ok                    safety   "-DFD"
run fd-liveness       ok                    liveness "-DFD -DLIVENESS"
run BAD_ARM           "invalid end state"   safety   "-DFD -DBAD_ARM"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
