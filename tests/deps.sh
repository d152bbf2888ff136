#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages Spillway's build, tests and bench need, if
# they are missing, saying what it does. Sourced or run by ./run.sh,
# ./test.sh and .ci/run. Needs root (or sudo) only when something is
# missing.
set -e

SPW_PACKAGES="${SPW_PACKAGES:-gcc g++ clang libclang-rt-14-dev bazel-bootstrap \
bazel-skylib bazel-platforms check python3 python3-jinja2 pkg-config \
liburcu-dev libck-dev libconcurrentqueue-dev gnuplot-nox spin valgrind gdb \
strace make binutils clang-format cmake ninja-build meson \
libuv1-dev libevent-dev llvm-14 man-db gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
qemu-user-static}"

missing=""
for pkg in $SPW_PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: all Debian packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing Debian packages:$missing (run as root to install)" >&2
	exit 1
fi

echo "deps: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "deps: installed:$missing"
