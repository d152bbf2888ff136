# Makefile - build and install Spillway without Bazel (GNU make).
#
# The project's main build is Bazel; this file is for installing Spillway
# and for users of other build systems, who then need only pkg-config.
#
#   make                         build/libspillway.a and build/libspillway.so*
#   make install                 install under PREFIX (default /usr/local)
#   make install DESTDIR=/tmp/s  staged install: files go to /tmp/s$(PREFIX)
#   make uninstall               remove what make install installed
#   make check                   build and run examples/readme.c against
#                                build/libspillway.a (checked-in u64 channel)
#   make check-install           run tests/install_test.sh
#   make clean                   remove the build folder
#
# Honoured variables: CC, CPPFLAGS, CFLAGS, LDFLAGS, AR, PYTHON, BUILDDIR,
# PREFIX, DESTDIR, BINDIR, LIBDIR, INCLUDEDIR, DATADIR. Paths must not
# contain spaces or '|'. docs/install.md describes the installed layout.

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
PKGCONFIGDIR = $(LIBDIR)/pkgconfig
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
SHARED_REAL = libspillway.so.$(VERSION)
SHARED_SONAME = libspillway.so.$(SOVERSION)
SHARED_LINK = libspillway.so

TEMPLATES = $(wildcard templates/*.j2)

.PHONY: all install uninstall clean check check-install

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
$(BUILDDIR)/$(SHARED_REAL): $(BUILDDIR)/spillway_runtime.o
	$(CC) -shared -Wl,-soname,$(SHARED_SONAME) $(SPW_CFLAGS) $(CFLAGS) $(LDFLAGS) \
		-o $@ $(BUILDDIR)/spillway_runtime.o

$(BUILDDIR)/$(SHARED_LINK): $(BUILDDIR)/$(SHARED_REAL)
	ln -sf $(SHARED_REAL) $(BUILDDIR)/$(SHARED_SONAME)
	ln -sf $(SHARED_SONAME) $(BUILDDIR)/$(SHARED_LINK)

# ---- install -------------------------------------------------------------

# spillway.pc and the spwgen wrapper are written here, at install time, with
# the real PREFIX (never DESTDIR): a staged tree works once it is moved to
# PREFIX.
install: all
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(SPW_INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(SPW_DATADIR)/python $(DESTDIR)$(SPW_DATADIR)/templates
	# the runtime library, static and shared
	$(INSTALL) -m 644 $(BUILDDIR)/$(STATIC_LIB) $(DESTDIR)$(LIBDIR)/$(STATIC_LIB)
	$(INSTALL) -m 755 $(BUILDDIR)/$(SHARED_REAL) $(DESTDIR)$(LIBDIR)/$(SHARED_REAL)
	ln -sf $(SHARED_REAL) $(DESTDIR)$(LIBDIR)/$(SHARED_SONAME)
	ln -sf $(SHARED_SONAME) $(DESTDIR)$(LIBDIR)/$(SHARED_LINK)
	# the headers
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(SPW_INCLUDEDIR)/
	# the pkg-config file
	sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(SPW_INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' \
	    runtime/spillway.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/spillway.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/spillway.pc
	# the generator, its templates and the spwgen command
	$(INSTALL) -m 644 generator/spwgen.py $(DESTDIR)$(SPW_DATADIR)/python/spwgen.py
	$(INSTALL) -m 644 $(TEMPLATES) $(DESTDIR)$(SPW_DATADIR)/templates/
	printf '#!/bin/sh\n# spwgen - generate a typed Spillway channel (installed by make install).\nexec %s "%s" "$$@"\n' \
		'$(PYTHON)' '$(SPW_DATADIR)/python/spwgen.py' > $(DESTDIR)$(BINDIR)/spwgen
	chmod 755 $(DESTDIR)$(BINDIR)/spwgen

# Removes exactly the files above, then the folders that are Spillway's own
# (include/spillway, share/spillway) if they are empty. Give it the same
# PREFIX, DESTDIR and folder variables as make install.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(STATIC_LIB) \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_REAL) \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_SONAME) \
	      $(DESTDIR)$(LIBDIR)/$(SHARED_LINK) \
	      $(DESTDIR)$(SPW_INCLUDEDIR)/spillway_runtime.h \
	      $(DESTDIR)$(SPW_INCLUDEDIR)/spillway_core.h \
	      $(DESTDIR)$(PKGCONFIGDIR)/spillway.pc \
	      $(DESTDIR)$(SPW_DATADIR)/python/spwgen.py \
	      $(DESTDIR)$(BINDIR)/spwgen
	rm -f $(DESTDIR)$(SPW_DATADIR)/templates/*.j2
	rmdir $(DESTDIR)$(SPW_INCLUDEDIR) $(DESTDIR)$(SPW_DATADIR)/python \
	      $(DESTDIR)$(SPW_DATADIR)/templates $(DESTDIR)$(SPW_DATADIR) 2>/dev/null || true

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

clean:
	rm -rf $(BUILDDIR)
