#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/examples_test.sh - build and run the event-loop and worker-pool
# examples, and check the code in docs/event-loops.md against them.
#
#   bash tests/examples_test.sh
#
# Each example is built with gcc and with clang at -std=c11 -Wall -Wextra
# -Wpedantic -Werror -O2 from the checked-in generated channels and the
# runtime (libuv and libevent through pkg-config), run under `timeout 20`,
# and must exit 0 and print its summary line. Then every code block of
# docs/event-loops.md must be found, verbatim and in order, in the example
# named by the `<!-- snippet: examples/NAME.c -->` line above it (a line
# `/* ... */` in a block stands for lines left out), and the checker must
# reject a block that is not in its file. Ends with "N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -Iruntime -Igenerated)

# example NAME WANT PKG SOURCES...: build examples/NAME.c with SOURCES (and
# the runtime, and pkg-config PKG unless it is "-") with gcc and clang, run
# each binary, and expect WANT in its output.
example() {
	local name=$1 want=$2 pkg=$3 cc bin
	local -a libs=()
	shift 3
	if [ "$pkg" != - ]; then
		if ! pkg-config --exists "$pkg"; then
			t_fail "$name: pkg-config $pkg" "not installed (Debian: see tests/deps.sh)"
			return
		fi
		read -r -a libs <<<"$(pkg-config --cflags --libs "$pkg")"
	fi
	for cc in gcc clang; do
		bin="$work/$name-$cc"
		t_run "$name: build ($cc, -Werror)" "$cc" "${cflags[@]}" \
			"examples/$name.c" "$@" runtime/spillway_runtime.c -pthread \
			"${libs[@]}" -o "$bin" || continue
		t_expect "$name: run ($cc)" "$want" timeout 20 "$bin"
	done
}

echo "== examples, gcc and clang"
example uv_loop "uv_loop: 200000 values from 4 senders, each once and in order (first wake-up: the 400 sent before receiver_fd)" \
	libuv generated/spillway_u64.c
example event_loop "event_loop: 200000 values from 4 senders, each once and in order (first wake-up: the 400 sent before receiver_fd)" \
	libevent generated/spillway_u64.c
example multi_poll "10 pings and a stop;" \
	- generated/spillway_u64.c generated/spillway_ptr.c
example worker_pool "refused and kept by 4 workers, backlog at most" \
	- generated/spillway_u64.c
example epoll "epoll: 300000 values from 3 producers, in order" \
	- generated/spillway_u64.c

# tcp_writer needs its struct channel from spwgen.
if python3 generator/spwgen.py --type 'struct response' --name response \
	--include response.h --out-dir "$work" >"$work/spwgen.log" 2>&1; then
	example tcp_writer "all in per-worker order" \
		- -Iexamples -I"$work" "$work/spillway_response.c"
else
	sed 's/^/    /' "$work/spwgen.log"
	t_fail "tcp_writer: spwgen struct response"
fi

# check_snippets DOC: one line per code block, "ok WHERE" or "FAIL WHERE: WHY".
check_snippets() {
	python3 - "$1" <<'EOF'
import re, sys

doc = sys.argv[1]
lines = open(doc, encoding="utf-8").read().split("\n")
source = None
i = 0
while i < len(lines):
    line = lines[i]
    m = re.match(r"<!-- snippet: (\S+) -->$", line)
    if m:
        source = m.group(1)
    elif line.startswith("```c"):
        start = i + 1
        block = []
        i += 1
        while i < len(lines) and lines[i] != "```":
            block.append(lines[i])
            i += 1
        where = "%s:%d" % (doc, start)
        if source is None:
            print("FAIL %s: no <!-- snippet: FILE --> line above it" % where)
        else:
            try:
                text = open(source, encoding="utf-8").read()
            except OSError as e:
                print("FAIL %s: %s" % (where, e))
                source = None
                i += 1
                continue
            chunks, cur = [], []
            for b in block:
                if b.strip() == "/* ... */":
                    chunks.append(cur)
                    cur = []
                else:
                    cur.append(b)
            chunks.append(cur)
            pos, bad = 0, None
            for c in chunks:
                if not c:
                    continue
                # whole lines: after a newline, up to a newline
                k = text.find("\n" + "\n".join(c) + "\n", pos)
                if k < 0:
                    bad = c[0].strip()
                    break
                pos = k + 1 + len("\n".join(c))
            if bad is None:
                print("ok %s (%s)" % (where, source))
            else:
                print("FAIL %s: not in %s (from: %s)" % (where, source, bad))
        source = None
    i += 1
EOF
}

echo "== docs/event-loops.md: every code block is in its example"
snippets=0
while read -r verdict rest; do
	snippets=$((snippets + 1))
	if [ "$verdict" = ok ]; then
		t_ok "snippet $rest"
	else
		t_fail "snippet ${rest%%: *}" "${rest#*: }"
	fi
done < <(check_snippets docs/event-loops.md)
if [ "$snippets" -ge 10 ]; then
	t_ok "docs/event-loops.md has $snippets code blocks"
else
	t_fail "docs/event-loops.md code blocks" "found $snippets, expected at least 10"
fi

# The checker itself: a changed line and an unmarked block must fail.
sed '0,/uv_poll_stop(poll);/s//uv_poll_stop(poll); \/\/ changed/' \
	docs/event-loops.md >"$work/changed.md"
# shellcheck disable=SC2016 # the backquotes are Markdown, not a command
printf '\n```c\nint unmarked;\n```\n' >>"$work/changed.md"
if [ "$(check_snippets "$work/changed.md" | grep -c '^FAIL')" -eq 2 ]; then
	t_ok "snippet checker rejects a changed and an unmarked block"
else
	t_fail "snippet checker rejects a changed and an unmarked block"
fi

t_done
