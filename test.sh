#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every Spillway test on this machine, installing missing Debian
# packages first (about 25 minutes on 2 CPUs):
#
#   ./test.sh            everything: generator tests, the README's cc line
#                        with gcc and clang, the public header as C++,
#                        bazel test //... plain (-Werror), under
#                        AddressSanitizer, ThreadSanitizer and UBSan,
#                        clang-format on generated code, the suites in
#                        unoptimized builds (clang and gcc -O0), make install +
#                        pkg-config, the examples (epoll, libuv, libevent,
#                        poll, worker pool, TCP) and the docs' snippets,
#                        exported symbols, make dist, CMake, Meson, the
#                        C++ wrapper, spillway_channel from another Bazel
#                        workspace, the spin models (SC and x86-TSO; the
#                        contract models), 60 s of libFuzzer
#                        (SPW_FUZZ_SECONDS) and its coverage, the aarch64
#                        cross build under qemu, a 60 s soak (+20 s TSan),
#                        valgrind memcheck, the no-membarrier fallback,
#                        lingering (tests/test_linger.c, and the suites
#                        with it off)
#   ./test.sh --quick    skip the sanitizer builds
#
# The last line counts every test case run (Check checks, Python tests,
# and one per other test program) over all builds: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")"

quick=0
for arg in "$@"; do
	case "$arg" in
	--quick) quick=1 ;;
	-h | --help)
		sed -n '3,24p' "$0"
		exit 0
		;;
	*)
		echo "test.sh: unknown argument: $arg" >&2
		exit 2
		;;
	esac
done

sh tests/deps.sh || exit 1

passed=0
failed=0
failures=()
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

# record NAME PASSED FAILED
record() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	if [ "$3" -ne 0 ]; then
		failures+=("$1")
	fi
	printf '%-44s %5d passed, %d failed\n' "$1" "$2" "$3"
}

# Count the cases in one test log: Check's summary, unittest's "Ran N", or 1.
count_log() {
	local log=$1 ok=$2 n
	n=$(grep -ahoE '^[0-9]+%: Checks: [0-9]+' "$log" | awk '{s += $3} END {print s + 0}')
	if [ "$n" -eq 0 ]; then
		n=$(grep -ahoE '^Ran [0-9]+ tests?' "$log" | awk '{s += $2} END {print s + 0}')
	fi
	if [ "$n" -eq 0 ]; then
		n=1
	fi
	if [ "$ok" -eq 1 ]; then
		echo "$n 0"
	else
		local f
		f=$(grep -ahoE 'Failures: [0-9]+, Errors: [0-9]+' "$log" | awk '{s += $2 + $4} END {print s + 0}')
		[ "$f" -gt 0 ] || f=1
		echo "$((n > f ? n - f : 0)) $f"
	fi
}

echo "== generator (python3 tests/test_spwgen.py)"
if python3 tests/test_spwgen.py >"$log_dir/spwgen.log" 2>&1; then
	record "spwgen unittest" "$(grep -aoE '^Ran [0-9]+' "$log_dir/spwgen.log" | awk '{print $2}')" 0
else
	tail -30 "$log_dir/spwgen.log"
	record "spwgen unittest" 0 1
fi

# cc_example KEY NAME EXPECTED ARGS...: build an example with gcc and with
# clang at -Werror (ARGS: include paths and sources, the runtime is added),
# run it, and expect EXPECTED in its output.
cc_example() {
	local key=$1 name=$2 expect=$3 cc bin
	shift 3
	for cc in gcc clang; do
		bin="$log_dir/$key-$cc"
		if $cc -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -Iruntime "$@" \
			runtime/spillway_runtime.c -pthread -o "$bin" &&
			"$bin" >"$bin.out" && grep -q "$expect" "$bin.out"; then
			record "$name ($cc)" 1 0
		else
			record "$name ($cc)" 0 1
		fi
	done
}

