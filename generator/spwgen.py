#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""spwgen - generate typed Spillway channels for C.

    spwgen --type 'struct order' --name order --include order.h --out-dir DIR
    spwgen --spec channels.json [--out-dir DIR]

writes spillway_NAME.h and spillway_NAME.c for each channel (and, with
--cxx, the C++17 wrapper spillway_NAME.hpp), one file per template in
templates/. The output is deterministic: the same input always gives the
same bytes. --check compares the files on disk with what would be written,
--list-outputs prints their paths. Bad input is reported on one line and
nothing is written. The manual: `man spwgen`, `spwgen --help`,
docs/spwgen.md.

Exit status: 0 ok, 1 generation error or stale files (--check), 2 usage
error (bad option, value or spec file).
"""

import argparse
import collections
import json
import os
import re
import shlex
import stat
import sys
import tempfile

VERSION = "0.2.0"
# Must equal SPW_RUNTIME_ABI in runtime/spillway_runtime.h (a test checks).
RUNTIME_ABI = 5

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

MAX_NAME = 64
MAX_PREFIX = 32
MAX_SPEC_BYTES = 1 << 20

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

# C++ keywords (C++20) that are not C11 keywords above: with --cxx, the
# prefix and the channel name become C++ namespace names.
CXX_KEYWORDS = C_KEYWORDS | frozenset("""
    and and_eq asm bitand bitor catch char8_t char16_t char32_t class compl
    concept consteval constinit const_cast co_await co_return co_yield
    decltype delete dynamic_cast explicit export friend mutable namespace
    new noexcept not not_eq operator or or_eq private protected public
    reinterpret_cast requires static_cast template this throw try typeid
    typename using virtual wchar_t xor xor_eq
""".split())

# Channel names whose files and include guards are the runtime's own
# (spillway_core.h, spillway_runtime.h/.c; SPILLWAY_CORE_H, ...), in any
# letter case (case-insensitive file systems).
RESERVED_NAMES = ("core", "runtime")

# The symbol prefix (--prefix): functions PREFIX_NAME_send, types
# PREFIX_NAME_sender, macros in the .c file PREFIX_NAME_... upper-cased.
DEFAULT_PREFIX = "spw"
PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*\Z")

# Keywords that may appear in an element type (bool: C23, or the macro of
# <stdbool.h>).
TYPE_KEYWORDS = frozenset("""
    char short int long signed unsigned float double _Bool bool void
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
                    "_Bool": 1, "bool": 1, "void": 1}
# Specifiers that say which basic type it is (at most one of them).
BASIC_KINDS = ("char", "int", "float", "double", "_Bool", "bool", "void")

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*)")

TEMPLATES = ("spillway.h.j2", "spillway.c.j2")
# The C++ wrapper (--cxx), written after the C files.
CXX_TEMPLATE = "spillway.hpp.j2"

# How spw_<name>_send takes its value (--pass).
PASS_MODES = ("auto", "value", "pointer")
DEFAULT_PASS = "auto"

# Typedef names of the standard headers (<stdint.h>, <stddef.h>,
# <uchar.h>, <wchar.h>, <time.h>, <signal.h>, <sys/types.h>) that are
# arithmetic types, so cheap to pass by value.
SCALAR_TYPEDEFS = frozenset("""
    intptr_t uintptr_t intmax_t uintmax_t size_t ssize_t ptrdiff_t
    off_t pid_t uid_t gid_t mode_t dev_t ino_t nlink_t id_t
    blksize_t blkcnt_t time_t clock_t useconds_t suseconds_t
    sig_atomic_t wchar_t wint_t char8_t char16_t char32_t
""".split())
SCALAR_TYPEDEF = re.compile(r"u?int(?:_least|_fast)?(?:8|16|32|64)_t\Z")

# The spec file (--spec): allowed keys, required keys first.
# "prefix" and "cxx" at the top level are the default of every channel.
SPEC_KEYS = ("channels", "out_dir", "prefix", "cxx", "comment")
SPEC_REQUIRED = ("channels",)
CHANNEL_KEYS = ("type", "name", "include", "pass", "prefix", "cxx",
                "comment")
CHANNEL_REQUIRED = ("type", "name")

# One channel to generate. `entry` names its spec entry ("channels[2]"),
# or is None for a channel given on the command line.
Channel = collections.namedtuple(
    "Channel", ("ctype", "name", "includes", "pass_mode", "prefix", "cxx",
                "entry"))


class SpwgenError(Exception):
    """A problem with the input or the output; exit status in .status."""

    def __init__(self, message, status=EXIT_ERROR):
        super().__init__(message)
        self.status = status


def usage_error(message):
    return SpwgenError(message, EXIT_USAGE)


def reason(error):
    """The readable part of an OSError or other exception."""
    return getattr(error, "strerror", None) or str(error)


