#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Model-check the contract's protocols with spin (contract.pml, on x86-TSO
# store buffers; see CONTRACT.md):
#   room-*     a sender waiting for room against the receiver's releases
#   shut-*     receiver_shutdown, then the drain to end of stream
#   fdstart-*  receiver_fd armed from the start
#
#   tests/model/contract_check.sh        (JOBS=n: n checks at once;
#                                          default: the number of CPUs)
#
# Each correct model verifies (safety: assertions and invalid end states;
# room-stop-*: pan -E and the assertion at quiescence), each mutant is
# caught with the expected kind of error, the -SC controls (no store
# buffers) show which mutants only weak memory exposes, and the WITNESS
# checks show that the verified models take the paths they are about.
# Works in a temporary directory and installs nothing (needs spin and a C
# compiler: apt-get install -y spin gcc). One line per check, last line
# "N passed, M failed"; exits non-zero unless every check came out right.

set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
cc=${CC:-gcc}
model=contract.pml

missing=
command -v spin >/dev/null 2>&1 || missing="$missing spin"
command -v "$cc" >/dev/null 2>&1 || missing="$missing $cc"
if [ -n "$missing" ]; then
	echo "contract_check.sh: missing tool(s):$missing (Debian: apt-get install -y spin gcc)" >&2
	t_fail "contract model tools" "missing:$missing"
	t_done
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/spw-contract.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

# run_one NAME EXPECT DEFINES [PANFLAGS]: one check, in the background;
#   EXPECT: ok (verified: no error) or the text pan's first error must hold.
#   Writes $work/NAME/verdict ("ok MESSAGE" or "fail MESSAGE") and
#   $work/NAME/details (what to show under a failure).
run_one() {
	local name=$1 expect=$2 defs=$3 panflags=${4:-} dir log errors states first
	dir="$work/$name"
	log="$dir/pan.out"
	mkdir -p "$dir" || return
	verdict() { printf '%s\n' "$*" >"$dir/verdict"; }
	if ! cp "$here/$model" "$dir/"; then
		verdict fail "cannot copy $model"
		return
	fi
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin -a $defs "$model" >spin.out 2>&1); then
		cp "$dir/spin.out" "$dir/details"
		verdict fail "spin -a $defs"
		return
	fi
	# -O1: pan.c compiles in half the time of -O2, and these runs are short
	if ! (cd "$dir" && "$cc" -O1 -w -DSAFETY -o pan pan.c >cc.out 2>&1); then
		cp "$dir/cc.out" "$dir/details"
		verdict fail "compiling pan.c"
		return
	fi
	# shellcheck disable=SC2086
	(cd "$dir" && ./pan -m100000 $panflags >"$log" 2>&1)
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$log" | tail -n 1)
	first=$(grep -m 1 '^pan:1:' "$log" | sed 's/^pan:1: //')
	if [ -z "$errors" ]; then
		head -n 20 "$log" >"$dir/details"
		verdict fail "no result from pan"
		return
	fi
	if grep -q 'max search depth too small' "$log"; then
		verdict fail "search depth too small: raise -m"
		return
	fi
	if [ "$expect" = ok ]; then
		if [ "$errors" -eq 0 ]; then
			verdict ok "verified ($states states)"
		else
			# shellcheck disable=SC2086
			(cd "$dir" && spin -t -p $defs "$model" 2>&1 | tail -n 30) \
				>"$dir/details"
			verdict fail "$errors error(s): $first"
		fi
	elif [ "$errors" -gt 0 ] && printf '%s\n' "$first" | grep -qF -- "$expect"; then
		verdict ok "error found as expected ($first)"
	elif [ "$errors" -gt 0 ]; then
		verdict fail "wrong error: $first (expected: $expect)"
	else
		verdict fail "no error found ($states states)"
	fi
}

# check NAME EXPECT DEFINES [PANFLAGS]: queue a check; JOBS run at once
# (default: the number of CPUs); report prints them in order.
jobs_max=${JOBS:-$(nproc 2>/dev/null || echo 2)}
names=()
check() {
	names+=("$1")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	run_one "$@" &
}

report() {
	local name dir v msg
	wait
	for name in "${names[@]}"; do
		dir="$work/$name"
		v=fail
		msg="did not finish"
		if [ -s "$dir/verdict" ]; then
			read -r v msg <"$dir/verdict"
		fi
		if [ "$v" = ok ]; then
			t_ok "contract $name: $msg"
		else
			[ -s "$dir/details" ] && sed 's/^/    /' "$dir/details"
			t_fail "contract $name" "$msg"
		fi
	done
}

lost="invalid end state"
eos="assertion violated (at_eos[t]==accepted[t])"
starve="assertion violated ((((nd==0)||(line_n==0))||(nd!=mem[3]))"
asleep="assertion violated (((line_n==0)||(waiting[line[0]]==0))"

