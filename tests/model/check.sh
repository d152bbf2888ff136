#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Model-check Spillway's protocols with spin: spillway.pml (the receive
# side, sequentially consistent) and tso.pml (on x86-TSO store buffers:
# parking against notify, bias revocation, a lane's publication, the
# dirty-lane index's sweep against a sender's mark, and a lane shared by
# several threads with revocation and rebias).
#
#   tests/model/check.sh                      # S=2 senders, K=2 values each
#   SPW_MODEL_FLAGS="-DS=3 -DK=3" tests/model/check.sh   # bigger (slower;
#                                             # applies to spillway.pml)
#
# Checks: each correct model verifies (safety: assertions and invalid end
# states; liveness for spillway.pml: every fair run reaches end of
# stream), and each broken variant is caught with the expected kind of
# error; under TSO also controls: a mutant that removes a barrier
# verifies with -DSC (no store buffers), i.e. it takes the store buffers
# to find the bug, while a mutant that breaks program order is caught
# with -DSC too.
# Works in a temporary directory; installs nothing (needs spin and a C
# compiler: apt-get install -y spin gcc). Last line: "N passed, M failed".

set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
flags=${SPW_MODEL_FLAGS:-}
cc=${CC:-gcc}

missing=
command -v spin >/dev/null 2>&1 || missing="$missing spin"
command -v "$cc" >/dev/null 2>&1 || missing="$missing $cc"
if [ -n "$missing" ]; then
	echo "check.sh: missing tool(s):$missing (Debian: apt-get install -y spin gcc)" >&2
	t_fail "model tools" "missing:$missing"
	t_done
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/spw-model.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

# run NAME EXPECT MODE MODEL DEFINES
#   EXPECT: ok | "text of the expected error"
#   MODE:   safety | liveness
#   MODEL:  spillway.pml | tso.pml (SPW_MODEL_FLAGS apply to spillway.pml)
run() {
	local name=$1 expect=$2 mode=$3 model=$4 defs=$5
	local dir="$work/$name" log ccdefs panargs mflags errors states first
	mkdir -p "$dir" && cp "$here/$model" "$dir/" || {
		t_fail "model $name" "cannot copy $model"
		return
	}
	log="$dir/pan.out"
	mflags=
	[ "$model" = spillway.pml ] && mflags=$flags
	if [ "$mode" = liveness ]; then
		ccdefs= panargs="-a -f"
	else
		ccdefs=-DSAFETY panargs=
	fi
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin -a $mflags $defs "$model" >spin.out 2>&1); then
		sed 's/^/    /' "$dir/spin.out"
		t_fail "model $name" "spin -a"
		return
	fi
	# shellcheck disable=SC2086
	if ! (cd "$dir" && "$cc" -O2 -w $ccdefs -o pan pan.c >cc.out 2>&1); then
		sed 's/^/    /' "$dir/cc.out"
		t_fail "model $name" "compiling pan.c"
		return
	fi
	# shellcheck disable=SC2086
	(cd "$dir" && ./pan -m100000 $panargs >"$log" 2>&1)
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$log" | tail -n 1)
	first=$(grep -m 1 '^pan:1:' "$log" | sed 's/^pan:1: //')
	if [ -z "$errors" ]; then
		sed 's/^/    /' "$log" | head -n 20
		t_fail "model $name" "no result from pan"
		return
	fi
	if grep -q 'max search depth too small' "$log"; then
		t_fail "model $name" "search depth too small: raise -m"
		return
	fi
	if [ "$expect" = ok ]; then
		if [ "$errors" -eq 0 ]; then
			t_ok "model $name: verified ($states states)"
		else
			# shellcheck disable=SC2086
			(cd "$dir" && spin -t -p $mflags $defs "$model" 2>&1 |
				tail -n 30 | sed 's/^/    /')
			t_fail "model $name" "$errors error(s): $first"
		fi
	else
		if [ "$errors" -gt 0 ] && printf '%s\n' "$first" | grep -q "$expect"; then
			t_ok "model $name: error found as expected ($first)"
		elif [ "$errors" -gt 0 ]; then
			t_fail "model $name" "wrong error: $first (expected: $expect)"
		else
			t_fail "model $name" "no error found ($states states)"
		fi
	fi
}

[ -n "$flags" ] && echo "model flags (spillway.pml): $flags"

# spillway.pml: sequentially consistent, the receive side
run correct           ok                    safety   spillway.pml ""
run correct-liveness  ok                    liveness spillway.pml "-DLIVENESS"
run BAD_EOS           "assertion violated"  safety   spillway.pml "-DBAD_EOS"
run BAD_PARK          "invalid end state"   safety   spillway.pml "-DBAD_PARK"
run fd                ok                    safety   spillway.pml "-DFD"
run fd-liveness       ok                    liveness spillway.pml "-DFD -DLIVENESS"
run BAD_ARM           "invalid end state"   safety   spillway.pml "-DFD -DBAD_ARM"

