#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dist_test.sh - the release tarball works on its own: make dist writes
# spillway-X.Y.Z.tar.gz (X.Y.Z = SPW_VERSION of git HEAD) from git HEAD,
# reproducibly; unpacked in an empty folder, with nothing from the
# repository, it builds, installs (make install PREFIX=<tmp>) and the
# installed spwgen and pkg-config file build the README example, which
# prints "received: 1 3 2 4 6 5".
#
#   bash tests/dist_test.sh
#
# Prints one line per check and ends with "N passed, M failed" (the
# counter of tests/lib.sh); exits non-zero on any failure. Needs git, make,
# tar, gzip, pkg-config, a C compiler (CC, default cc) and python3 with
# jinja2. Everything happens in a temporary folder.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs" "$tmp/dist" "$tmp/dist2" "$tmp/unpack" "$tmp/work"
T_LOG_DIR=$tmp/logs
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"
cc=${CC:-cc}

version=$(git -C "$root" show HEAD:runtime/spillway_runtime.h |
	sed -n 's/^#define SPW_VERSION "\(.*\)"$/\1/p')
dist_name=spillway-$version
tarball=$tmp/dist/$dist_name.tar.gz

t_run "make dist writes $dist_name.tar.gz (SPW_VERSION of HEAD: $version)" \
	sh -c 'make -C "$1" --no-print-directory BUILDDIR="$2/build" DISTDIR="$2/dist" dist &&
		test -s "$3"' sh "$root" "$tmp" "$tarball"

# Every entry is under spillway-X.Y.Z/, and the files needed to build,
# install and use spwgen are there.
tar -tzf "$tarball" >"$tmp/list.txt" 2>"$tmp/logs/tar.err"
one_folder() {
	local other
	other=$(grep -v "^$dist_name/" "$tmp/list.txt")
	[ -s "$tmp/list.txt" ] && [ -z "$other" ] || {
		echo "outside $dist_name/: $other"
		return 1
	}
}
t_run "every entry is under $dist_name/ ($(wc -l <"$tmp/list.txt") entries)" one_folder
has_files() {
	local f missing=0
	for f in LICENSE CHANGELOG.md README.md Makefile CMakeLists.txt \
		runtime/spillway_runtime.c runtime/spillway_runtime.h runtime/spillway_core.h \
		runtime/spillway.pc.in runtime/spillway.map generator/spwgen.py \
		templates/spillway.h.j2 templates/spillway.c.j2 \
		cmake/SpillwayConfig.cmake.in cmake/SpillwayConfigVersion.cmake.in \
		cmake/SpillwayChannel.cmake examples/readme.c generated/spillway_u64.c \
		docs/install.md; do
		grep -qxF "$dist_name/$f" "$tmp/list.txt" || {
			echo "missing: $f"
			missing=1
		}
	done
	[ "$missing" -eq 0 ]
}
t_run "the tarball has what building, installing and spwgen need" has_files
# The same files as git HEAD.
git -C "$root" ls-tree -r --name-only HEAD | sed "s|^|$dist_name/|" | sort >"$tmp/head.txt"
t_run "the tarball's files are exactly git HEAD's" \
	sh -c 'grep -v "/\$" "$1" | sort | diff "$2" -' sh "$tmp/list.txt" "$tmp/head.txt"

t_run "make dist again gives the same bytes (reproducible)" \
	sh -c 'make -C "$1" --no-print-directory BUILDDIR="$2/build" DISTDIR="$2/dist2" dist &&
		cmp "$2/dist/$3.tar.gz" "$2/dist2/$3.tar.gz"' sh "$root" "$tmp" "$dist_name"

# --- from the unpacked tarball alone ---------------------------------------

t_run "unpacks into an empty folder" tar -xzf "$tarball" -C "$tmp/unpack"
src=$tmp/unpack/$dist_name
prefix=$tmp/prefix
t_run "make in the unpacked tree" make -C "$src" --no-print-directory
t_run "make install PREFIX=<tmp>/prefix from the unpacked tree" \
	make -C "$src" --no-print-directory install PREFIX="$prefix"
# The manual pages the tarball has are installed.
man_installed() {
	local page found=0
	for page in "$src"/man/*.1 "$src"/man/*.3; do
		[ -f "$page" ] || continue
		found=1
		[ -f "$prefix/share/man/man${page##*.}/${page##*/}" ] || {
			echo "not installed: ${page##*/}"
			return 1
		}
	done
	[ "$found" -eq 1 ] || echo "(the tarball has no manual pages)"
}
t_run "the tarball's manual pages (man/*.1, man/*.3) are installed" man_installed
t_expect "make dist in the unpacked tree (no git checkout) refuses with a message" \
	"needs Spillway's git checkout" \
	sh -c '! make -C "$1" --no-print-directory dist 2>&1' sh "$src"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
export PATH=$prefix/bin:$PATH
cp "$src/examples/readme.c" "$tmp/work/"
cd "$tmp/work" || exit 1
t_expect "pkg-config --modversion spillway is $version" "$version" \
	pkg-config --modversion spillway
t_run "the installed spwgen generates the u64 channel" \
	spwgen --type uint64_t --name u64 --include '<stdint.h>' --out-dir .
# shellcheck disable=SC2046
t_run "readme.c builds with the installed Spillway (pkg-config)" \
	$cc -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 readme.c spillway_u64.c \
	$(pkg-config --cflags --libs spillway) -o readme
t_expect "the README example prints received: 1 3 2 4 6 5" "received: 1 3 2 4 6 5" \
	env LD_LIBRARY_PATH="$prefix/lib" timeout 20 ./readme

t_done
