#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install_test.sh - install Spillway with the top-level Makefile and build
# the README example against the installed copy with pkg-config alone.
#
#   bash tests/install_test.sh
#
# 1. a staged install (PREFIX=/opt/spw DESTDIR=<tmp>): every file is there
#    (the shared library as libspillway.so.ABI.MINOR.PATCH with soname
#    libspillway.so.ABI, the CMake package, the manual pages), DESTDIR does
#    not leak into spillway.pc, the CMake package or the spwgen wrapper,
#    and make uninstall leaves no file behind;
# 2. a staged install with PREFIX=<tmp>/prefix, moved to that PREFIX, then
#    used with nothing from the repository but examples/readme.c (copied
#    out): the installed spwgen generates the u64 channel, the example is
#    compiled with pkg-config's flags, linked statically and dynamically,
#    and prints "received: 1 3 2 4 6 5"; man -M <prefix>/share/man shows
#    the manual pages; make uninstall removes it all.
#
# Prints one line per check and ends with "N passed, M failed" (the
# counter of tests/lib.sh); exits non-zero on any failure. Needs make,
# pkg-config, a C compiler (CC, default cc), python3 with jinja2, binutils
# (readelf) and man-db; no network. The build goes to a temporary folder,
# not build/.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
mkdir -p "$tmp/logs"
T_LOG_DIR=$tmp/logs
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

# The shared library's soname follows the runtime ABI; its real name is
# the soname and SPW_VERSION's MINOR.PATCH (docs/install.md).
abi=$(sed -n 's/^#define SPW_RUNTIME_ABI \([0-9]*\)$/\1/p' "$root/runtime/spillway_runtime.h")
version=$(sed -n 's/^#define SPW_VERSION "\(.*\)"$/\1/p' "$root/runtime/spillway_runtime.h")
minor_patch=${version#*.}
soname=libspillway.so.$abi
real=libspillway.so.$abi.$minor_patch

# check DESCRIPTION COMMAND...: run COMMAND, record and print the result
# (its output is shown when it fails).
check() {
	t_run "$@"
}

# mk ARGS...: the repository's Makefile, building into the temporary folder.
mk() {
	make -C "$root" --no-print-directory BUILDDIR="$tmp/build" "$@"
}

# no_files DIR: DIR holds no file or symlink (empty folders are fine).
no_files() {
	local left
	left=$(find "$1" \( -type f -o -type l \) -print)
	[ -z "$left" ] || {
		echo "left behind:"
		echo "$left"
		return 1
	}
}

# installed_files ROOT: every file make install must create under ROOT.
installed_files() {
	local r=$1 f
	for f in bin/spwgen lib/libspillway.a lib/libspillway.so \
		"lib/$soname" "lib/$real" lib/pkgconfig/spillway.pc \
		lib/cmake/Spillway/SpillwayConfig.cmake \
		lib/cmake/Spillway/SpillwayConfigVersion.cmake \
		lib/cmake/Spillway/SpillwayChannel.cmake \
		include/spillway/spillway_runtime.h \
		include/spillway/spillway_core.h \
		share/spillway/python/spwgen.py \
		share/spillway/templates/spillway.h.j2 \
		share/spillway/templates/spillway.c.j2 \
		$(man_pages); do
		[ -e "$r/$f" ] || {
			echo "missing: $r/$f"
			return 1
		}
	done
	[ -x "$r/bin/spwgen" ] || {
		echo "not executable: $r/bin/spwgen"
		return 1
	}
}

# man_pages: the installed paths of the repository's manual pages
# (man/*.1 and man/*.3), if it has any.
man_pages() {
	local page
	for page in "$root"/man/*.1 "$root"/man/*.3; do
		[ -f "$page" ] || continue
		echo "share/man/man${page##*.}/${page##*/}"
	done
}