def shown(path):
    """A path for a message: as given if printable, else quoted."""
    return path if path and path.isprintable() else repr(path)


def check_name(name, where="--name"):
    """The channel name becomes part of C identifiers and file names."""
    if not name:
        raise usage_error("%s: must not be empty" % where)
    if len(name) > MAX_NAME:
        raise usage_error("%s: longer than %d characters" % (where, MAX_NAME))
    if not NAME.match(name):
        raise usage_error(
            "%s: %r is not a C identifier starting with a letter "
            "(letters, digits and '_')" % (where, name))
    if name in C_KEYWORDS:
        raise usage_error("%s: %r is a C keyword" % (where, name))
    if name.lower() in RESERVED_NAMES:
        raise usage_error(
            "%s: %r is reserved: its files would be the runtime's "
            "spillway_%s.h (any letter case)" % (where, name, name.lower()))
    last = name.rsplit("_", 1)[-1] if "_" in name else None
    if last in CLASHING_SEGMENTS:
        raise usage_error(
            "%s: %r ends in '_%s': its functions would clash with those "
            "of a channel named %r"
            % (where, name, last, name.rsplit("_", 1)[0]))
    return name


def check_prefix(prefix, where="--prefix"):
    """The symbol prefix: a C identifier without a trailing or double '_',
    outside the runtime's own spw_ / SPW_ names (spw_core_, spw_mem_, ...)
    and the project's spillway names (files, include guards)."""
    if not prefix:
        raise usage_error("%s: must not be empty" % where)
    if len(prefix) > MAX_PREFIX:
        raise usage_error("%s: longer than %d characters"
                          % (where, MAX_PREFIX))
    if not PREFIX.match(prefix):
        raise usage_error(
            "%s: %r is not a C identifier starting with a letter, of "
            "letters, digits and single '_' between them (spwgen adds the "
            "'_' after it)" % (where, prefix))
    if prefix == DEFAULT_PREFIX:
        return prefix
    if prefix in C_KEYWORDS:
        raise usage_error("%s: %r is a C keyword" % (where, prefix))
    upper = prefix.upper()
    if upper == "SPW" or upper.startswith("SPW_"):
        raise usage_error(
            "%s: %r is in the runtime's own spw_ namespace (spw_core_..., "
            "spw_mem_..., SPW_...); only the default %r may use it"
            % (where, prefix, DEFAULT_PREFIX))
    if upper.startswith("SPILLWAY"):
        raise usage_error(
            "%s: %r: names starting with 'spillway' are the project's own "
            "(files and include guards)" % (where, prefix))
    return prefix


def check_cxx_names(channel, where_name, where_prefix):
    """With --cxx the prefix and the name become C++ namespace names."""
    if not channel.cxx:
        return
    if channel.name in CXX_KEYWORDS:
        raise usage_error(
            "%s: %r is a C++ keyword (with --cxx it names a C++ namespace)"
            % (where_name, channel.name))
    if channel.prefix != DEFAULT_PREFIX and (
            channel.prefix in CXX_KEYWORDS or channel.prefix == "std"):
        raise usage_error(
            "%s: %r cannot name a C++ namespace (with --cxx the prefix "
            "names the namespace of the wrapper)"
            % (where_prefix, channel.prefix))


def tokenize_type(text, where):
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            raise usage_error(
                "%s: %r contains %r: only identifiers, keywords and '*' "
                "are allowed (wrap an array in a struct; use a typedef for "
                "a function pointer)" % (where, text, bad))
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def check_specifiers(text, basics, where):
    """Reject combinations C does not allow, like 'int int' or 'long char'."""
    count = {t: basics.count(t) for t in set(basics)}
    bad = any(n > BASIC_SPECIFIERS[t] for t, n in count.items())
    kinds = [t for t in BASIC_KINDS if t in count]
    sign = "signed" in count or "unsigned" in count
    size = "short" in count or "long" in count
    if len(kinds) > 1 or ("signed" in count and "unsigned" in count):
        bad = True
    if "short" in count and "long" in count:
        bad = True
    if kinds and kinds[0] in ("float", "_Bool", "bool", "void") \
            and (sign or size):
        bad = True
    if kinds == ["char"] and size:
        bad = True
    if kinds == ["double"] and (sign or "short" in count
                                or count.get("long", 0) > 1):
        bad = True
    if bad:
        raise usage_error(
            "%s: %r is not a valid combination of type specifiers"
            % (where, text))