echo "== the README's one cc line, gcc and clang, -Werror"
cc_example readme "readme example, cc line" "received: 1 3 2 4 6 5" \
	-Igenerated examples/readme.c generated/spillway_u64.c

echo "== a struct channel from spwgen (by pointer), gcc and clang, -Werror"
python3 generator/spwgen.py --type 'struct order' --name order --include order.h \
	--out-dir "$log_dir" >/dev/null
cc_example orders "orders example, spwgen struct order" "every desk in order" \
	-Iexamples -I"$log_dir" examples/orders.c "$log_dir/spillway_order.c"

echo "== the generated headers as C++ (g++ and clang++, -Werror)"
for cxx in g++ clang++; do
	if $cxx -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iruntime -Igenerated \
		-fsyntax-only -x c++ generated/spillway_u64.h &&
		$cxx -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iruntime -Igenerated \
			-fsyntax-only -x c++ generated/spillway_ptr.h; then
		record "generated headers as C++ ($cxx)" 1 0
	else
		record "generated headers as C++ ($cxx)" 0 1
	fi
done

configs=(ci)
if [ "$quick" -eq 0 ]; then
	configs+=(asan tsan ubsan)
fi
for config in "${configs[@]}"; do
	echo "== bazel test --config=$config //..."
	bazel test --config="$config" --config=ci //... >"$log_dir/bazel-$config.log" 2>&1
	status=$?
	grep -E '^//.* (PASSED|FAILED|TIMEOUT|NO STATUS)' "$log_dir/bazel-$config.log"
	testlogs=$(bazel info --config="$config" bazel-testlogs 2>/dev/null)
	targets=$(grep -cE '^//.* (PASSED|FAILED|TIMEOUT|NO STATUS)' "$log_dir/bazel-$config.log")
	if [ "$status" -ne 0 ] && [ "$targets" -eq 0 ]; then
		tail -40 "$log_dir/bazel-$config.log"
		record "bazel --config=$config (build)" 0 1
		continue
	fi
	p=0
	f=0
	while read -r target result _; do
		log="$testlogs/${target#//}"
		log="${log/://}/test.log"
		ok=0
		[ "$result" = PASSED ] && ok=1
		if [ -f "$log" ]; then
			read -r tp tf < <(count_log "$log" "$ok")
		elif [ "$ok" -eq 1 ]; then
			tp=1 tf=0
		else
			tp=0 tf=1
		fi
		p=$((p + tp))
		f=$((f + tf))
	done < <(grep -E '^//.* (PASSED|FAILED|TIMEOUT|NO STATUS)' "$log_dir/bazel-$config.log" |
		sed -E 's/^(\/\/[^ ]+) .*(PASSED|FAILED|TIMEOUT|NO STATUS).*/\1 \2/')
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	record "bazel --config=$config" "$p" "$f"
done

# record_checks NAME STATUS LOG [SHOWN]: a Check program's step: with
# STATUS 0 its checks counted from LOG, else one failure and the tail of
# SHOWN (default LOG).
record_checks() {
	local name=$1 status=$2 log=$3 shown=${4:-$3} tp tf
	if [ "$status" -eq 0 ]; then
		read -r tp tf < <(count_log "$log" 1)
		record "$name" "$tp" "$tf"
	else
		tail -40 "$shown"
		record "$name" 0 1
	fi
}

# run_counted NAME LOG COMMAND...: a step whose last line is "N passed, M failed".
run_counted() {
	local name=$1 log=$2 line
	shift 2
	echo "== $*"
	"$@" >"$log" 2>&1
	local status=$?
	line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ "$status" -eq 0 ] && [ -n "$line" ]; then
		record "$name" "$(echo "$line" | awk '{print $1}')" "$(echo "$line" | awk '{print $3}')"
	else
		tail -40 "$log"
		record "$name" "$(echo "${line:-0 passed}" | awk '{print $1}')" 1
	fi
}