# tso.pml (a): parking against notify, no lost wake-up
run tso-park                 ok                  safety tso.pml "-DPARK"
run tso-park-3x2             ok                  safety tso.pml "-DPARK -DS=3 -DK=2"
run tso-park-BAD_NO_HEAVY    "invalid end state" safety tso.pml "-DPARK -DBAD_NO_HEAVY"
run tso-park-BAD_NO_HEAVY-SC ok                  safety tso.pml "-DPARK -DBAD_NO_HEAVY -DSC"
run tso-park-NO_MEMBARRIER   ok                  safety tso.pml "-DPARK -DNO_MEMBARRIER"
run tso-park-close           ok                  safety tso.pml "-DPARK -DCLOSE -DS=2 -DK=3"
# tso.pml (b): revoking a lane's bias against its owner's fast path
run tso-revoke                 ok                   safety tso.pml "-DREVOKE -DN=3 -DBUF=3"
run tso-revoke-BAD_NO_HEAVY    "assertion violated" safety tso.pml "-DREVOKE -DBAD_NO_HEAVY"
run tso-revoke-BAD_NO_HEAVY-SC ok                   safety tso.pml "-DREVOKE -DBAD_NO_HEAVY -DSC"
run tso-revoke-BAD_NO_WAIT     "assertion violated" safety tso.pml "-DREVOKE -DBAD_NO_WAIT"
# tso.pml (c): a lane's values, links and count against the reader
run tso-publish                ok                   safety tso.pml "-DPUBLISH -DK=4 -DBUF=3"
run tso-publish-BAD_PUB_EARLY  "assertion violated" safety tso.pml "-DPUBLISH -DBAD_PUB_EARLY"
# tso.pml (d): the dirty-lane index, a sender's mark against the sweep;
# "stranded" is the final index look's assertion consumed[i] == K
stranded="assertion violated (consumed"
run tso-index                              ok                  safety tso.pml "-DINDEX"
run tso-index-2x3                          ok                  safety tso.pml "-DINDEX -DK=3"
run tso-index-park                         ok                  safety tso.pml "-DINDEX -DIDX_PARK"
run tso-index-NO_MEMBARRIER                ok                  safety tso.pml "-DINDEX -DNO_MEMBARRIER"
run tso-index-BAD_SWEEP_NO_BARRIER         "$stranded"         safety tso.pml "-DINDEX -DBAD_SWEEP_NO_BARRIER"
run tso-index-BAD_SWEEP_NO_BARRIER-SC      ok                  safety tso.pml "-DINDEX -DBAD_SWEEP_NO_BARRIER -DSC"
run tso-index-BAD_SWEEP_NO_RECHECK         "$stranded"         safety tso.pml "-DINDEX -DBAD_SWEEP_NO_RECHECK"
run tso-index-BAD_SWEEP_NO_RECHECK-SC      "$stranded"         safety tso.pml "-DINDEX -DBAD_SWEEP_NO_RECHECK -DSC"
run tso-index-BAD_MARK_BEFORE_PUBLISH      "$stranded"         safety tso.pml "-DINDEX -DBAD_MARK_BEFORE_PUBLISH"
run tso-index-BAD_MARK_BEFORE_PUBLISH-SC   "$stranded"         safety tso.pml "-DINDEX -DBAD_MARK_BEFORE_PUBLISH -DSC"
run tso-index-BAD_SWEEP_PLAIN_CLEAR        "$stranded"         safety tso.pml "-DINDEX -DBAD_SWEEP_PLAIN_CLEAR"
run tso-index-park-BAD_NO_HEAVY            "invalid end state" safety tso.pml "-DINDEX -DIDX_PARK -DBAD_NO_HEAVY"
# tso.pml (e): S threads on one lane, bias, revocation and rebias (S=3
# N=3 unless said); "overlap" is the append's assertion in_append == 1
overlap="assertion violated (in_append"
run tso-rebias                             ok                  safety tso.pml "-DREBIAS"
run tso-rebias-3x4                         ok                  safety tso.pml "-DREBIAS -DN=4 -DBUF=3"
run tso-rebias-2x6                         ok                  safety tso.pml "-DREBIAS -DS=2 -DN=6"
run tso-rebias-BAD_LANE_BUSY               "$overlap"          safety tso.pml "-DREBIAS -DBAD_LANE_BUSY"
run tso-rebias-BAD_LANE_BUSY-2x3           "$overlap"          safety tso.pml "-DREBIAS -DBAD_LANE_BUSY -DS=2"
run tso-rebias-BAD_LANE_BUSY-SC            "$overlap"          safety tso.pml "-DREBIAS -DBAD_LANE_BUSY -DSC"
run tso-rebias-BAD_LANE_BUSY-NO_REBIAS     ok                  safety tso.pml "-DREBIAS -DBAD_LANE_BUSY -DNO_REBIAS"
run tso-rebias-BAD_NO_HEAVY                "assertion violated" safety tso.pml "-DREBIAS -DBAD_NO_HEAVY"
run tso-rebias-BAD_NO_HEAVY-SC             ok                  safety tso.pml "-DREBIAS -DBAD_NO_HEAVY -DSC"
run tso-rebias-BAD_NO_WAIT                 "$overlap"          safety tso.pml "-DREBIAS -DBAD_NO_WAIT"
run tso-rebias-BAD_NO_WAIT-SC              "$overlap"          safety tso.pml "-DREBIAS -DBAD_NO_WAIT -DSC"

t_done
