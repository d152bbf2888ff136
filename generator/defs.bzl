"""spillway_channel(): generate a typed Spillway channel and wrap it in a cc_library.

Usage (BUILD.bazel):

    load("//generator:defs.bzl", "spillway_channel")

    spillway_channel(
        name = "order_channel",
        type = "struct order",      # C element type
        type_name = "order",        # -> spillway_order.h / spillway_order.c
        hdrs = ["order.h"],         # header(s) declaring the type
    )

Dependents (same or other package) then `#include "spillway_order.h"`.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def _include_spelling(hdr, package):
    """How the generated header spells `#include "..."` for `hdr`.

    Headers of the calling package are spelled relative to that package (the
    cc_library puts the package directory on the include path); anything else
    is spelled relative to the workspace root, which is always searched.
    """
    if hdr.owner.workspace_root == "" and hdr.owner.package == package:
        prefix = package + "/" if package else ""
        return hdr.short_path[len(prefix):]
    return hdr.short_path

def _spillway_gen_impl(ctx):
    out_h = ctx.outputs.out_h
    out_c = ctx.outputs.out_c

    templates = ctx.files._templates
    if not templates:
        fail("//templates:templates is empty")
    template_dir = templates[0].dirname

    args = ctx.actions.args()
    args.add(ctx.file._spwgen)
    args.add("--type", ctx.attr.c_type)
    args.add("--name", ctx.attr.type_name)
    for hdr in ctx.files.hdrs:
        args.add("--include", '"%s"' % _include_spelling(hdr, ctx.label.package))
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
        # Predeclared outputs (attr.output) so the macro's cc_library can name
        # them by file label; spwgen.py writes them into --out-dir.
        "out_h": attr.output(mandatory = True),
        "out_c": attr.output(mandatory = True),
        "_spwgen": attr.label(
            default = "//generator:spwgen.py",
            allow_single_file = True,
        ),
        "_spwgen_srcs": attr.label(default = "//generator:spwgen_srcs"),
        "_templates": attr.label(default = "//templates:templates"),
    },
)

def spillway_channel(name, type, type_name, hdrs = [], includes = None, deps = [], visibility = None, **kwargs):
    """Generates spillway_<type_name>.{h,c} and wraps them in cc_library `name`.

    Args:
      name: name of the resulting cc_library.
      type: C element type, e.g. "struct order" or "uint64_t".
      type_name: identifier used in generated names/files, e.g. "order".
      hdrs: headers declaring `type`; included by the generated header and
        re-exported by the library.
      includes: include dirs of the cc_library; default ["."] (the package
        dir, source and generated) so `#include "spillway_<type_name>.h"` works.
      deps: extra cc deps (//runtime:spillway_runtime is always added).
      visibility: visibility of the cc_library.
      **kwargs: passed to cc_library (e.g. testonly, tags, copts).
    """
    gen = name + "_spwgen"
    _spillway_gen(
        name = gen,
        c_type = type,
        type_name = type_name,
        hdrs = hdrs,
        out_h = "spillway_%s.h" % type_name,
        out_c = "spillway_%s.c" % type_name,
        visibility = ["//visibility:private"],
        testonly = kwargs.get("testonly", False),
        tags = kwargs.get("tags", []),
    )
    cc_library(
        name = name,
        srcs = ["spillway_%s.c" % type_name],
        hdrs = ["spillway_%s.h" % type_name] + hdrs,
        includes = ["."] if includes == None else includes,
        deps = ["//runtime:spillway_runtime"] + deps,
        visibility = visibility,
        **kwargs
    )