# library_names DIR: the real file, the soname link and the -l link.
library_names() {
	local d=$1
	[ -f "$d/$real" ] && [ ! -L "$d/$real" ] || {
		echo "$d/$real is not a file"
		return 1
	}
	[ "$(readlink "$d/$soname")" = "$real" ] || {
		echo "$d/$soname does not point to $real"
		return 1
	}
	[ "$(readlink "$d/libspillway.so")" = "$soname" ] || {
		echo "$d/libspillway.so does not point to $soname"
		return 1
	}
	# Only the library files of this version: no other libspillway.so.*.
	local others
	others=$(find "$d" -maxdepth 1 -name 'libspillway.so.*' ! -name "$soname" ! -name "$real")
	[ -z "$others" ] || {
		echo "unexpected: $others"
		return 1
	}
}

# lacks FILE STRING: STRING does not occur in FILE (and FILE exists).
lacks() {
	[ -f "$1" ] && ! grep -F -- "$2" "$1"
}

# grep_out STRING COMMAND...: COMMAND succeeds and prints STRING.
grep_out() {
	local want=$1 out status
	shift
	out=$("$@" 2>&1)
	status=$?
	if [ "$status" -ne 0 ]; then
		echo "$out"
		echo "exit status $status"
		return 1
	fi
	echo "$out"
	grep -qF -- "$want" <<<"$out"
}

# both COMMAND1... -- COMMAND2...: run COMMAND1, then COMMAND2 if it succeeded.
both() {
	local first=()
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		first+=("$1")
		shift
	done
	shift
	"${first[@]}" && "$@"
}

# --- 1. staged install to /opt/spw ----------------------------------------

stage=$tmp/stage
pc=$stage/opt/spw/lib/pkgconfig/spillway.pc
wrapper=$stage/opt/spw/bin/spwgen

check "make builds libspillway.a and $real" \
	mk all
check "build/: $real, $soname -> $real, libspillway.so -> $soname" \
	library_names "$tmp/build"
check "shared library's soname is $soname (SPW_RUNTIME_ABI)" \
	grep_out "Library soname: [$soname]" readelf -d "$tmp/build/libspillway.so"
check "make install PREFIX=/opt/spw DESTDIR=... installs every file" \
	both mk install PREFIX=/opt/spw DESTDIR="$stage" -- installed_files "$stage/opt/spw"
check "installed: $real, $soname -> $real, libspillway.so -> $soname" \
	library_names "$stage/opt/spw/lib"
check "spillway.pc has prefix=/opt/spw" \
	grep -x 'prefix=/opt/spw' "$pc"
check "spillway.pc does not mention DESTDIR" \
	lacks "$pc" "$stage"
check "spillway.pc: spwgen=/opt/spw/bin/spwgen (for build systems that run it)" \
	grep -x 'spwgen=/opt/spw/bin/spwgen' "$pc"
check "spwgen wrapper runs /opt/spw/share/spillway/python/spwgen.py" \
	grep -F '/opt/spw/share/spillway/python/spwgen.py' "$wrapper"
check "spwgen wrapper does not mention DESTDIR" \
	lacks "$wrapper" "$stage"
cmake_config=$stage/opt/spw/lib/cmake/Spillway/SpillwayConfig.cmake
check "SpillwayConfig.cmake names /opt/spw/lib/$real" \
	grep -F "\"/opt/spw/lib/$real\"" "$cmake_config"
check "SpillwayConfig.cmake does not mention DESTDIR" \
	lacks "$cmake_config" "$stage"
check "SpillwayConfigVersion.cmake is version $version" \
	grep -F "set(PACKAGE_VERSION \"$version\")" \
	"$stage/opt/spw/lib/cmake/Spillway/SpillwayConfigVersion.cmake"
check "make uninstall PREFIX=/opt/spw DESTDIR=... leaves no file" \
	both mk uninstall PREFIX=/opt/spw DESTDIR="$stage" -- no_files "$stage"

# --- 2. staged install, moved to its PREFIX, then used ---------------------

prefix=$tmp/prefix
stage2=$tmp/stage2