# Generated code satisfies .clang-format, for short and long names.
run_counted "clang-format (tests/format_check.sh)" "$log_dir/format.log" \
	bash tests/format_check.sh

# The Check suites against channels built as a user's debug build would
# (clang -O0 calls the runtime's send; gcc -O0 optimizes itself;
# -DSPW_NO_OPTIMIZE keeps the inline path at -O0).
run_counted "unoptimized builds (tests/o0_test.sh)" "$log_dir/o0.log" \
	bash tests/o0_test.sh

# make install into a temporary prefix, then build with pkg-config alone.
run_counted "make install + pkg-config (tests/install_test.sh)" \
	"$log_dir/install.log" bash tests/install_test.sh

# The event-loop and worker-pool examples (gcc and clang, -Werror, run) and
# the code of docs/event-loops.md checked against them.
run_counted "examples (tests/examples_test.sh)" "$log_dir/examples.log" \
	bash tests/examples_test.sh

# libspillway.so exports exactly runtime/spillway.map; what generated code needs is in it.
run_counted "exported symbols (tests/symbols_test.sh)" "$log_dir/symbols.log" \
	bash tests/symbols_test.sh

# make dist, unpacked and installed on its own, builds the README example.
run_counted "release tarball (tests/dist_test.sh)" "$log_dir/dist.log" \
	bash tests/dist_test.sh

# find_package(Spillway CONFIG), add_subdirectory and FetchContent.
run_counted "CMake (tests/cmake_test.sh)" "$log_dir/cmake.log" bash tests/cmake_test.sh

# Meson with dependency('spillway') and a custom_target running spwgen.
run_counted "Meson (tests/meson_test.sh)" "$log_dir/meson.log" bash tests/meson_test.sh

# spwgen --cxx: the C++17 wrapper with g++ and clang++, plain, ASan, TSan.
cxx_wrapper_args=()
if [ "$quick" -eq 1 ]; then
	cxx_wrapper_args=(--quick)
fi
run_counted "C++ wrapper, spwgen --cxx (tests/cxx_wrapper_test.sh)" \
	"$log_dir/cxx_wrapper.log" bash tests/cxx_wrapper_test.sh "${cxx_wrapper_args[@]}"

# spillway_channel used from another workspace (local_repository).
external_args=()
if [ "$quick" -eq 1 ]; then
	external_args=(--quick)
fi
run_counted "Bazel external workspace (tests/bazel_external_test.sh)" \
	"$log_dir/external.log" bash tests/bazel_external_test.sh "${external_args[@]}"

# The park / wake / end-of-stream protocol, model-checked with spin, and
# its two known-bad orderings caught.
run_counted "spin model, SC and x86-TSO (tests/model/check.sh)" "$log_dir/model.log" \
	bash tests/model/check.sh

# Waiting senders, shutdown and the descriptor armed from the start, on
# x86-TSO store buffers, with their known-bad orderings caught.
run_counted "spin contract models (tests/model/contract_check.sh)" \
	"$log_dir/contract_model.log" bash tests/model/contract_check.sh

# libFuzzer against the reference model, then the seed corpus replayed.
run_counted "libFuzzer ${SPW_FUZZ_SECONDS:-60} s (tests/fuzz)" "$log_dir/fuzz.log" \
	bash tests/fuzz/run.sh "${SPW_FUZZ_SECONDS:-60}"

# Clang source-based coverage of the fuzzer over the runtime and a channel.
run_counted "fuzz coverage (tests/fuzz/coverage.sh 30)" "$log_dir/fuzz-coverage.log" \
	bash tests/fuzz/coverage.sh 30

# aarch64: the runtime, channels, examples, fuzz replay and soak, built
# with aarch64-linux-gnu-gcc -static and run under qemu-user.
run_counted "aarch64 cross build + qemu (tests/cross_test.sh)" "$log_dir/cross.log" \
	bash tests/cross_test.sh

