#!/usr/bin/env python3
"""spwgen - generate a typed Spillway channel for C.

    spwgen --type 'struct order' --name order --include '"order.h"' --out-dir DIR

writes DIR/spillway_order.h and DIR/spillway_order.c, one per template in
templates/. The output is deterministic: the same arguments always give the
same bytes. Bad input is reported on one line and nothing is written.

Exit status: 0 ok, 1 generation error, 2 usage error.
"""

import argparse
import os
import re
import shlex
import sys
import tempfile

VERSION = "0.1.0"
# Must equal SPW_RUNTIME_ABI in runtime/spillway_runtime.h (a test checks).
RUNTIME_ABI = 3

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

MAX_NAME = 64

# C11 keywords, plus C23's and the common macro keywords from <stdbool.h>.
C_KEYWORDS = frozenset("""
    auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed
    sizeof static struct switch typedef union unsigned void volatile while
    _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn
    _Static_assert _Thread_local
    alignas alignof bool constexpr false nullptr static_assert thread_local
    true typeof typeof_unqual _BitInt _Decimal32 _Decimal64 _Decimal128
""".split())

# Keywords that may appear in an element type.
TYPE_KEYWORDS = frozenset("""
    char short int long signed unsigned float double _Bool void
    struct union enum const volatile
""".split())
TAG_KEYWORDS = frozenset(("struct", "union", "enum"))
QUALIFIERS = frozenset(("const", "volatile"))

# First words of the generated function names that contain '_'
# (try_recv, recv_batch, send_many, sender_clone, receiver_close,
# channel_with, ...). A name ending in '_<one of these>' would make
# spw_<name>_<f> equal another channel's spw_<prefix>_<g>.
CLASHING_SEGMENTS = frozenset(
    ("try", "recv", "send", "sender", "receiver", "channel"))

# Basic type specifiers and how often each may appear.
BASIC_SPECIFIERS = {"char": 1, "short": 1, "int": 1, "long": 2,
                    "signed": 1, "unsigned": 1, "float": 1, "double": 1,
                    "_Bool": 1, "void": 1}

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*)")

TEMPLATES = ("spillway.h.j2", "spillway.c.j2")

# How spw_<name>_send takes its value (--pass).
PASS_MODES = ("auto", "value", "pointer")
DEFAULT_PASS = "auto"

# Typedef names of the standard headers (<stdint.h>, <stddef.h>,
# <stdbool.h>, <uchar.h>, <wchar.h>, <time.h>, <signal.h>, <sys/types.h>)
# that are arithmetic types, so cheap to pass by value.
SCALAR_TYPEDEFS = frozenset("""
    intptr_t uintptr_t intmax_t uintmax_t size_t ssize_t ptrdiff_t
    off_t pid_t uid_t gid_t mode_t dev_t ino_t nlink_t id_t
    blksize_t blkcnt_t time_t clock_t useconds_t suseconds_t
    sig_atomic_t bool wchar_t wint_t char8_t char16_t char32_t
""".split())
SCALAR_TYPEDEF = re.compile(r"u?int(?:_least|_fast)?(?:8|16|32|64)_t\Z")


class SpwgenError(Exception):
    """A problem with the input or the output; exit status in .status."""

    def __init__(self, message, status=EXIT_ERROR):
        super().__init__(message)
        self.status = status


def usage_error(message):
    return SpwgenError(message, EXIT_USAGE)


def check_name(name):
    """The channel name becomes part of C identifiers and file names."""
    if not name:
        raise usage_error("--name is empty")
    if len(name) > MAX_NAME:
        raise usage_error("--name is longer than %d characters" % MAX_NAME)
    if not NAME.match(name):
        raise usage_error(
            "--name %r is not a C identifier starting with a letter "
            "(letters, digits and '_')" % name)
    if name in C_KEYWORDS:
        raise usage_error("--name %r is a C keyword" % name)
    last = name.rsplit("_", 1)[-1] if "_" in name else None
    if last in CLASHING_SEGMENTS:
        raise usage_error(
            "--name %r ends in '_%s': its functions would clash with those "
            "of a channel named %r" % (name, last, name.rsplit("_", 1)[0]))
    return name


def tokenize_type(text):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            raise usage_error(
                "--type %r contains %r: only identifiers, keywords and '*' "
                "are allowed (use a typedef for arrays and function "
                "pointers)" % (text, bad))
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def check_specifiers(text, basics):
    """Reject combinations C does not allow, like 'int int' or 'long char'."""
    count = {t: basics.count(t) for t in set(basics)}
    bad = any(n > BASIC_SPECIFIERS[t] for t, n in count.items())
    kinds = [t for t in ("char", "int", "float", "double", "_Bool", "void")
             if t in count]
    sign = "signed" in count or "unsigned" in count
    size = "short" in count or "long" in count
    if len(kinds) > 1 or ("signed" in count and "unsigned" in count):
        bad = True
    if "short" in count and "long" in count:
        bad = True
    if kinds and kinds[0] in ("float", "_Bool", "void") and (sign or size):
        bad = True
    if kinds == ["char"] and size:
        bad = True
    if kinds == ["double"] and (sign or "short" in count
                                or count.get("long", 0) > 1):
        bad = True
    if bad:
        raise usage_error(
            "--type %r is not a valid combination of type specifiers"
            % text)


