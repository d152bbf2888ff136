# SPDX-License-Identifier: MIT
"""spillway_channel(): generate a typed Spillway channel and wrap it in a cc_library.

Usage (BUILD.bazel), in Spillway's own workspace:

    load("//generator:defs.bzl", "spillway_channel")

or in another workspace that declares Spillway as a repository named
`spillway` (see docs/bazel.md and examples/bazel_external/):

    load("@spillway//generator:defs.bzl", "spillway_channel")

then

    spillway_channel(
        name = "order_channel",
        type = "struct order",      # C element type
        type_name = "order",        # -> spillway_order.h / spillway_order.c
        hdrs = ["order.h"],         # header(s) declaring the type
        # prefix = "spw",           # -> spw_order_send(), ...
    )

Dependents (same or other package) then `#include "spillway_order.h"`.

Spillway's own targets (the generator, the templates, the runtime) are named
with Label(), which resolves against the repository this file lives in, so
the rule works whatever the caller's workspace is and whatever name it gives
Spillway's repository.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

_SPWGEN = Label("//generator:spwgen.py")
_SPWGEN_SRCS = Label("//generator:spwgen_srcs")
_TEMPLATES = Label("//templates:templates")
_RUNTIME = Label("//runtime:spillway_runtime")

_PASS_MODES = ["auto", "value", "pointer"]

def _repo_relative(f):
    """Path of File `f` relative to the root of its repository.

    short_path is "pkg/x.h" in the main repository and "../repo/pkg/x.h" in
    an external one, for source and generated files alike.
    """
    path = f.short_path
    if path.startswith("../"):
        path = path.split("/", 2)[2]
    return path

def _include_spelling(hdr, label, package_relative):
    """How the generated header spells `#include "..."` for `hdr`.

    A header of the calling package (same repository, same package) is
    spelled relative to the package when the cc_library puts the package
    directory on the include path (`includes` contains "."; the default):
    `#include "order.h"`. Anything else is spelled relative to the root of
    the header's repository (`#include "types/order.h"`): Bazel always puts
    the root of the compiled target's repository, source and generated, on
    the quote include path, and passes those of each dependency's
    repository on to dependents. So a header from another repository
    should come with a cc_library of that repository in `deps`.
    """
    path = _repo_relative(hdr)
    if (package_relative and
        hdr.owner.workspace_root == label.workspace_root and
        hdr.owner.package == label.package):
        prefix = label.package + "/" if label.package else ""
        return path[len(prefix):]
    return path

def _spillway_gen_impl(ctx):
    out_h = ctx.outputs.out_h
    out_c = ctx.outputs.out_c

    templates = ctx.files._templates
    if not templates:
        fail("%s is empty" % _TEMPLATES)
    template_dir = templates[0].dirname

    args = ctx.actions.args()
    args.add(ctx.file._spwgen)
    args.add("--type", ctx.attr.c_type)
    args.add("--name", ctx.attr.type_name)
    for hdr in ctx.files.hdrs:
        spelling = _include_spelling(hdr, ctx.label, ctx.attr.package_relative)
        args.add("--include", '"%s"' % spelling)
    for inc in ctx.attr.system_hdrs:
        args.add("--include", inc)

    # Only a non-default mode is passed on: spwgen's own default is "auto".
    if ctx.attr.pass_by != "auto":
        args.add("--pass", ctx.attr.pass_by)

    # Likewise the prefix (spwgen's default is "spw"; spwgen checks it).
    if ctx.attr.prefix != "spw":
        args.add("--prefix", ctx.attr.prefix)
    args.add("--template-dir", template_dir)
    args.add("--out-dir", out_h.dirname)

    ctx.actions.run_shell(
        # python3 from PATH (pyenv or Debian's /usr/bin/python3; both need jinja2).
        # Not a py_binary: Bazel 4's Python stub wants `/usr/bin/env python`.
        command = 'exec python3 "$@"',
        arguments = [args],
        inputs = depset(
            direct = [ctx.file._spwgen] + ctx.files.hdrs,
            transitive = [depset(ctx.files._spwgen_srcs), depset(templates)],
        ),
        outputs = [out_h, out_c],
        use_default_shell_env = True,
        mnemonic = "SpwGen",
        progress_message = "Generating Spillway channel %s (%s)" % (ctx.attr.type_name, ctx.label),
    )
    return [DefaultInfo(files = depset([out_h, out_c]))]

_spillway_gen = rule(
    implementation = _spillway_gen_impl,
    attrs = {
        "c_type": attr.string(mandatory = True),
        "type_name": attr.string(mandatory = True),
        "hdrs": attr.label_list(allow_files = [".h"]),
        "package_relative": attr.bool(default = True),
        "system_hdrs": attr.string_list(),
        "pass_by": attr.string(default = "auto", values = _PASS_MODES),
        "prefix": attr.string(default = "spw"),
        # Predeclared outputs (attr.output) so the macro's cc_library can name
        # them by file label; spwgen.py writes them into --out-dir.
        "out_h": attr.output(mandatory = True),
        "out_c": attr.output(mandatory = True),
        # Label(): Spillway's repository, not the caller's.
        "_spwgen": attr.label(
            default = _SPWGEN,
            allow_single_file = True,
        ),
        "_spwgen_srcs": attr.label(default = _SPWGEN_SRCS),
        "_templates": attr.label(default = _TEMPLATES),
    },
)

def spillway_channel(
        name,
        type,
        type_name,
        hdrs = [],
        system_hdrs = [],
        includes = None,
        deps = [],
        pass_by = "auto",
        prefix = "spw",
        visibility = None,
        **kwargs):
    """Generates spillway_<type_name>.{h,c} and wraps them in cc_library `name`.

    Args:
      name: name of the resulting cc_library.
      type: C element type, e.g. "struct order" or "uint64_t".
      type_name: identifier used in generated names/files, e.g. "order".
      hdrs: headers declaring `type`; included by the generated header and
        re-exported by the library.
      system_hdrs: headers from the system or the toolchain that declare
        `type`, spelled as spwgen's --include takes them, e.g. ["<time.h>"]
        for "struct timespec"; included after `hdrs`. spwgen checks the
        spelling (a bad one fails the build with its one-line error).
      includes: include dirs of the cc_library; default ["."] (the package
        dir, source and generated) so `#include "spillway_<type_name>.h"` works,
        or [] in a repository's root package (whose directory is always on
        the include path; Bazel refuses "." there).
        Without "." the generated header includes `hdrs` by their path from
        their repository's root, and dependents include it the same way
        (e.g. `#include "pkg/spillway_order.h"`).
      deps: extra cc deps (Spillway's runtime is always added).
      pass_by: how spw_<type_name>_send takes its value: "value" (T),
        "pointer" (const T *) or "auto" (spwgen's default: by value for
        arithmetic types, enums and pointers, by pointer for structs,
        unions and other typedef names). Needs a spwgen with `--pass`
        unless left at "auto".
      prefix: symbol prefix of the generated API: functions
        <prefix>_<type_name>_send() and so on (spwgen --prefix). The file
        names stay spillway_<type_name>.h/.c, so two channels of one
        type_name with different prefixes must live in different packages.
        Needs a spwgen with `--prefix` unless left at "spw".
      visibility: visibility of the cc_library.
      **kwargs: passed to cc_library (e.g. testonly, tags, copts; copts
        come after the rule's own -O2, so "-O0" there wins).
    """
    if pass_by not in _PASS_MODES:
        fail("spillway_channel %s: pass_by must be one of %s, not %r" %
             (name, ", ".join(_PASS_MODES), pass_by))
    if includes == None:
        # The package directory, except in a repository's root package:
        # Bazel refuses includes = ["."] there, and the repository root is
        # on the quote include path anyway.
        includes = ["."] if native.package_name() else []
    gen = name + "_spwgen"
    _spillway_gen(
        name = gen,
        c_type = type,
        type_name = type_name,
        hdrs = hdrs,
        system_hdrs = system_hdrs,
        package_relative = "." in includes or not native.package_name(),
        pass_by = pass_by,
        prefix = prefix,
        out_h = "spillway_%s.h" % type_name,
        out_c = "spillway_%s.c" % type_name,
        visibility = ["//visibility:private"],
        testonly = kwargs.get("testonly", False),
        tags = kwargs.get("tags", []),
    )
    # The channel is compiled optimized in every compilation mode (Bazel's
    # default fastbuild is -O0): a user's debug build still gets the fast
    # send path. copts apply to this library's own source only.
    cc_library(
        name = name,
        srcs = ["spillway_%s.c" % type_name],
        hdrs = ["spillway_%s.h" % type_name] + hdrs,
        copts = ["-O2"] + kwargs.pop("copts", []),
        includes = includes,
        deps = [_RUNTIME] + deps,
        visibility = visibility,
        **kwargs
    )
