# SPDX-License-Identifier: MIT
# tests/lib.sh - the pass/fail counter every test script shares.
#
#   . "$root/tests/lib.sh"
#   t_ok   NAME              count a pass and print "ok   NAME"
#   t_fail NAME [WHY]        count a failure and print "FAIL NAME: WHY"
#   t_run  NAME COMMAND...   run COMMAND; pass if it exits 0 (its output
#                            goes to $T_LOG_DIR/NAME.log, shown on failure)
#   t_expect NAME WANT COMMAND...
#                            run COMMAND; pass if it exits 0 and its output
#                            contains the fixed string WANT
#   t_done                   print "N passed, M failed" (the line test.sh
#                            reads) and return 1 if anything failed
#
# A script ends with `t_done; exit $?` (or `t_done || exit 1`).

T_PASSED=0
T_FAILED=0
T_LOG_DIR=${T_LOG_DIR:-$(mktemp -d)}

t_ok() {
	T_PASSED=$((T_PASSED + 1))
	echo "ok   $1"
}

t_fail() {
	T_FAILED=$((T_FAILED + 1))
	if [ $# -gt 1 ]; then
		echo "FAIL $1: $2"
	else
		echo "FAIL $1"
	fi
}

# The log file of a named step (names may hold spaces and slashes).
t_log_path() {
	printf '%s/%s.log' "$T_LOG_DIR" "$(printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '_')"
}

t_run() {
	local name=$1 log
	shift
	log=$(t_log_path "$name")
	local status=0
	"$@" >"$log" 2>&1 || status=$?
	if [ "$status" -eq 0 ]; then
		t_ok "$name"
	else
		tail -20 "$log" | sed 's/^/    /'
		t_fail "$name" "exit $status"
		return 1
	fi
}

t_expect() {
	local name=$1 want=$2 log
	shift 2
	log=$(t_log_path "$name")
	if "$@" >"$log" 2>&1 && grep -qF -- "$want" "$log"; then
		t_ok "$name"
	else
		tail -20 "$log" | sed 's/^/    /'
		t_fail "$name" "expected '$want'"
		return 1
	fi
}

t_done() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
}