def check_type(text, where="--type"):
    """Accept a C type name that can be declared as `T x;` and assigned.

    The grammar is deliberately small: type keywords, qualifiers,
    struct/union/enum tags, one typedef name, and '*'. Anything else
    (arrays, function pointers, expressions, comments, preprocessor
    directives) is rejected; a typedef in a user header covers function
    pointers, a struct covers arrays (the generated header refuses array
    typedefs at compile time).
    Returns the normalised spelling (tokens joined by single spaces).
    """
    if "\n" in text or "\r" in text:
        raise usage_error("%s: must be on one line" % where)
    tokens = tokenize_type(text, where)
    if not tokens:
        raise usage_error("%s: must not be empty" % where)
    if tokens[0] == "*":
        raise usage_error("%s: %r starts with '*'" % (where, text))
    names = 0
    for i, tok in enumerate(tokens):
        if tok == "*":
            continue
        if tok in C_KEYWORDS and tok not in TYPE_KEYWORDS:
            raise usage_error(
                "%s: %r: %r is a C keyword that cannot name a type"
                % (where, text, tok))
        if tok in TAG_KEYWORDS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or nxt == "*" or nxt in C_KEYWORDS:
                raise usage_error(
                    "%s: %r: %r must be followed by a tag name"
                    % (where, text, tok))
            continue
        if tok in TYPE_KEYWORDS:
            continue
        if tok.startswith("_"):
            raise usage_error(
                "%s: %r: %r is a reserved identifier (leading '_')"
                % (where, text, tok))
        names += 1  # a typedef name, or a tag after struct/union/enum
    basics = [t for t in tokens if t in BASIC_SPECIFIERS]
    if names > 1 or (names and basics):
        raise usage_error("%s: %r names more than one type" % (where, text))
    check_specifiers(text, basics, where)
    # Top level: what follows the last '*', or the whole type.
    stars = [i for i, t in enumerate(tokens) if t == "*"]
    top = tokens[stars[-1] + 1:] if stars else tokens
    if stars and any(t != "*" and t not in QUALIFIERS for t in top):
        raise usage_error("%s: %r: a name after '*' is not a type"
                          % (where, text))
    if any(t in QUALIFIERS for t in top):
        raise usage_error(
            "%s: %r is qualified (const/volatile) and cannot be assigned"
            % (where, text))
    if not stars and "void" in tokens:
        raise usage_error("%s: %r: void values cannot be sent"
                          % (where, text))
    if all(t in QUALIFIERS or t == "*" for t in tokens):
        raise usage_error("%s: %r has no base type" % (where, text))
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


def check_include(text, where="--include"):
    """'"x.h"', '<x.h>' or a bare 'x.h' (quoted for you)."""
    if not text:
        raise usage_error("%s: must not be empty" % where)
    if INCLUDE.match(text):
        return text
    if BARE_INCLUDE.match(text):
        return '"%s"' % text
    raise usage_error(
        "%s: %r is not a header name like \"order.h\" or <stdint.h>"
        % (where, text))


def check_pass(mode, where="--pass"):
    if mode not in PASS_MODES:
        raise usage_error("%s: %r is not one of %s"
                          % (where, mode, ", ".join(PASS_MODES)))
    return mode


def passes_by_pointer(ctype, mode=DEFAULT_PASS):
    """Whether spw_<name>_send takes `const T *` rather than `T`.

    ctype is a type accepted by check_type. In auto mode, arithmetic
    types, enums, pointers and the standard scalar typedefs go by value;
    structs, unions and other typedef names (maybe large structs) go by
    pointer.
    """
    if mode != "auto":
        return mode == "pointer"
    tokens = type_tokens(ctype)
    if "*" in tokens or "enum" in tokens:
        return False
    if "struct" in tokens or "union" in tokens:
        return True
    names = [t for t in tokens if t not in TYPE_KEYWORDS]
    if not names:
        return False  # basic type keywords only
    return not (names[0] in SCALAR_TYPEDEFS
                or SCALAR_TYPEDEF.match(names[0]))


def templates_of(cxx):
    """The templates of a channel, in output order."""
    return TEMPLATES + ((CXX_TEMPLATE,) if cxx else ())


def output_names(name, cxx=False):
    """The file names of a channel, in template order. They do not depend
    on the prefix: channels of one name with different prefixes go to
    different folders."""
    return ["spillway_%s%s" % (name, t[len("spillway"):-len(".j2")])
            for t in templates_of(cxx)]


# The spec file.

class JSONObject(dict):
    """A JSON object that remembers the keys it had more than once."""

    def __init__(self, pairs):
        super().__init__(pairs)
        seen = set()
        self.repeated = []
        for key, _ in pairs:
            if key in seen and key not in self.repeated:
                self.repeated.append(key)
            seen.add(key)


