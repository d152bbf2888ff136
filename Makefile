# SPDX-License-Identifier: MIT
# Makefile - build and install Spillway without Bazel (GNU make).
#
# The project's main build is Bazel; this file is for installing Spillway
# and for users of other build systems, who then need only pkg-config (or
# CMake's find_package(Spillway CONFIG), docs/cmake.md; Meson,
# docs/meson.md). make install installs the libraries, the headers,
# spillway.pc, the CMake package, spwgen with its templates and the
# manual pages.
#
#   make                         build/libspillway.a and build/libspillway.so*
#   make install                 install under PREFIX (default /usr/local)
#   make install DESTDIR=/tmp/s  staged install: files go to /tmp/s$(PREFIX)
#   make uninstall               remove what make install installed
#   make check                   build and run examples/readme.c against
#                                build/libspillway.a (checked-in u64 channel)
#   make check-install           run tests/install_test.sh
#   make dist                    $(DISTDIR)/spillway-X.Y.Z.tar.gz from git HEAD
#   make clean                   remove the build folder
#
# Honoured variables: CC, CPPFLAGS, CFLAGS, LDFLAGS, AR, PYTHON, BUILDDIR,
# PREFIX, DESTDIR, BINDIR, LIBDIR, INCLUDEDIR, DATADIR, MANDIR, CMAKEDIR,
# PKGCONFIGDIR, DISTDIR. Paths must not contain spaces or '|'.
# docs/install.md describes the installed layout.

# ---- version -------------------------------------------------------------

# The version comes from SPW_VERSION in the runtime header, so there is one
# place to change it.
# ('.define' rather than '#define': '#' inside $(shell) means different
# things to different versions of make.)
VERSION := $(shell sed -n 's/^.define SPW_VERSION "\(.*\)"/\1/p' runtime/spillway_runtime.h)
ifeq ($(VERSION),)
$(error cannot read SPW_VERSION from runtime/spillway_runtime.h)
endif

# The shared library's soname is libspillway.so.$(SOVERSION). Programs
# linked against the shared library contain generated code compiled against
# spillway_core.h, so the soname follows SPW_RUNTIME_ABI: a program built for
# one ABI never loads a library of another.
SOVERSION := $(shell sed -n 's/^.define SPW_RUNTIME_ABI \([0-9]*\)$$/\1/p' runtime/spillway_runtime.h)
ifeq ($(SOVERSION),)
$(error cannot read SPW_RUNTIME_ABI from runtime/spillway_runtime.h)
endif

# The file's real name is the soname followed by the MINOR.PATCH of
# SPW_VERSION: libspillway.so.ABI.MINOR.PATCH (0.2.0 with ABI 3:
# libspillway.so.3.2.0). It starts with the soname, as ldconfig expects,
# and changes with every release.
VERSION_MINOR := $(word 2,$(subst ., ,$(VERSION)))
VERSION_PATCH := $(word 3,$(subst ., ,$(VERSION)))
ifeq ($(VERSION_PATCH),)
$(error SPW_VERSION "$(VERSION)" is not MAJOR.MINOR.PATCH)
endif

# ---- tools and flags -----------------------------------------------------

# CC, AR and LDFLAGS are make's usual variables. CFLAGS is yours to replace;
# the flags the library needs (C11, position-independent code, threads) are
# in SPW_CFLAGS and always added.
CFLAGS = -O2 -Wall -Wextra -Wpedantic
SPW_CFLAGS = -std=c11 -fPIC -pthread
PYTHON = python3

# ---- install locations ---------------------------------------------------

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
DATADIR = $(PREFIX)/share
MANDIR = $(DATADIR)/man
PKGCONFIGDIR = $(LIBDIR)/pkgconfig
# The CMake package (find_package(Spillway CONFIG)): docs/cmake.md.
CMAKEDIR = $(LIBDIR)/cmake/Spillway
DESTDIR =

# The runtime headers go into their own folder; spillway.pc adds
# -I$(INCLUDEDIR)/spillway, so generated files' #include "spillway_runtime.h"
# (the API) and "spillway_core.h" (what generated .c files share with the
# runtime) find them.
SPW_INCLUDEDIR = $(INCLUDEDIR)/spillway
# The generator and its templates. spwgen.py looks for templates in
# <its folder>/../templates, which from python/ is this templates/ folder.
SPW_DATADIR = $(DATADIR)/spillway

INSTALL = install

# ---- build ---------------------------------------------------------------

BUILDDIR = build

STATIC_LIB = libspillway.a
SHARED_REAL = libspillway.so.$(SOVERSION).$(VERSION_MINOR).$(VERSION_PATCH)
SHARED_SONAME = libspillway.so.$(SOVERSION)
SHARED_LINK = libspillway.so

# The linker version script: the one list of the symbols libspillway.so
# exports, in version node SPILLWAY_<ABI> (@ABI@ in the file is replaced);
# tests/symbols_test.sh keeps it honest.
VERSION_SCRIPT = runtime/spillway.map

