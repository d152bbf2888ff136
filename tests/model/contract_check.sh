#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Model-check the contract's protocols with spin (contract.pml, on x86-TSO
# store buffers; see CONTRACT.md):
#   room-*     a sender waiting for room against the receiver's releases
#   shut-*     receiver_shutdown, then the drain to end of stream
#   fdstart-*  receiver_fd armed from the start
#
#   tests/model/contract_check.sh
#
# Each correct model verifies (safety: assertions and invalid end states),
# each mutant is caught with the expected kind of error, and the -SC
# controls (no store buffers) show which mutants only weak memory exposes.
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

# check NAME EXPECT DEFINES
#   EXPECT: ok (verified: no error) or the text pan's first error must hold
check() {
	local name=$1 expect=$2 defs=$3 dir log errors states first
	dir="$work/$name"
	log="$dir/pan.out"
	mkdir -p "$dir" && cp "$here/$model" "$dir/" || {
		t_fail "contract $name" "cannot copy $model"
		return
	}
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin -a $defs "$model" >spin.out 2>&1); then
		sed 's/^/    /' "$dir/spin.out"
		t_fail "contract $name" "spin -a $defs"
		return
	fi
	# -O1: pan.c compiles in half the time of -O2, and these runs are short
	if ! (cd "$dir" && "$cc" -O1 -w -DSAFETY -o pan pan.c >cc.out 2>&1); then
		sed 's/^/    /' "$dir/cc.out"
		t_fail "contract $name" "compiling pan.c"
		return
	fi
	(cd "$dir" && ./pan -m100000 >"$log" 2>&1)
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$log" | tail -n 1)
	first=$(grep -m 1 '^pan:1:' "$log" | sed 's/^pan:1: //')
	if [ -z "$errors" ]; then
		sed 's/^/    /' "$log" | head -n 20
		t_fail "contract $name" "no result from pan"
		return
	fi
	if grep -q 'max search depth too small' "$log"; then
		t_fail "contract $name" "search depth too small: raise -m"
		return
	fi
	if [ "$expect" = ok ]; then
		if [ "$errors" -eq 0 ]; then
			t_ok "contract $name: verified ($states states)"
		else
			# shellcheck disable=SC2086
			(cd "$dir" && spin -t -p $defs "$model" 2>&1 |
				tail -n 30 | sed 's/^/    /')
			t_fail "contract $name" "$errors error(s): $first"
		fi
	elif [ "$errors" -gt 0 ] && printf '%s\n' "$first" | grep -qF -- "$expect"; then
		t_ok "contract $name: error found as expected ($first)"
	elif [ "$errors" -gt 0 ]; then
		t_fail "contract $name" "wrong error: $first (expected: $expect)"
	else
		t_fail "contract $name" "no error found ($states states)"
	fi
}

lost="invalid end state"
eos="assertion violated (at_eos[t]==accepted[t])"

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

t_done
