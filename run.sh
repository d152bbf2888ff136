#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: install missing Debian packages, build everything with
# Bazel (the channels and the benchmarks are -O2 in every mode), run the
# examples (README, struct, epoll, libuv, libevent, poll, worker pool, TCP
# writer), then print the benchmark tables: throughput (bench/channel.c,
# unpinned and pinned) and latency (bench/latency.c). Extra arguments go to
# the throughput benchmark, e.g.
#
#   ./run.sh --producers 4 --reps 7
set -euo pipefail
cd "$(dirname "$0")"

sh tests/deps.sh

echo "== bazel build //..."
bazel build --config=ci //...

echo
echo "== examples/readme.c: the original README's example"
bazel-bin/examples/readme

echo
echo "== examples/orders.c: a struct element type through the Bazel rule"
bazel-bin/examples/orders

echo
echo "== examples/epoll.c: a receiver in an epoll loop (the channel's eventfd)"
bazel-bin/examples/epoll

echo
echo "== examples/uv_loop.c and event_loop.c: the receiver in libuv and libevent"
bazel-bin/examples/uv_loop
bazel-bin/examples/event_loop

echo
echo "== examples/multi_poll.c: one poll() on two channels and a pipe"
bazel-bin/examples/multi_poll

echo
echo "== examples/worker_pool.c: backpressure (send_wait) and receiver_shutdown"
bazel-bin/examples/worker_pool

echo
echo "== examples/tcp_writer.c: workers -> one writer -> writev into TCP"
bazel-bin/examples/tcp_writer

echo
echo "== bench/channel.c (the same program as bench/run.sh channel)"
bazel-bin/bench/channel "$@"

echo
echo "== bench/latency.c (the same program as bench/run.sh latency)"
bazel-bin/bench/latency