# move_into_place: the staged tree becomes the real prefix.
move_into_place() {
	mv "$stage2$prefix" "$prefix" && rm -rf "$stage2"
}
check "make install PREFIX=<tmp>/prefix DESTDIR=..., moved to PREFIX" \
	both mk install PREFIX="$prefix" DESTDIR="$stage2" -- move_into_place
check "the moved prefix has every file" \
	installed_files "$prefix"

# Only the installed prefix from here on: pkg-config sees no other folder,
# and the example is copied out of the repository so that no repository
# folder is searched for headers.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
export PATH=$prefix/bin:$PATH
work=$tmp/work
mkdir -p "$work/gen"
cp "$root/examples/readme.c" "$work/readme.c"
cd "$work" || exit 1

header_version=$(sed -n 's/^#define SPW_VERSION "\(.*\)"/\1/p' \
	"$prefix/include/spillway/spillway_runtime.h" 2>/dev/null)
modversion=$(pkg-config --modversion spillway 2>&1)
check "pkg-config --modversion spillway ($modversion) is SPW_VERSION" \
	test -n "$header_version" -a "$modversion" = "$header_version"

# spwgen_version: the installed wrapper works from any folder.
spwgen_version() {
	(cd / && spwgen --version)
}
check "installed spwgen --version runs" \
	spwgen_version
check "installed spwgen generates the u64 channel" \
	both spwgen --type uint64_t --name u64 --include '<stdint.h>' --out-dir gen \
	-- test -f gen/spillway_u64.h -a -f gen/spillway_u64.c

flags="-std=c11 -Wall -Wextra -Wpedantic -Werror -O2"
# build_static / build_shared: the example with pkg-config's flags and
# nothing else but the generated folder.
build_static() {
	# shellcheck disable=SC2046,SC2086
	$cc $flags $(pkg-config --cflags spillway) -Igen readme.c gen/spillway_u64.c \
		-Wl,-Bstatic $(pkg-config --libs spillway) -Wl,-Bdynamic -o readme-static &&
		! readelf -d readme-static | grep -F libspillway
}
build_shared() {
	# shellcheck disable=SC2046,SC2086
	$cc $flags $(pkg-config --cflags spillway) -Igen readme.c gen/spillway_u64.c \
		$(pkg-config --libs spillway) -o readme-shared &&
		readelf -d readme-shared | grep -F "Shared library: [libspillway.so.$abi]"
}
check "readme.c builds with libspillway.a (pkg-config flags, -Bstatic)" \
	build_static
check "static readme prints received: 1 3 2 4 6 5" \
	grep_out 'received: 1 3 2 4 6 5' timeout 20 ./readme-static
check "readme.c builds with libspillway.so.$abi (pkg-config flags)" \
	build_shared
check "shared readme prints received: 1 3 2 4 6 5 (LD_LIBRARY_PATH)" \
	grep_out 'received: 1 3 2 4 6 5' \
	env LD_LIBRARY_PATH="$prefix/lib" timeout 20 ./readme-shared

# The manual pages (man/ in the repository), if they have been written.
# man_shows SECTION PAGE: man -M <prefix>/share/man SECTION PAGE prints
# the page, which names PAGE.
man_shows() {
	local out
	out=$(MANPAGER=cat MANWIDTH=80 man -M "$prefix/share/man" "$1" "$2" 2>&1) || {
		echo "$out"
		return 1
	}
	echo "$out" | head -5
	grep -qi -- "$2" <<<"$out"
}
for page in spwgen.1 spillway.3; do
	if [ -f "$root/man/$page" ]; then
		check "man -M <prefix>/share/man ${page##*.} ${page%.*} shows man/$page" \
			man_shows "${page##*.}" "${page%.*}"
	else
		echo "note: man/$page does not exist (yet): man -M check skipped"
	fi
done

cd "$tmp" || exit 1
check "make uninstall PREFIX=<tmp>/prefix leaves no file" \
	both mk uninstall PREFIX="$prefix" -- no_files "$prefix"

t_done