def json_kind(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a string"


def expect(value, kind, where):
    """value must be a str, list or dict (kind), else a usage error."""
    names = {str: "a string", list: "a list", dict: "an object",
             bool: "true or false"}
    if not isinstance(value, kind):
        raise usage_error("%s: must be %s, not %s"
                          % (where, names[kind], json_kind(value)))
    return value


def check_keys(obj, allowed, required, where):
    if obj.repeated:
        raise usage_error("%s: key %r appears more than once"
                          % (where, obj.repeated[0]))
    for key in obj:
        if key not in allowed:
            raise usage_error("%s: unknown key %r (allowed: %s)"
                              % (where, key, ", ".join(allowed)))
    for key in required:
        if key not in obj:
            raise usage_error("%s: missing key %r" % (where, key))


FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
              (stat.S_ISCHR, "a character device"),
              (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def not_regular(mode):
    """None for a regular file, else what it is ("a FIFO", ...)."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in FILE_KINDS:
        if test(mode):
            return kind
    return "not a file"


def read_spec_bytes(path):
    """Up to MAX_SPEC_BYTES + 1 bytes of a regular file. Anything else (a
    FIFO, a device, a folder) is refused before it is opened, so spwgen
    never blocks on it; O_NONBLOCK and a second look at the open file
    cover a file replaced between the two."""
    name = shown(path)
    try:
        kind = not_regular(os.stat(path).st_mode)
        if kind is None:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY
                         | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as f:
                kind = not_regular(os.fstat(f.fileno()).st_mode)
                if kind is None:
                    return f.read(MAX_SPEC_BYTES + 1)
    except OSError as e:
        raise usage_error("%s: cannot read the spec file: %s"
                          % (name, reason(e)))
    raise usage_error("%s: cannot read the spec file: it is %s, not a "
                      "regular file" % (name, kind))


def read_spec(path):
    """The parsed JSON of a spec file; any problem is a usage error."""
    name = shown(path)
    data = read_spec_bytes(path)
    if len(data) > MAX_SPEC_BYTES:
        raise usage_error("%s: larger than %d bytes" % (name, MAX_SPEC_BYTES))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise usage_error("%s: not UTF-8 (byte 0x%02x at offset %d)"
                          % (name, data[e.start], e.start))
    try:
        return json.loads(text, object_pairs_hook=JSONObject)
    except json.JSONDecodeError as e:
        raise usage_error("%s:%d:%d: not valid JSON: %s"
                          % (name, e.lineno, e.colno, e.msg))
    except RecursionError:
        raise usage_error("%s: JSON nested too deeply" % name)


def parse_channel(obj, entry, where, defaults):
    """One channel object; defaults holds the spec's top-level prefix and
    cxx."""
    expect(obj, dict, where)
    check_keys(obj, CHANNEL_KEYS, CHANNEL_REQUIRED, where)
    expect(obj.get("comment", ""), str, where + ".comment")
    name = check_name(expect(obj["name"], str, where + ".name"),
                      where + ".name")
    ctype = check_type(expect(obj["type"], str, where + ".type"),
                       where + ".type")
    includes = []
    for i, inc in enumerate(expect(obj.get("include", []), list,
                                   where + ".include")):
        at = "%s.include[%d]" % (where, i)
        includes.append(check_include(expect(inc, str, at), at))
    pass_mode = check_pass(expect(obj.get("pass", DEFAULT_PASS), str,
                                  where + ".pass"), where + ".pass")
    prefix = defaults["prefix"]
    if "prefix" in obj:
        prefix = check_prefix(expect(obj["prefix"], str, where + ".prefix"),
                              where + ".prefix")
    cxx = defaults["cxx"]
    if "cxx" in obj:
        cxx = expect(obj["cxx"], bool, where + ".cxx")
    channel = Channel(ctype, name, includes, pass_mode, prefix, cxx, entry)
    check_cxx_names(channel, where + ".name",
                    where + ".prefix" if "prefix" in obj
                    else defaults["prefix_where"])
    return channel


def check_unique(channels, where):
    """No two channels may write the same file, even on a file system
    that ignores letter case."""
    seen = {}
    for ch in channels:
        first = seen.setdefault(ch.name.lower(), ch)
        if first is ch:
            continue
        if first.name == ch.name:
            raise usage_error(
                "%s: %s.name: %r is also the name of %s (both would write "
                "spillway_%s.h and .c)"
                % (where, ch.entry, ch.name, first.entry, ch.name))
        raise usage_error(
            "%s: %s.name: %r and %s.name %r differ only in letter case "
            "(their files would collide on a case-insensitive file system)"
            % (where, ch.entry, ch.name, first.entry, first.name))


def load_spec(path):
    """Return (channels, out_dir or None) from a spec file."""
    name = shown(path)
    spec = read_spec(path)
    expect(spec, dict, name + ": the top level")
    check_keys(spec, SPEC_KEYS, SPEC_REQUIRED, name)
    expect(spec.get("comment", ""), str, name + ": comment")
    out_dir = spec.get("out_dir")
    if out_dir is not None:
        where = name + ": out_dir"
        check_path(expect(out_dir, str, where), where)
    defaults = {"prefix": DEFAULT_PREFIX, "cxx": False,
                "prefix_where": name + ": prefix"}
    if "prefix" in spec:
        where = name + ": prefix"
        defaults["prefix"] = check_prefix(expect(spec["prefix"], str, where),
                                          where)
    if "cxx" in spec:
        defaults["cxx"] = expect(spec["cxx"], bool, name + ": cxx")
    entries = expect(spec["channels"], list, name + ": channels")
    if not entries:
        raise usage_error("%s: channels: must list at least one channel"
                          % name)
    channels = [parse_channel(obj, "channels[%d]" % i,
                              "%s: channels[%d]" % (name, i), defaults)
                for i, obj in enumerate(entries)]
    check_unique(channels, name)
    return channels, out_dir


def check_path(path, where):
    if not path:
        raise usage_error("%s: must not be empty" % where)
    if "\0" in path:
        raise usage_error("%s: contains a NUL character" % where)
    return path


# Rendering.

def default_template_dir():
    """templates/ next to generator/ (the source tree), or next to the
    module, or share/spillway/templates of an installation (the module in
    share/spillway/python/ or bin/)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(here, os.pardir, "templates"),
                 os.path.join(here, "templates"),
                 os.path.join(here, os.pardir, "share", "spillway",
                              "templates")):
        if os.path.isfile(os.path.join(cand, TEMPLATES[0])):
            return os.path.normpath(cand)
    return os.path.normpath(os.path.join(here, os.pardir, "templates"))


def make_environment(template_dir, templates=TEMPLATES):
    try:
        import jinja2
    except ImportError:
        raise SpwgenError(
            "the Python module jinja2 is missing "
            "(Debian: apt-get install python3-jinja2)")
    for t in templates:
        if not os.path.isfile(os.path.join(template_dir, t)):
            raise SpwgenError("template %s not found in %r"
                              % (t, template_dir))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def command_line(ctype, name, includes, pass_mode=DEFAULT_PASS,
                 prefix=DEFAULT_PREFIX, cxx=False):
    """The single-channel command that regenerates a channel's files."""
    parts = ["spwgen", "--type", shlex.quote(ctype), "--name", name]
    for inc in includes:
        parts += ["--include", shlex.quote(inc)]
    if pass_mode != DEFAULT_PASS:
        parts += ["--pass", pass_mode]
    if prefix != DEFAULT_PREFIX:
        parts += ["--prefix", prefix]
    if cxx:
        parts += ["--cxx"]
    parts += ["--out-dir", "DIR"]
    return " ".join(parts)


def type_tokens(ctype):
    return ctype.replace("*", " * ").split()


def may_be_array(ctype):
    """Whether a type accepted by check_type may be an array type, which
    spwgen cannot tell: a typedef name other than the standard scalar ones,
    not behind '*'. The generated header checks such types at compile
    time."""
    tokens = type_tokens(ctype)
    if "*" in tokens or TAG_KEYWORDS.intersection(tokens):
        return False
    names = [t for t in tokens if t not in TYPE_KEYWORDS]
    return bool(names) and not (names[0] in SCALAR_TYPEDEFS
                                or SCALAR_TYPEDEF.match(names[0]))


def header_includes(ctype, includes):
    """The headers the generated header includes after the runtime's:
    <stdbool.h> first when the type says `bool` (a macro before C23), then
    the --include ones."""
    if "bool" in type_tokens(ctype) and "<stdbool.h>" not in includes:
        return ["<stdbool.h>"] + list(includes)
    return list(includes)


def symbol_names(prefix, name):
    """(p, P, guard, hpp guard, C++ namespace) of a channel. The default
    prefix keeps the names spwgen has always used."""
    p = "%s_%s" % (prefix, name)
    if prefix == DEFAULT_PREFIX:
        # keeps case: abc and ABC differ
        guard, namespace = "SPILLWAY_%s_H" % name, "spillway::" + name
    else:
        # Never SPILLWAY_...: a prefix cannot start with "spillway", so
        # these differ from every default guard and the runtime's.
        guard, namespace = "%s_SPILLWAY_H" % p, "%s::%s" % (prefix, name)
    return p, p.upper(), guard, guard + "PP", namespace


def render(env, channel):
    """Return the texts of one channel's files, in template order."""
    ctype, name, includes, pass_mode, prefix, cxx, _ = channel
    p, P, guard, hpp_guard, namespace = symbol_names(prefix, name)
    ctx = {
        "type": ctype,
        "name": name,
        "prefix": prefix,
        "p": p,
        "P": P,
        "guard": guard,
        "hpp_guard": hpp_guard,
        "namespace": namespace,
        "header": output_names(name)[0],
        "includes": header_includes(ctype, includes),
        "abi": RUNTIME_ABI,
        "spwgen_version": VERSION,
        "by_pointer": passes_by_pointer(ctype, pass_mode),
        "maybe_array": may_be_array(ctype),
        "command": command_line(ctype, name, includes, pass_mode, prefix,
                                cxx),
    }
    import jinja2
    texts = []
    for t in templates_of(cxx):
        try:
            texts.append(env.get_template(t).render(**ctx))
        except (jinja2.TemplateError, OSError, UnicodeError) as e:
            raise SpwgenError("template %s: %s" % (t, reason(e)))
    return texts


def output_paths(channels, out_dir):
    """The files to write, as out_dir/file name (out_dir "." left out)."""
    return [os.path.normpath(os.path.join(out_dir, fname))
            for ch in channels for fname in output_names(ch.name, ch.cxx)]


def generate(channels, out_dir, template_dir):
    """Render every channel: [(path, bytes)], in output_paths order."""
    cxx = any(ch.cxx for ch in channels)
    env = make_environment(template_dir, templates_of(cxx))
    texts = [text for ch in channels for text in render(env, ch)]
    return list(zip(output_paths(channels, out_dir),
                    (text.encode("utf-8") for text in texts)))


# Output.

def out_of_date(files):
    """[(what, path)] for the files on disk that differ from `files`."""
    found = []
    for path, data in files:
        if not os.path.lexists(path):
            found.append(("missing", path))
            continue
        if not os.path.isfile(path):
            found.append(("stale", path))
            continue
        try:
            with open(path, "rb") as f:
                same = f.read() == data
        except OSError as e:
            raise SpwgenError("cannot read %r: %s" % (path, reason(e)))
        if not same:
            found.append(("stale", path))
    return found


def remove_quietly(paths):
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass


def write_files(out_dir, files):
    """Write every file or none: temporary files first, then renames."""
    if not os.path.exists(out_dir):
        raise SpwgenError("output folder %r does not exist" % out_dir)
    if not os.path.isdir(out_dir):
        raise SpwgenError("output folder %r is not a folder" % out_dir)
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise SpwgenError("output folder %r is not writable" % out_dir)
    for dest, _ in files:
        if os.path.lexists(dest) and not os.path.isfile(dest):
            raise SpwgenError("%r exists and is not a regular file" % dest)
    temps = []
    written = False
    try:
        for _, data in files:
            fd, tmp = tempfile.mkstemp(prefix=".spwgen-", dir=out_dir)
            temps.append(tmp)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
        written = True
    except OSError as e:
        raise SpwgenError("cannot write to %r: %s" % (out_dir, reason(e)))
    finally:
        if not written:
            remove_quietly(temps)
    replace_all(list(zip(temps, (dest for dest, _ in files))))


def replace_all(moves):
    """Rename each temporary file over its destination.

    Should a rename fail, undo the ones before it: a file that existed is
    put back from a hard link made beforehand (where the file system
    allows one), a new file is removed. The error says what could not be
    undone.
    """
    backups = []  # (existed, hard link to the old file or None)
    for tmp, dest in moves:
        existed, link = os.path.lexists(dest), None
        if existed:
            try:
                os.link(dest, tmp + ".old")
                link = tmp + ".old"
            except OSError:
                pass
        backups.append((existed, link))
    done = []
    try:
        for (tmp, dest), backup in zip(moves, backups):
            os.replace(tmp, dest)
            done.append((dest, backup))
    except OSError as e:
        not_undone = []
        for old, (existed, link) in reversed(done):
            try:
                if link:
                    os.replace(link, old)
                elif existed:
                    not_undone.append(old)
                else:
                    os.unlink(old)
            except OSError:
                not_undone.append(old)
        message = "cannot replace %r: %s" % (dest, reason(e))
        if not_undone:
            message += "; these files were replaced and not restored: %s" % (
                ", ".join(repr(p) for p in sorted(not_undone)))
        elif done:
            message += "; restored the %d file%s replaced before it" % (
                len(done), "s" if len(done) > 1 else "")
        raise SpwgenError(message)
    finally:
        remove_quietly(p for tmp, _ in moves for p in (tmp, tmp + ".old")
                       if os.path.lexists(p))


# Command line.

USAGE = """\
spwgen --type CTYPE --name NAME [--include HEADER]... [--pass MODE]
              [--prefix PFX] [--cxx] --out-dir DIR [--template-dir DIR]
              [--check | --list-outputs]
       spwgen --spec FILE [--out-dir DIR] [--template-dir DIR]
              [--check | --list-outputs]
       spwgen --version | --help"""

DESCRIPTION = """\
Generate typed Spillway MPSC channels for C. For a channel NAME of element
type CTYPE, spwgen writes spillway_NAME.h and spillway_NAME.c, which
declare and define spw_NAME_channel(), spw_NAME_send(), spw_NAME_recv(),
... (PFX_NAME_... with --prefix PFX), and with --cxx the C++17 wrapper
spillway_NAME.hpp. Give one channel with --type and --name, or any number
in a JSON spec file with --spec."""

EPILOG = """\
spec file (--spec FILE):
  A UTF-8 JSON object; unknown keys are errors, "comment" (a string) is
  allowed in the object and in each channel:

    {
      "out_dir": "gen",
      "channels": [
        {"type": "uint64_t", "name": "u64", "include": ["<stdint.h>"]},
        {"type": "struct order", "name": "order",
         "include": ["\\"order.h\\""], "pass": "auto", "cxx": true}
      ]
    }

  channels  required, a non-empty list; per channel "type" and "name"
            (required), "include" (a list of headers), "pass" (auto,
            value or pointer), "prefix" (a string) and "cxx" (true or
            false), checked like --type, --name, --include, --pass,
            --prefix and --cxx
  out_dir   the output folder, relative to the spec file's folder;
            default: the spec file's folder. --out-dir overrides it.
  prefix, cxx
            the default of every channel that does not set its own
  No two channels may have names that differ only in letter case (or not
  at all): on a case-insensitive file system their files would collide.

types:
  An array typedef (typedef char name16[16]) cannot be copied by
  assignment: the generated header refuses it at compile time ("wrap the
  array in a struct"). A type that says bool gets <stdbool.h> included.

prefix (--prefix PFX, default spw):
  Functions are PFX_NAME_send(), types PFX_NAME_sender, ...; file names
  stay spillway_NAME.h/.c, so channels of one name with different
  prefixes go to different folders; include guards differ by prefix. PFX
  is a C identifier (no trailing or double '_'), at most 32 characters,
  outside the runtime's spw_/SPW_ names and not starting with spillway.

C++ (--cxx):
  Also writes spillway_NAME.hpp: namespace spillway::NAME (PFX::NAME
  with a prefix) with move-only sender and receiver classes that close on
  destruction, channel(), send(), try_recv() returning std::optional,
  batch views; C++17, no exceptions needed. Element types must be
  trivially copyable.

pass-by rule (--pass auto):
  spw_NAME_send(tx, value) takes the value itself (T) for arithmetic
  types, bool, enums, pointers and the standard scalar typedefs (intN_t,
  uintN_t, int_leastN_t, int_fastN_t, intptr_t, uintptr_t, intmax_t,
  uintmax_t, size_t, ssize_t, ptrdiff_t, off_t, pid_t, time_t, wchar_t,
  char16_t, char32_t, ...); it takes `const T *` for structs, unions and
  any other typedef name, which may be a large struct. --pass value or
  --pass pointer overrides the rule.

output:
  Everything is checked and rendered before anything is written; each
  file goes to a temporary file in the output folder (which must exist),
  then all are renamed into place; should a rename fail, the files
  already replaced are put back. Existing files are always replaced.
  Each file's banner shows the single-channel command that regenerates
  it. Printed paths are the output folder joined with the file name,
  normalised.

exit status:
  0  success; with --check: every file is up to date
  1  generation error (jinja2 or a template missing, a template error, the
     output folder missing or not writable, a failed write); with --check:
     a file is stale or missing
  2  usage error: a bad option or value, or a bad spec file (missing,
     unreadable, not a regular file, not UTF-8, not JSON, a wrong or
     unknown key, an invalid field, a duplicate name)
  Errors are one line on stderr, starting "spwgen: error:", and nothing is
  written.

examples:
  spwgen --type 'struct order' --name order --include order.h --out-dir src
  spwgen --type 'const char *' --name str --out-dir src
  spwgen --type uint64_t --name u64 --include '<stdint.h>' --prefix foo \\
         --cxx --out-dir src                   # foo_u64_send(), foo::u64
  spwgen --spec channels.json                  # write all channels
  spwgen --spec channels.json --check          # exit 1 if any is stale
  spwgen --spec channels.json --list-outputs   # paths, for Make or CMake

The full manual: man spwgen (and man spillway for the generated API); in
a source checkout, docs/spwgen.md."""


class ArgParser(argparse.ArgumentParser):
    def error(self, message):
        raise usage_error(message)


def build_parser():
    p = ArgParser(
        prog="spwgen", usage=USAGE, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False)
    one = p.add_argument_group("one channel")
    one.add_argument("--type", metavar="CTYPE",
                     help="element type, e.g. 'uint64_t', 'void *', "
                          "'struct order' (a typedef for function "
                          "pointers; an array must be wrapped in a "
                          "struct)")
    one.add_argument("--name",
                     help="channel name: functions are spw_NAME_*, files "
                          "spillway_NAME.h/.c; a C identifier starting "
                          "with a letter, at most %d characters" % MAX_NAME)
    one.add_argument("--include", action="append", default=[],
                     metavar="HEADER",
                     help='header that declares the type: "order.h", '
                          '<stdint.h>, or order.h (quoted for you); '
                          'repeatable, kept in order')
    one.add_argument("--pass", dest="pass_mode", choices=PASS_MODES,
                     metavar="MODE",
                     help="how spw_NAME_send takes its value: value (T), "
                          "pointer (const T *) or auto (the default; see "
                          "the pass-by rule below)")
    one.add_argument("--prefix", metavar="PFX",
                     help="symbol prefix of the generated API (default "
                          "%s): PFX_NAME_send, PFX_NAME_sender, ..."
                          % DEFAULT_PREFIX)
    one.add_argument("--cxx", action="store_true", default=None,
                     help="also write the C++17 wrapper spillway_NAME.hpp")
    many = p.add_argument_group("several channels")
    many.add_argument("--spec", metavar="FILE",
                      help="JSON file listing the channels (see below); "
                           "not with --type, --name, --include, --pass, "
                           "--prefix, --cxx")
    out = p.add_argument_group("output")
    out.add_argument("--out-dir", metavar="DIR",
                     help="existing folder to write to (required with "
                          "--type; with --spec it overrides out_dir)")
    out.add_argument("--template-dir", metavar="DIR",
                     help="folder of the templates (default: found next "
                          "to spwgen)")
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; if files on disk differ from "
                           "what would be written, print 'stale: PATH' or "
                           "'missing: PATH' for each, then a count, and "
                           "exit 1")
    mode.add_argument("--list-outputs", action="store_true",
                      help="write nothing; print the paths of the files "
                           "that would be written, one per line")
    p.add_argument("--version", action="version",
                   version="spwgen %s (runtime ABI %d)"
                           % (VERSION, RUNTIME_ABI))
    return p