def check_type(text):
    """Accept a C type name that can be declared as `T x;` and assigned.

    The grammar is deliberately small: type keywords, qualifiers,
    struct/union/enum tags, one typedef name, and '*'. Anything else
    (arrays, function pointers, expressions, comments, preprocessor
    directives) is rejected; a typedef in a user header covers those.
    Returns the normalised spelling (tokens joined by single spaces).
    """
    if "\n" in text or "\r" in text:
        raise usage_error("--type must be on one line")
    tokens = tokenize_type(text)
    if not tokens:
        raise usage_error("--type is empty")
    if tokens[0] == "*":
        raise usage_error("--type %r starts with '*'" % text)
    names = 0
    for i, tok in enumerate(tokens):
        if tok == "*":
            continue
        if tok in C_KEYWORDS and tok not in TYPE_KEYWORDS:
            raise usage_error(
                "--type %r: %r is a C keyword that cannot name a type"
                % (text, tok))
        if tok in TAG_KEYWORDS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or nxt == "*" or nxt in C_KEYWORDS:
                raise usage_error(
                    "--type %r: %r must be followed by a tag name"
                    % (text, tok))
            continue
        if tok in TYPE_KEYWORDS:
            continue
        if tok.startswith("_"):
            raise usage_error(
                "--type %r: %r is a reserved identifier (leading '_')"
                % (text, tok))
        names += 1  # a typedef name, or a tag after struct/union/enum
    basics = [t for t in tokens if t in BASIC_SPECIFIERS]
    if names > 1 or (names and basics):
        raise usage_error(
            "--type %r names more than one type" % text)
    check_specifiers(text, basics)
    # Top level: what follows the last '*', or the whole type.
    stars = [i for i, t in enumerate(tokens) if t == "*"]
    top = tokens[stars[-1] + 1:] if stars else tokens
    if stars and any(t != "*" and t not in QUALIFIERS for t in top):
        raise usage_error("--type %r: a name after '*' is not a type" % text)
    if any(t in QUALIFIERS for t in top):
        raise usage_error(
            "--type %r is qualified (const/volatile) and cannot be "
            "assigned" % text)
    if not stars and "void" in tokens:
        raise usage_error("--type %r: void values cannot be sent" % text)
    if all(t in QUALIFIERS or t == "*" for t in tokens):
        raise usage_error("--type %r has no base type" % text)
    out = ""
    for tok in tokens:
        if tok == "*":
            out += " *" if not out.endswith("*") else "*"
        else:
            out += (" " if out else "") + tok
    return out


# Header names: a conservative character set, so that an include can
# neither leave the #include line nor open or close a comment.
HEADER_CHARS = r"[A-Za-z0-9_.+-]+(?:/[A-Za-z0-9_.+-]+)*"
INCLUDE = re.compile(r'(?:"%s"|<%s>)\Z' % (HEADER_CHARS, HEADER_CHARS))
BARE_INCLUDE = re.compile(HEADER_CHARS + r"\Z")


def check_include(text):
    """'"x.h"', '<x.h>' or a bare 'x.h' (quoted for you)."""
    if not text:
        raise usage_error("--include is empty")
    if INCLUDE.match(text):
        return text
    if BARE_INCLUDE.match(text):
        return '"%s"' % text
    raise usage_error(
        "--include %r is not a header name like \"order.h\" or <stdint.h>"
        % text)


def passes_by_pointer(ctype, mode=DEFAULT_PASS):
    """Whether spw_<name>_send takes `const T *` rather than `T`.

    ctype is a type accepted by check_type. In auto mode, arithmetic
    types, enums, pointers and the standard scalar typedefs go by value;
    structs, unions and other typedef names (maybe large structs) go by
    pointer.
    """
    if mode != "auto":
        return mode == "pointer"
    tokens = ctype.replace("*", " * ").split()
    if "*" in tokens or "enum" in tokens:
        return False
    if "struct" in tokens or "union" in tokens:
        return True
    names = [t for t in tokens
             if t not in TYPE_KEYWORDS and t not in QUALIFIERS]
    if not names:
        return False  # basic type keywords only
    return not (names[0] in SCALAR_TYPEDEFS
                or SCALAR_TYPEDEF.match(names[0]))


def default_template_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(here, os.pardir, "templates"),
                 os.path.join(here, "templates"),
                 os.path.join(here, os.pardir, "share", "spillway",
                              "templates")):
        if os.path.isfile(os.path.join(cand, TEMPLATES[0])):
            return os.path.normpath(cand)
    return os.path.normpath(os.path.join(here, os.pardir, "templates"))


