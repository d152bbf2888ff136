#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch Debian's arm64 build of Check (and subunit) for the aarch64 cross
# test, and unpack it into a folder of our own: nothing is installed into
# the system's arm64 library folders. Debian has no cross package of
# Check, but its arm64 .deb has the static libraries the cross test links.
#
#   tests/arm64_check.sh DIR     prints DIR (libs in DIR/usr/lib/aarch64-linux-gnu,
#                                headers in DIR/usr/include); exit 1 if it
#                                cannot be had
#
# Needs root (or sudo) the first time, to add the arm64 architecture to
# dpkg's list and fetch its package lists.
set -eu
dir=${1:?usage: tests/arm64_check.sh DIR}
lib="$dir/usr/lib/aarch64-linux-gnu"
if [ -e "$lib/libcheck.a" ] && [ -e "$lib/libsubunit.a" ]; then
	echo "$dir"
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "arm64_check.sh: needs root to add the arm64 architecture" >&2
	exit 1
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
	$SUDO apt-get update -q >/dev/null
fi
mkdir -p "$dir/debs"
# apt-get download writes into the current folder, as _apt when it can.
chmod 0777 "$dir/debs"
(cd "$dir/debs" && apt-get download -q check:arm64 libsubunit-dev:arm64 \
	libsubunit0:arm64 >/dev/null 2>&1) || {
	$SUDO apt-get update -q >/dev/null
	(cd "$dir/debs" && apt-get download -q check:arm64 libsubunit-dev:arm64 \
		libsubunit0:arm64 >/dev/null 2>&1)
}
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
[ -e "$lib/libcheck.a" ] && [ -e "$lib/libsubunit.a" ] || {
	echo "arm64_check.sh: no libcheck.a / libsubunit.a in the packages" >&2
	exit 1
}
echo "$dir"