def channels_from_args(args):
    """The channels and output folder that the command line asks for."""
    if args.spec is not None:
        extra = [flag for flag, value in (
            ("--type", args.type), ("--name", args.name),
            ("--include", args.include or None),
            ("--pass", args.pass_mode), ("--prefix", args.prefix),
            ("--cxx", args.cxx)) if value is not None]
        if extra:
            raise usage_error("--spec cannot be combined with %s"
                              % ", ".join(extra))
        channels, out_dir = load_spec(check_path(args.spec, "--spec"))
        if args.out_dir is not None:
            out_dir = check_path(args.out_dir, "--out-dir")
        else:
            out_dir = os.path.join(os.path.dirname(args.spec), out_dir or "")
        return channels, os.path.normpath(out_dir or os.curdir)
    missing = [flag for flag, value in (
        ("--type", args.type), ("--name", args.name),
        ("--out-dir", args.out_dir)) if value is None]
    if missing:
        raise usage_error("the following arguments are required: %s "
                          "(or give --spec FILE)" % ", ".join(missing))
    prefix = DEFAULT_PREFIX
    if args.prefix is not None:
        prefix = check_prefix(args.prefix)
    channel = Channel(check_type(args.type), check_name(args.name),
                      [check_include(i) for i in args.include],
                      args.pass_mode or DEFAULT_PASS, prefix,
                      bool(args.cxx), None)
    check_cxx_names(channel, "--name", "--prefix")
    return [channel], os.path.normpath(check_path(args.out_dir, "--out-dir"))


