#!/usr/bin/env bash
# The main job: install missing Debian packages, build everything with
# Bazel, run the examples (README, struct, epoll, TCP writer), then print the
# benchmark table. Extra arguments go to the benchmark, e.g.
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
echo "== examples/tcp_writer.c: workers -> one writer -> writev into TCP"
bazel-bin/examples/tcp_writer

echo
echo "== bench/channel.c"
bazel-bin/bench/channel "$@"