# (1) waiting for room: S=2 senders, K=2 sends each, capacity 1 or 2
check room                      ok    "-DROOM"
check room-cap2                 ok    "-DROOM -DCAP=2"
check room-batch                ok    "-DROOM -DCAP=2 -DN1=2"
check room-timeouts             ok    "-DROOM -DTIMEOUTS=1 -DSPURIOUS=1"
check room-3x1                  ok    "-DROOM -DS=3 -DK=1 -DCAP=1"
check room-NO_MEMBARRIER        ok    "-DROOM -DNO_MEMBARRIER"
check room-BAD_ROOM             "$lost" "-DROOM -DBAD_ROOM"
check room-BAD_ROOM-cap2        "$lost" "-DROOM -DBAD_ROOM -DCAP=2 -DN1=2"
check room-BAD_ROOM-SC          ok    "-DROOM -DBAD_ROOM -DSC"
check room-BAD_RELEASE_ORDER    "$lost" "-DROOM -DBAD_RELEASE_ORDER"
check room-BAD_RELEASE_ORDER-SC "$lost" "-DROOM -DBAD_RELEASE_ORDER -DSC"
#   polite arrivals: sender 2 sends plainly (SPW_FULL when there is no room)
check room-plain                ok    "-DROOM -DPLAIN -DCAP=2"
check room-plain-batch          ok    "-DROOM -DPLAIN -DCAP=2 -DN1=2"
check room-plain-3x1            ok    "-DROOM -DPLAIN -DS=3 -DK=1 -DCAP=2"
check room-BAD_POLITE           "$starve" "-DROOM -DCAP=2 -DBAD_POLITE"
check room-BAD_POLITE-SC        "$starve" "-DROOM -DCAP=2 -DBAD_POLITE -DSC"
#   fence once per need: a new head with the same need reuses the barrier
check room-BAD_FENCE_ONCE=2     "$lost" "-DROOM -DBAD_FENCE_ONCE=2"
check room-BAD_FENCE_ONCE=2-SC  ok    "-DROOM -DBAD_FENCE_ONCE=2 -DSC"
#   STOP: the receiver may stop after any release (pan -E); when nothing
#   can move, the first in line is not asleep with room for it
check room-stop                 ok    "-DROOM -DSTOP" -E
check room-stop-3x1             ok    "-DROOM -DSTOP -DS=3 -DK=1" -E
check room-stop-plain           ok    "-DROOM -DSTOP -DPLAIN -DCAP=2" -E
check room-stop-needs           ok    "-DROOM -DSTOP -DCAP=2 -DN1=2 -DTIMEOUTS=1" -E
check room-stop-handoff         ok    "-DROOM -DSTOP -DS=3 -DK=1 -DCAP=2 -DN1=2" -E
check room-stop-BAD_FENCE_ONCE=1 "$asleep" "-DROOM -DSTOP -DCAP=2 -DN1=2 -DTIMEOUTS=1 -DBAD_FENCE_ONCE=1" -E
check room-stop-BAD_FENCE_ONCE=1-SC ok "-DROOM -DSTOP -DCAP=2 -DN1=2 -DTIMEOUTS=1 -DBAD_FENCE_ONCE=1 -DSC" -E
check room-stop-BAD_FENCE_ONCE=2 "$asleep" "-DROOM -DSTOP -DBAD_FENCE_ONCE=2" -E
check room-stop-BAD_HANDOFF     "$asleep" "-DROOM -DSTOP -DS=3 -DK=1 -DCAP=2 -DN1=2 -DBAD_HANDOFF" -E
#   witnesses: the verified models do take the new paths
check room-3x1-WITNESS=1        "assertion violated (skipped==0)" "-DROOM -DS=3 -DK=1 -DCAP=1 -DWITNESS=1"
check room-batch-WITNESS=2      "assertion violated (refenced==0)" "-DROOM -DCAP=2 -DN1=2 -DWITNESS=2"
check room-plain-WITNESS=3      "assertion violated (keep==0)" "-DROOM -DPLAIN -DCAP=2 -DWITNESS=3"

# (2) shutdown then drain: S=2 senders, K=2 sends each (fast path or mutex)
check shut                       ok     "-DSHUT"
check shut-BUF3                  ok     "-DSHUT -DBUF=3"
check shut-BAD_SHUTDOWN          "$eos" "-DSHUT -DBAD_SHUTDOWN"
check shut-BAD_SHUTDOWN-SC       "$eos" "-DSHUT -DBAD_SHUTDOWN -DSC"
check shut-BAD_SHUT_NO_HEAVY     "$eos" "-DSHUT -DBAD_SHUT_NO_HEAVY"
check shut-BAD_SHUT_NO_HEAVY-SC  ok     "-DSHUT -DBAD_SHUT_NO_HEAVY -DSC"

# (3) the descriptor armed from the start: S=2 senders, K=2 values each
check fdstart                       ok    "-DFDSTART"
check fdstart-close                 ok    "-DFDSTART -DCLOSE"
check fdstart-BAD_FDSTART           "$lost" "-DFDSTART -DBAD_FDSTART"
check fdstart-BAD_FDSTART-SC        "$lost" "-DFDSTART -DBAD_FDSTART -DSC"
check fdstart-close-BAD_FDSTART     "$lost" "-DFDSTART -DCLOSE -DBAD_FDSTART"
check fdstart-BAD_PENDING           "$lost" "-DFDSTART -DBAD_PENDING"
check fdstart-BAD_ARM_NO_HEAVY      "$lost" "-DFDSTART -DBAD_ARM_NO_HEAVY"
check fdstart-BAD_ARM_NO_HEAVY-SC   ok    "-DFDSTART -DBAD_ARM_NO_HEAVY -DSC"

report
t_done