TEMPLATES = $(wildcard templates/*.j2)
# Manual pages, if there are any: section 1 (spwgen) and 3 (the C API).
MAN1 = $(wildcard man/*.1)
MAN3 = $(wildcard man/*.3)
# The CMake package: SpillwayConfig.cmake and SpillwayConfigVersion.cmake
# are written from their .in files at install time; SpillwayChannel.cmake
# (spillway_add_channel) is the same file the source tree's CMakeLists.txt
# includes.
CMAKE_FILES = cmake/SpillwayChannel.cmake

.PHONY: all install uninstall clean check check-install dist

all: $(BUILDDIR)/$(STATIC_LIB) $(BUILDDIR)/$(SHARED_LINK)

$(BUILDDIR):
	mkdir -p $(BUILDDIR)

# One object serves both libraries (it is built with -fPIC).
HEADERS = runtime/spillway_runtime.h runtime/spillway_core.h

$(BUILDDIR)/spillway_runtime.o: runtime/spillway_runtime.c $(HEADERS) | $(BUILDDIR)
	$(CC) $(SPW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c runtime/spillway_runtime.c -o $@

$(BUILDDIR)/$(STATIC_LIB): $(BUILDDIR)/spillway_runtime.o
	rm -f $@
	$(AR) rcs $@ $(BUILDDIR)/spillway_runtime.o

# libspillway.so.X.Y.Z is the file; libspillway.so.ABI (the soname, what
# programs load) and libspillway.so (what -lspillway finds) are symlinks.
# Only the names in $(VERSION_SCRIPT) are exported.
$(BUILDDIR)/spillway.map: $(VERSION_SCRIPT) runtime/spillway_runtime.h | $(BUILDDIR)
	sed 's/@ABI@/$(SOVERSION)/g' $(VERSION_SCRIPT) > $@

$(BUILDDIR)/$(SHARED_REAL): $(BUILDDIR)/spillway_runtime.o $(BUILDDIR)/spillway.map
	$(CC) -shared -Wl,-soname,$(SHARED_SONAME) \
		-Wl,--version-script=$(BUILDDIR)/spillway.map $(SPW_CFLAGS) $(CFLAGS) $(LDFLAGS) \
		-o $@ $(BUILDDIR)/spillway_runtime.o

$(BUILDDIR)/$(SHARED_LINK): $(BUILDDIR)/$(SHARED_REAL)
	ln -sf $(SHARED_REAL) $(BUILDDIR)/$(SHARED_SONAME)
	ln -sf $(SHARED_SONAME) $(BUILDDIR)/$(SHARED_LINK)

# ---- install -------------------------------------------------------------

# spillway.pc, the CMake package files and the spwgen wrapper are written
# here, at install time, with the real PREFIX (never DESTDIR): a staged
# tree works once it is moved to PREFIX.
SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@BINDIR@|$(BINDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(SPW_INCLUDEDIR)|g' \
	    -e 's|@SPW_DATADIR@|$(SPW_DATADIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@ABI@|$(SOVERSION)|g' \
	    -e 's|@SHARED_REAL@|$(SHARED_REAL)|g' \
	    -e 's|@SHARED_SONAME@|$(SHARED_SONAME)|g' \
	    -e 's|@STATIC_LIB@|$(STATIC_LIB)|g' \
	    -e 's|@SIZEOF_VOID_P@|$(SIZEOF_VOID_P)|g'
# The pointer size the library is built for (SpillwayConfigVersion.cmake).
SIZEOF_VOID_P = $(shell printf '__SIZEOF_POINTER__\n' | $(CC) $(CPPFLAGS) $(CFLAGS) -E -P - 2>/dev/null | tr -d ' ')

install: all
	@test -n "$(SIZEOF_VOID_P)" || { echo "make install: $(CC) -E gives no __SIZEOF_POINTER__" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(SPW_INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(SPW_DATADIR)/python $(DESTDIR)$(SPW_DATADIR)/templates \
		$(DESTDIR)$(CMAKEDIR)
	# the runtime library, static and shared
	$(INSTALL) -m 644 $(BUILDDIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(STATIC_LIB)
	$(INSTALL) -m 755 $(BUILDDIR)/$(SHARED_REAL) $(DESTDIR)$(LIBDIR)/$(SHARED_REAL)
	ln -sf $(SHARED_REAL) $(DESTDIR)$(LIBDIR)/$(SHARED_SONAME)
	ln -sf $(SHARED_SONAME) $(DESTDIR)$(LIBDIR)/$(SHARED_LINK)
	# the headers
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(SPW_INCLUDEDIR)/
	# the pkg-config file
	$(SUBST) runtime/spillway.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/spillway.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/spillway.pc
	# the CMake package
	$(SUBST) cmake/SpillwayConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/SpillwayConfig.cmake
	$(SUBST) cmake/SpillwayConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/SpillwayConfigVersion.cmake
	chmod 644 $(DESTDIR)$(CMAKEDIR)/SpillwayConfig.cmake $(DESTDIR)$(CMAKEDIR)/SpillwayConfigVersion.cmake
	$(INSTALL) -m 644 $(CMAKE_FILES) $(DESTDIR)$(CMAKEDIR)/
	# the generator, its templates and the spwgen command
	$(INSTALL) -m 644 generator/spwgen.py $(DESTDIR)$(SPW_DATADIR)/python/spwgen.py
	$(INSTALL) -m 644 $(TEMPLATES) $(DESTDIR)$(SPW_DATADIR)/templates/
	printf '#!/bin/sh\n# spwgen - generate a typed Spillway channel (installed by make install).\nexec %s "%s" "$$@"\n' \
		'$(PYTHON)' '$(SPW_DATADIR)/python/spwgen.py' > $(DESTDIR)$(BINDIR)/spwgen
	chmod 755 $(DESTDIR)$(BINDIR)/spwgen
	# the manual pages (man/*.1, man/*.3), if any
ifneq ($(MAN1),)
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
endif
ifneq ($(MAN3),)
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
endif

# Removes exactly the files above, then the folders that are Spillway's own
# (include/spillway, share/spillway, lib/cmake/Spillway) if they are empty.
# Give it the same PREFIX, DESTDIR and folder variables as make install.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(STATIC_LIB) \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_REAL) \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_SONAME) \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_LINK) \
	      $(DESTDIR)$(SPW_INCLUDEDIR)/spillway_runtime.h \
	      $(DESTDIR)$(SPW_INCLUDEDIR)/spillway_core.h \
	      $(DESTDIR)$(PKGCONFIGDIR)/spillway.pc \
	      $(DESTDIR)$(SPW_DATADIR)/python/spwgen.py \
	      $(DESTDIR)$(BINDIR)/spwgen \
	      $(DESTDIR)$(CMAKEDIR)/SpillwayConfig.cmake \
	      $(DESTDIR)$(CMAKEDIR)/SpillwayConfigVersion.cmake \
	      $(addprefix $(DESTDIR)$(CMAKEDIR)/,$(notdir $(CMAKE_FILES))) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3)))
	rm -f $(DESTDIR)$(SPW_DATADIR)/templates/*.j2
	rmdir $(DESTDIR)$(SPW_INCLUDEDIR) $(DESTDIR)$(SPW_DATADIR)/python \
	      $(DESTDIR)$(SPW_DATADIR)/templates $(DESTDIR)$(SPW_DATADIR) \
	      $(DESTDIR)$(CMAKEDIR) 2>/dev/null || true

# ---- checks and cleaning -------------------------------------------------

# The README example with the checked-in u64 channel, linked statically
# against the library just built.
check: $(BUILDDIR)/$(STATIC_LIB)
	$(CC) $(SPW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Iruntime -Igenerated \
		examples/readme.c generated/spillway_u64.c $(BUILDDIR)/$(STATIC_LIB) \
		$(LDFLAGS) -o $(BUILDDIR)/readme
	$(BUILDDIR)/readme | grep 'received: 1 3 2 4 6 5'

check-install:
	bash tests/install_test.sh

# ---- release tarball -----------------------------------------------------

# make dist: spillway-X.Y.Z.tar.gz in DISTDIR (default: the build folder),
# the files of git HEAD under one folder spillway-X.Y.Z/. X.Y.Z is
# SPW_VERSION as HEAD has it. Uncommitted changes are not included. The
# tarball is reproducible: git archive stamps files with the commit's time
# and gzip -n leaves out the name and time.
DISTDIR = $(BUILDDIR)
DIST_VERSION = $(shell git show HEAD:runtime/spillway_runtime.h 2>/dev/null | \
	sed -n 's/^.define SPW_VERSION "\(.*\)"/\1/p')
DIST_NAME = spillway-$(DIST_VERSION)

dist:
	@test "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" && \
		git rev-parse --verify -q HEAD >/dev/null || \
		{ echo "make dist: needs Spillway's git checkout (with a commit) in $(CURDIR)" >&2; exit 1; }
	@test -n "$(DIST_VERSION)" || \
		{ echo "make dist: cannot read SPW_VERSION from HEAD:runtime/spillway_runtime.h" >&2; exit 1; }
	mkdir -p $(DISTDIR)
	git archive --format=tar --prefix=$(DIST_NAME)/ HEAD | gzip -n -9 > $(DISTDIR)/$(DIST_NAME).tar.gz.tmp
	mv $(DISTDIR)/$(DIST_NAME).tar.gz.tmp $(DISTDIR)/$(DIST_NAME).tar.gz
	@git diff --quiet HEAD -- 2>/dev/null || \
		echo "make dist: note: uncommitted changes are not in the tarball (it is HEAD, $$(git rev-parse --short HEAD))"
	@echo "make dist: $(DISTDIR)/$(DIST_NAME).tar.gz"

clean:
	rm -rf $(BUILDDIR)