def make_environment(template_dir):
    try:
        import jinja2
    except ImportError:
        raise SpwgenError(
            "the Python module jinja2 is missing "
            "(Debian: apt-get install python3-jinja2)")
    for t in TEMPLATES:
        if not os.path.isfile(os.path.join(template_dir, t)):
            raise SpwgenError("template %s not found in %s"
                              % (t, template_dir))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def command_line(ctype, name, includes, pass_mode=DEFAULT_PASS):
    parts = ["spwgen", "--type", shlex.quote(ctype), "--name", name]
    for inc in includes:
        parts += ["--include", shlex.quote(inc)]
    if pass_mode != DEFAULT_PASS:
        parts += ["--pass", pass_mode]
    parts += ["--out-dir", "DIR"]
    return " ".join(parts)


def render(env, ctype, name, includes, pass_mode=DEFAULT_PASS):
    """Return {file name: text} for one channel type."""
    ctx = {
        "type": ctype,
        "name": name,
        "p": "spw_" + name,
        "P": "SPW_" + name.upper(),
        "guard": "SPILLWAY_%s_H" % name,  # keeps case: abc and ABC differ
        "includes": includes,
        "abi": RUNTIME_ABI,
        "spwgen_version": VERSION,
        "by_pointer": passes_by_pointer(ctype, pass_mode),
        "command": command_line(ctype, name, includes, pass_mode),
    }
    import jinja2
    out = {}
    for t in TEMPLATES:
        fname = "spillway_%s%s" % (name, t[len("spillway"):-len(".j2")])
        try:
            out[fname] = env.get_template(t).render(**ctx)
        except jinja2.TemplateError as e:
            raise SpwgenError("template %s: %s" % (t, e))
    return out


def write_outputs(out_dir, files):
    """Write every file or none: temporary files first, then renames."""
    if not os.path.exists(out_dir):
        raise SpwgenError("output folder %r does not exist" % out_dir)
    if not os.path.isdir(out_dir):
        raise SpwgenError("output folder %r is not a folder" % out_dir)
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise SpwgenError("output folder %r is not writable" % out_dir)
    for fname in sorted(files):
        dest = os.path.join(out_dir, fname)
        if os.path.isdir(dest) or (os.path.lexists(dest)
                                   and not os.path.isfile(dest)):
            raise SpwgenError("%r exists and is not a regular file" % dest)
    temps = []
    try:
        for fname in sorted(files):
            fd, tmp = tempfile.mkstemp(prefix=".spwgen-", dir=out_dir)
            temps.append((tmp, os.path.join(out_dir, fname)))
            with os.fdopen(fd, "wb") as f:
                f.write(files[fname].encode("utf-8"))
            os.chmod(tmp, 0o644)
        for tmp, dest in temps:
            os.replace(tmp, dest)
    except (OSError, UnicodeError) as e:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise SpwgenError("cannot write to %r: %s"
                          % (out_dir, getattr(e, "strerror", None) or e))


class ArgParser(argparse.ArgumentParser):
    def error(self, message):
        raise usage_error(message)


def build_parser():
    p = ArgParser(
        prog="spwgen",
        description="Generate a typed Spillway MPSC channel "
                    "(spillway_NAME.h and spillway_NAME.c) for one C "
                    "element type.",
        epilog="Exit status: 0 ok, 1 generation error, 2 usage error.")
    p.add_argument("--type", required=True, metavar="CTYPE",
                   help="element type, e.g. 'uint64_t', 'void *', "
                        "'struct order' (use a typedef for arrays and "
                        "function pointers)")
    p.add_argument("--name", required=True,
                   help="channel name: functions are spw_NAME_*, files "
                        "spillway_NAME.h/.c")
    p.add_argument("--include", action="append", default=[],
                   metavar="HEADER",
                   help='header that declares the type: "order.h" or '
                        '<stdint.h> (repeatable)')
    p.add_argument("--pass", dest="pass_mode", choices=PASS_MODES,
                   default=DEFAULT_PASS,
                   help="how spw_NAME_send takes its value: 'value' (T), "
                        "'pointer' (const T *) or 'auto' (default: by "
                        "value for arithmetic types, enums, pointers and "
                        "standard scalar typedefs such as uint64_t or "
                        "size_t; by pointer for structs, unions and other "
                        "typedef names)")
    p.add_argument("--out-dir", required=True, metavar="DIR",
                   help="existing folder to write the two files to")
    p.add_argument("--template-dir", metavar="DIR",
                   help="folder of the templates (default: found next to "
                        "spwgen)")
    p.add_argument("--version", action="version",
                   version="spwgen %s (runtime ABI %d)"
                           % (VERSION, RUNTIME_ABI))
    return p


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        name = check_name(args.name)
        ctype = check_type(args.type)
        includes = [check_include(i) for i in args.include]
        env = make_environment(args.template_dir or default_template_dir())
        files = render(env, ctype, name, includes, args.pass_mode)
        write_outputs(args.out_dir, files)
    except SpwgenError as e:
        sys.stderr.write("spwgen: error: %s\n" % e)
        return e.status
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