# The bounded soak: 60 s plain and 20 s under TSan (--seconds N for hours).
run_counted "soak 60 s + 20 s TSan (tests/soak.sh)" "$log_dir/soak.log" bash tests/soak.sh

# valgrind memcheck on a small stress run and the struct test.
echo "== valgrind memcheck: stress_test, memory_fd_test (sizes / 100), struct_test"
plain_bin=$(bazel info --config=ci bazel-bin 2>/dev/null)
for t in stress_test memory_fd_test struct_test; do
	SPW_TEST_SCALE_DIV=100 SPW_TEST_SERIAL=1 CK_FORK=no valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite \
		"$plain_bin/tests/$t" >"$log_dir/vg-$t.log" 2>&1
	record_checks "valgrind memcheck $t" $? "$log_dir/vg-$t.log"
done

# Lingering (DESIGN.md, "Lingering"), gcc -O2: the channel and stress
# suites against a runtime built with it off (-DSPW_LINGER_NS=0); when it
# lingers, counted by a runtime built with -DSPW_TEST_LINGERS; and the
# removed SPW_LINGER_PAUSES refused with a message naming SPW_LINGER_NS.
echo "== lingering: suites with -DSPW_LINGER_NS=0, tests/test_linger.c, SPW_LINGER_PAUSES refused"
linger_dir=$(mktemp -d)
# linger_suite NAME SOURCE DEFINE: build SOURCE with the runtime at DEFINE, run it.
linger_suite() {
	local log="$log_dir/linger-$1.log"
	# shellcheck disable=SC2046 # pkg-config's flags are words
	gcc -std=c11 -O2 -g -Wall -Wextra -Werror "$3" -Iruntime -Igenerated -Itests \
		"$2" tests/support.c generated/spillway_u64.c generated/spillway_ptr.c \
		runtime/spillway_runtime.c $(pkg-config --cflags --libs check) -pthread \
		-o "$linger_dir/$1" >"$log" 2>&1 &&
		timeout -k 10 900 "$linger_dir/$1" >>"$log" 2>&1
	record_checks "$1" $? "$log"
}
linger_suite "test_channel, runtime with -DSPW_LINGER_NS=0" tests/test_channel.c -DSPW_LINGER_NS=0
linger_suite "stress, runtime with -DSPW_LINGER_NS=0" tests/stress.c -DSPW_LINGER_NS=0
linger_suite "test_linger (when a receive lingers)" tests/test_linger.c -DSPW_TEST_LINGERS
if gcc -std=c11 -DSPW_LINGER_PAUSES=0 -Iruntime -fsyntax-only runtime/spillway_runtime.c \
	>"$log_dir/linger-pauses.log" 2>&1; then
	record "-DSPW_LINGER_PAUSES=0 refused" 0 1
elif grep -q 'SPW_LINGER_PAUSES is gone.*SPW_LINGER_NS' "$log_dir/linger-pauses.log"; then
	record "-DSPW_LINGER_PAUSES=0 refused" 1 0
else
	tail -5 "$log_dir/linger-pauses.log"
	record "-DSPW_LINGER_PAUSES=0 refused" 0 1
fi
rm -rf "$linger_dir"

# The fallback without membarrier: full fences, no biased lanes.
echo "== bazel test --config=ci --test_env=SPW_NO_MEMBARRIER=1 //tests:channel_test //tests:contract_test"
bazel test --config=ci --test_env=SPW_NO_MEMBARRIER=1 //tests:channel_test //tests:contract_test \
	>"$log_dir/bazel-nomb.log" 2>&1
nomb_status=$?
for t in channel_test contract_test; do
	log="$(bazel info --config=ci bazel-testlogs 2>/dev/null)/tests/$t/test.log"
	status=$nomb_status
	[ -f "$log" ] || status=1
	record_checks "$t without membarrier" "$status" "$log" "$log_dir/bazel-nomb.log"
done

echo
if [ "$failed" -ne 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