def print_lines(lines):
    """Print to stdout as the file system spells them (paths need not be
    UTF-8)."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    for line in lines:
        out.write(os.fsencode(line) + b"\n")
    out.flush()


def run(args):
    channels, out_dir = channels_from_args(args)
    if args.list_outputs:
        print_lines(output_paths(channels, out_dir))
        return EXIT_OK
    files = generate(channels, out_dir,
                     args.template_dir or default_template_dir())
    if args.check:
        found = out_of_date(files)
        if not found:
            return EXIT_OK
        print_lines(["%s: %s" % item for item in found]
                    + ["spwgen: %d of %d files out of date"
                       % (len(found), len(files))])
        return EXIT_ERROR
    write_files(out_dir, files)
    return EXIT_OK


def main(argv=None):
    try:
        return run(build_parser().parse_args(argv))
    except SpwgenError as e:
        message, status = str(e), e.status
    except KeyboardInterrupt:
        message, status = "interrupted", EXIT_INTERRUPTED
    except Exception as e:  # a bug: still one line, unless asked for more
        if os.environ.get("SPWGEN_TRACEBACK"):
            raise
        message = "internal error: %s: %s (SPWGEN_TRACEBACK=1 shows where)" % (
            type(e).__name__, e)
        status = EXIT_ERROR
    # One line, whatever the message quotes (argparse does not use repr).
    message = "".join(c if c.isprintable() else repr(c)[1:-1]
                      for c in message)
    sys.stderr.write("spwgen: error: %s\n" % message)
    return status


if __name__ == "__main__":
    sys.exit(main())
