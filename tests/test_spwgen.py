#!/usr/bin/env python3
"""Tests for spwgen, the Spillway for C code generator.

Run from the repository root with either of

    python3 -m unittest discover -s tests -p 'test_spwgen.py' -v
    python3 tests/test_spwgen.py

The repository root is the parent of this file's folder unless the
environment variable SPW_ROOT names another one. spwgen always runs as a
subprocess (with this Python), so exit codes and stderr are real. Tests
that compile C are skipped when there is no `cc` on PATH.
"""

import contextlib
import difflib
import errno
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import unittest.mock

ROOT = os.path.abspath(os.environ.get("SPW_ROOT") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir))
SPWGEN = os.path.join(ROOT, "generator", "spwgen.py")
TEMPLATE_DIR = os.path.join(ROOT, "templates")
RUNTIME_DIR = os.path.join(ROOT, "runtime")
RUNTIME_H = os.path.join(RUNTIME_DIR, "spillway_runtime.h")
RUNTIME_C = os.path.join(RUNTIME_DIR, "spillway_runtime.c")
GENERATED_DIR = os.path.join(ROOT, "generated")
# The spec of the checked-in channels, as generator/regenerate.sh uses it.
GENERATED_SPEC = os.path.join("generator", "generated.json")

CC = shutil.which("cc")
NM = shutil.which("nm")
# Named compilers, for tests that want both (each is skipped if missing).
C_COMPILERS = [c for c in (shutil.which("gcc"), shutil.which("clang")) if c]
CXX = shutil.which("c++") or shutil.which("g++")
CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]

# The checked-in channels in generated/ (as listed in GENERATED_SPEC).
CHECKED_IN = ["u64", "ptr"]

ORDER_H = """\
#ifndef ORDER_H
#define ORDER_H
struct order { int id; double price; };
#endif
"""

# Exit statuses documented by spwgen.
EXIT_ERROR = 1
EXIT_USAGE = 2


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def spwgen_version():
    m = re.search(r'^VERSION = "([^"]+)"', read_text(SPWGEN), re.M)
    if not m:
        raise AssertionError("no VERSION = \"...\" in %s" % SPWGEN)
    return m.group(1)


def runtime_abi():
    m = re.search(r"^\s*#\s*define\s+SPW_RUNTIME_ABI\s+(\d+)\b",
                  read_text(RUNTIME_H), re.M)
    if not m:
        raise AssertionError("no #define SPW_RUNTIME_ABI in %s" % RUNTIME_H)
    return int(m.group(1))


def output_names(name):
    return ["spillway_%s.c" % name, "spillway_%s.h" % name]


def listed_names(name):
    """A channel's files in the order --list-outputs prints them."""
    return ["spillway_%s.h" % name, "spillway_%s.c" % name]


def snapshot(folder):
    """Everything in folder (hidden files included), with contents."""
    state = {}
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.isdir(path):
            state[entry] = ("dir", tuple(sorted(os.listdir(path))))
        elif os.path.isfile(path):
            state[entry] = ("file", read_bytes(path))
        else:  # a FIFO or a device: never opened
            state[entry] = ("special", os.lstat(path).st_mode)
    return state


def banner_command(text):
    """The regenerate command that the banner of a generated file shows."""
    for line in text.splitlines()[:12]:
        m = re.match(r"\s*\*\s+(spwgen .*)$", line)
        if m:
            return m.group(1)
    return None



def typedef_line(spelled, name):
    """The generated typedef, spelled as clang-format wants: no space
    between a pointer type's last '*' and the name."""
    sep = "" if spelled.endswith("*") else " "
    return "typedef %s%sspw_%s_value;\n" % (spelled, sep, name)

class Result:
    """The outcome of one spwgen run, with stdout/stderr as text."""

    def __init__(self, argv, proc):
        self.argv = argv
        self.status = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "replace")
        self.stderr = proc.stderr.decode("utf-8", "replace")

    def __str__(self):
        return "spwgen %s\n  exit %d\n  stdout: %r\n  stderr: %r" % (
            " ".join(shlex.quote(os.fsdecode(a)) for a in self.argv),
            self.status, self.stdout[-2000:], self.stderr[-2000:])


def run_spwgen(args, cwd=None, timeout=120):
    """Run spwgen with args (str or bytes) in cwd (default: the repo root)."""
    proc = subprocess.run([sys.executable, SPWGEN] + list(args),
                          cwd=cwd or ROOT, capture_output=True,
                          timeout=timeout)
    return Result(list(args), proc)


class SpwgenTestCase(unittest.TestCase):
    """Shared helpers: a private temporary folder, running and checking."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="spwgen-test-")
        self.addCleanup(tmp.cleanup)
        self.tmp = os.path.realpath(tmp.name)

    def make_dir(self, *parts):
        path = os.path.join(self.tmp, *parts)
        os.makedirs(path)
        return path

    def write_file(self, path, text):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def assert_ok(self, result):
        self.assertEqual(result.status, 0, "spwgen failed:\n%s" % result)
        self.assertEqual(result.stderr, "", "spwgen wrote to stderr:\n%s"
                         % result)

    def generate(self, ctype, name, includes=(), out_dir=None, cwd=None,
                 extra=()):
        """Run spwgen, expect success; return {file name: bytes}."""
        out_dir = out_dir or self.make_dir("out-" + name)
        args = ["--type", ctype, "--name", name]
        for inc in includes:
            args += ["--include", inc]
        args += ["--out-dir", out_dir] + list(extra)
        self.assert_ok(run_spwgen(args, cwd=cwd))
        self.assertEqual(sorted(os.listdir(out_dir)), output_names(name),
                         "spwgen should write exactly the two files "
                         "(and leave no temporary file) in %s" % out_dir)
        return {f: read_bytes(os.path.join(out_dir, f))
                for f in output_names(name)}

    def assert_rejected(self, args, status, watched, mention=None,
                        timeout=120):
        """spwgen args must fail with exactly one 'spwgen: error:' line on
        stderr, exit status `status`, no traceback, nothing on stdout, and
        leave the folder `watched` (where it runs) exactly as it was."""
        before = snapshot(watched)
        try:
            result = run_spwgen(args, cwd=watched, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("spwgen %s did not finish within %d s (blocked?)"
                      % (args, timeout))
        self.assertEqual(result.status, status,
                         "wrong exit status:\n%s" % result)
        self.assertNotIn("Traceback", result.stderr, str(result))
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1,
                         "expected exactly one line on stderr:\n%s" % result)
        self.assertTrue(lines[0].startswith("spwgen: error: "),
                        "stderr should start with 'spwgen: error: ':\n%s"
                        % result)
        self.assertTrue(result.stderr.endswith("\n"), str(result))
        self.assertEqual(result.stdout, "", str(result))
        if mention is not None:
            self.assertIn(mention, lines[0], str(result))
        after = snapshot(watched)
        self.assertEqual(sorted(after), sorted(before),
                         "a rejected run added or removed files in %s:\n%s"
                         % (watched, result))
        changed = [f for f in before if after[f] != before[f]]
        self.assertEqual(changed, [], "a rejected run changed files in %s:"
                         "\n%s" % (watched, result))
        return result

    def require_cc(self):
        if CC is None:
            self.skipTest("no C compiler `cc` on PATH")

    def run_cc(self, args, what):
        proc = subprocess.run([CC] + args, capture_output=True, text=True,
                              timeout=300)
        self.assertEqual(proc.returncode, 0, "%s failed:\n$ %s\n%s%s" % (
            what, shlex.join([CC] + args), proc.stdout, proc.stderr))

    def syntax_check(self, c_file, *include_dirs):
        self.require_cc()
        args = CFLAGS + ["-fsyntax-only", "-I" + RUNTIME_DIR]
        args += ["-I" + d for d in include_dirs] + [c_file]
        self.run_cc(args, "compiling " + os.path.basename(c_file))


class FreshnessTest(SpwgenTestCase):
    """generated/ must be what spwgen produces now, byte for byte."""

    REGENERATE = "cd %s && sh generator/regenerate.sh" % shlex.quote(ROOT)

    def test_generated_is_fresh(self):
        result = run_spwgen(["--spec", GENERATED_SPEC, "--check"])
        if result.status == 0:
            self.assertEqual((result.stdout, result.stderr), ("", ""))
            return
        # Show how it differs: what spwgen would write, against generated/.
        out = self.make_dir("fresh")
        self.assert_ok(run_spwgen(["--spec", GENERATED_SPEC,
                                   "--out-dir", out]))
        diffs = []
        for fname in sorted(os.listdir(out)):
            checked_in = os.path.join(GENERATED_DIR, fname)
            old = read_text(checked_in) if os.path.isfile(checked_in) else ""
            diffs += list(difflib.unified_diff(
                old.splitlines(), read_text(os.path.join(out, fname))
                .splitlines(), "generated/" + fname, "spwgen output",
                lineterm=""))[:30]
        self.fail("generated/ is stale (differs from what spwgen produces "
                  "now). Regenerate with:\n  %s\n%s\n%s\nFirst "
                  "differences:\n%s" % (self.REGENERATE, result.stdout,
                                        result.stderr, "\n".join(diffs)))

    def test_spec_lists_exactly_the_checked_in_files(self):
        result = run_spwgen(["--spec", GENERATED_SPEC, "--list-outputs"])
        self.assert_ok(result)
        listed = result.stdout.splitlines()
        self.assertEqual(listed, ["generated/" + f for name in CHECKED_IN
                                  for f in listed_names(name)])
        on_disk = ["generated/" + f for f in os.listdir(GENERATED_DIR)
                   if f.startswith("spillway_")]
        self.assertEqual(sorted(on_disk), sorted(listed),
                         "generated/ holds a file that its spec does not "
                         "make (or the other way round)")


class DeterminismTest(SpwgenTestCase):

    ARGS = ("struct order *", "det", ["order.h", "<stdint.h>"])

    def test_same_arguments_give_same_bytes(self):
        # Different output folders and working directories on purpose.
        first = self.generate(*self.ARGS, out_dir=self.make_dir("one"))
        second = self.generate(*self.ARGS, out_dir=self.make_dir("b", "two"),
                               cwd=self.tmp)
        self.assertEqual(first, second)

    def test_relative_out_dir_gives_same_bytes(self):
        absolute = self.generate(*self.ARGS, out_dir=self.make_dir("abs"))
        self.make_dir("rel")
        result = run_spwgen(["--type", self.ARGS[0], "--name", self.ARGS[1],
                             "--include", self.ARGS[2][0], "--include",
                             self.ARGS[2][1], "--out-dir", "rel"],
                            cwd=self.tmp)
        self.assert_ok(result)
        relative = {f: read_bytes(os.path.join(self.tmp, "rel", f))
                    for f in output_names("det")}
        self.assertEqual(absolute, relative)

    def test_output_has_no_paths_or_dates(self):
        out = self.make_dir("paths")
        files = self.generate(*self.ARGS, out_dir=out)
        forbidden = {out, self.tmp, ROOT, os.path.realpath(ROOT),
                     TEMPLATE_DIR, tempfile.gettempdir()}
        date = re.compile(
            r"\b(19|20)\d\d[-/.]\d\d?[-/.]\d\d?\b"   # 2024-05-01
            r"|\b\d\d?:\d\d(:\d\d)?\b"               # 12:34(:56)
            r"|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b"
            r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
            r"[a-z]*\.? +\d")
        for fname, data in files.items():
            text = data.decode("utf-8")
            with self.subTest(file=fname):
                for path in forbidden:
                    self.assertNotIn(path, text, "absolute path in output")
                self.assertIsNone(date.search(text),
                                  "date or time in output: %r"
                                  % (date.search(text) or [None])[0])
                self.assertNotIn("\r", text)
                self.assertTrue(text.endswith("\n"))

    def test_files_are_world_readable_regular_files(self):
        out = self.make_dir("mode")
        self.generate(*self.ARGS, out_dir=out)
        for fname in output_names("det"):
            mode = os.stat(os.path.join(out, fname)).st_mode & 0o777
            self.assertEqual(mode, 0o644, "%s has mode %o" % (fname, mode))

    def test_regenerating_over_existing_files_replaces_them(self):
        out = self.make_dir("over")
        for fname in output_names("det"):
            self.write_file(os.path.join(out, fname), "stale\n")
        first = self.generate(*self.ARGS, out_dir=out)
        self.assertNotIn(b"stale", b"".join(first.values()))
        self.assertEqual(first, self.generate(*self.ARGS, out_dir=out))


class BannerTest(SpwgenTestCase):

    def setUp(self):
        super().setUp()
        out = self.make_dir("banner")
        files = self.generate("uint64_t", "u64", ["<stdint.h>"], out_dir=out)
        self.header = files["spillway_u64.h"].decode("utf-8")
        self.source = files["spillway_u64.c"].decode("utf-8")

    def check_banner(self, text, template):
        comment, end, rest = text.partition("*/")
        self.assertTrue(end, "no banner comment")
        self.assertTrue(text.startswith("/*\n"), "banner must come first")
        self.assertLessEqual(comment.count("\n"), 12, "banner too long")
        self.assertIn("Generated by spwgen %s from templates/%s."
                      % (spwgen_version(), template), comment)
        self.assertIn("DO NOT EDIT", comment)
        self.assertEqual(
            banner_command(comment),
            "spwgen --type uint64_t --name u64 --include '<stdint.h>' "
            "--out-dir DIR")
        self.assertIn("Element type: uint64_t", comment)
        self.assertNotIn("/*", comment[2:], "nested comment in banner")
        # Generated files are the user's: a sentence says so, and no
        # license line of Spillway's own comes with them.
        self.assertIn("This generated file is yours: use and distribute it "
                      "under terms of your\n * choice", comment)
        self.assertNotIn("SPDX-License-Identifier", text)

    def test_header_banner(self):
        self.check_banner(self.header, "spillway.h.j2")

    def test_source_banner(self):
        self.check_banner(self.source, "spillway.c.j2")

    def test_templates_carry_the_spdx_line(self):
        # In a Jinja comment, which never reaches the output.
        for t in ("_common.j2", "spillway.h.j2", "spillway.hpp.j2"):
            with self.subTest(template=t):
                first = read_text(os.path.join(TEMPLATE_DIR, t)) \
                    .splitlines()[0]
                self.assertEqual(first, "{#- SPDX-License-Identifier: MIT -#}")

    def test_header_guard_and_runtime_include(self):
        self.assertIn("#ifndef SPILLWAY_u64_H\n#define SPILLWAY_u64_H\n",
                      self.header)
        self.assertIn('#include "spillway_runtime.h"\n', self.header)
        self.assertRegex(self.header, r"#endif[^\n]*\n\Z")
        self.assertIn('#include "spillway_u64.h"\n', self.source)

    def test_abi_guard_matches_runtime(self):
        abi = runtime_abi()
        m = re.search(r"^#if SPW_RUNTIME_ABI != (\d+)\n#error ",
                      self.header, re.M)
        self.assertIsNotNone(m, "no '#if SPW_RUNTIME_ABI != N' + #error")
        self.assertEqual(int(m.group(1)), abi,
                         "spwgen's RUNTIME_ABI differs from SPW_RUNTIME_ABI "
                         "in runtime/spillway_runtime.h")

    def test_version_matches_runtime(self):
        m = re.search(r'^#define SPW_VERSION "([^"]+)"', read_text(RUNTIME_H),
                      re.M)
        self.assertIsNotNone(m, "no #define SPW_VERSION in %s" % RUNTIME_H)
        self.assertEqual(spwgen_version(), m.group(1),
                         "spwgen's VERSION differs from SPW_VERSION in "
                         "runtime/spillway_runtime.h (make install uses it "
                         "for spillway.pc)")

    def test_checked_in_headers_match_runtime_abi(self):
        abi = runtime_abi()
        for name in CHECKED_IN:
            with self.subTest(name=name):
                text = read_text(os.path.join(GENERATED_DIR,
                                              "spillway_%s.h" % name))
                found = re.findall(r"^#if SPW_RUNTIME_ABI != (\d+)$", text,
                                   re.M)
                self.assertEqual(found, [str(abi)],
                                 "generated/spillway_%s.h: ABI guard(s) %r, "
                                 "runtime ABI %d" % (name, found, abi))


class BadInputTest(SpwgenTestCase):
    """Every bad input: one error line, the right status, nothing written."""

    BAD_NAMES = [
        "9abc", "a-b", "a b", "", "_x", "__x", "a" * 300, "a" * 65,
        "\u00e9", "caf\u00e9", "abc\n", "a.b", "a/b", "a$b",
        # C keywords (and _Bool, also a reserved identifier)
        "int", "while", "struct", "_Bool", "return", "bool", "alignof",
        # the runtime's own files and include guards, in any letter case
        "core", "runtime", "Core", "CORE", "Runtime", "RUNTIME", "rUnTiMe",
    ]

    BAD_TYPES = [
        "int;", "int {", "int }", "int\nchar", "int\n", "int\r", "int /* x */",
        "int */", "int // x", "#define X", '"int"', "'int'", "int\\",
        "int){evil();}(", "char[16]", "void", "int const", "char *const",
        "", "   ", "struct", "*", "* int", "return", "_X", "__int128",
        "foo bar", "struct order *struct", "const", "const *",
        "volatile int", "int (*)(void)", "struct _x", "int, char",
        "struct int", "enum", "union *",
        # specifier combinations C does not allow
        "int int", "long char", "short long", "unsigned float",
        "long long long", "signed unsigned int", "double int",
        "short double", "long long double", "unsigned void *",
        "uint64_t int", "struct order int",
    ]

    BAD_INCLUDES = [
        "", "a.h\nb.h", '"a.h\n"', '"a.h', "<a.h", 'x.h"; evil()', "a.h>",
        '"a.h" "b.h"', "<a.h> x", "a h.h", "<>", '""', "a\\b.h",
    ]

    def test_bad_names(self):
        out = self.make_dir("out")
        for name in self.BAD_NAMES:
            with self.subTest(name=name):
                self.assert_rejected(
                    ["--type", "int", "--name", name, "--out-dir", out],
                    EXIT_USAGE, self.tmp, mention="--name")

    def test_longest_name_is_accepted(self):
        # The boundary next to the rejected 65-character name.
        self.generate("int", "a" * 64)

    def test_bad_types(self):
        out = self.make_dir("out")
        for ctype in self.BAD_TYPES:
            with self.subTest(type=ctype):
                self.assert_rejected(
                    ["--type", ctype, "--name", "x", "--out-dir", out],
                    EXIT_USAGE, self.tmp, mention="--type")

    def test_bad_includes(self):
        out = self.make_dir("out")
        for inc in self.BAD_INCLUDES:
            with self.subTest(include=inc):
                self.assert_rejected(
                    ["--type", "int", "--name", "x", "--include", "a.h",
                     "--include", inc, "--out-dir", out],
                    EXIT_USAGE, self.tmp, mention="--include")

    def test_missing_required_flags(self):
        out = self.make_dir("out")
        full = {"--type": "int", "--name": "x", "--out-dir": out}
        for missing in full:
            with self.subTest(missing=missing):
                args = []
                for flag, value in full.items():
                    if flag != missing:
                        args += [flag, value]
                self.assert_rejected(args, EXIT_USAGE, self.tmp,
                                     mention=missing)

    def test_no_arguments_at_all(self):
        self.assert_rejected([], EXIT_USAGE, self.tmp)

    def test_unknown_option(self):
        out = self.make_dir("out")
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              out, "--bogus"], EXIT_USAGE, self.tmp,
                             mention="--bogus")

    def test_out_dir_does_not_exist(self):
        missing = os.path.join(self.tmp, "missing")
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              missing], EXIT_ERROR, self.tmp,
                             mention=missing)
        self.assertFalse(os.path.exists(missing))

    def test_out_dir_is_a_file(self):
        path = self.write_file(os.path.join(self.tmp, "afile"), "keep\n")
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              path], EXIT_ERROR, self.tmp, mention=path)
        self.assertEqual(read_text(path), "keep\n")

    def test_out_dir_not_writable(self):
        out = self.make_dir("readonly")
        self.write_file(os.path.join(out, "keep.txt"), "keep\n")
        os.chmod(out, 0o500)
        self.addCleanup(os.chmod, out, 0o700)
        if os.geteuid() == 0:
            try:
                fd, probe = tempfile.mkstemp(dir=out)
            except OSError:
                pass  # not writable even for root (e.g. read-only mount)
            else:
                os.close(fd)
                os.unlink(probe)
                self.skipTest("running as root: a mode 0500 folder is "
                              "still writable")
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              out], EXIT_ERROR, out, mention=out)

    def test_out_dir_on_a_read_only_file_system(self):
        # Unwritable even for root (the test above skips as root):
        # procfs does not let anybody create files.
        out = "/proc/self"
        if not os.path.isdir(out):
            self.skipTest("no /proc on this system")
        result = run_spwgen(["--type", "int", "--name", "x", "--out-dir",
                             out], cwd=self.tmp)
        self.assertEqual(result.status, EXIT_ERROR, str(result))
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, str(result))
        self.assertTrue(lines[0].startswith("spwgen: error: "), str(result))
        self.assertIn(out, lines[0], str(result))
        self.assertNotIn("Traceback", result.stderr, str(result))
        for name in os.listdir(out):
            self.assertFalse(name.startswith(("spillway_", ".spwgen-")),
                             "%s left in %s" % (name, out))

    def test_missing_template_dir(self):
        out = self.make_dir("out")
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              out, "--template-dir",
                              os.path.join(self.tmp, "no-templates")],
                             EXIT_ERROR, self.tmp, mention="template")


class GoodInputTest(SpwgenTestCase):

    # (name, --type, --include values, spelling in the typedef)
    CASES = [
        ("u64", "uint64_t", ["<stdint.h>"], "uint64_t"),
        ("ptr", "void *", [], "void *"),
        ("order", "struct order", ['"order.h"'], "struct order"),
        ("cstr", "const char *", [], "const char *"),
        ("ull", "unsigned long long", [], "unsigned long long"),
        ("dbl", "double", [], "double"),
        ("orderp", "struct order *", ['"order.h"'], "struct order *"),
        ("argv", "char **", [], "char **"),
        ("flag", "_Bool", [], "_Bool"),
        ("cvp", "const volatile int *", [], "const volatile int *"),
        ("Mixed_Case9", "size_t", ["<stddef.h>"], "size_t"),
        ("ld", "long double", [], "long double"),
        ("ulli", "unsigned long long int", [], "unsigned long long int"),
        ("sc", "signed char", [], "signed char"),
        ("usi", "unsigned short int", [], "unsigned short int"),
    ]

    # Spellings that spwgen normalises (tokens joined by single spaces).
    NORMALISED = [
        ("char**", "char **"),
        ("  unsigned   long  ", "unsigned long"),
        ("struct order*", "struct order *"),
        ("void * *", "void **"),
        ("const\tchar*", "const char *"),
    ]

    def test_types_generate_and_compile(self):
        self.write_file(os.path.join(self.tmp, "order.h"), ORDER_H)
        for name, ctype, includes, spelled in self.CASES:
            with self.subTest(type=ctype):
                out = self.make_dir("out-" + name)
                files = self.generate(ctype, name, includes, out_dir=out)
                header = files["spillway_%s.h" % name].decode("utf-8")
                self.assertIn(typedef_line(spelled, name), header)
                self.assertIn("spw_%s_send(" % name, header)
                self.assertIn("spw_%s_recv(" % name, header)
                if CC is not None:
                    self.syntax_check(
                        os.path.join(out, "spillway_%s.c" % name),
                        out, self.tmp)
        self.require_cc()  # report the skip if nothing was compiled

    def test_type_spelling_is_normalised(self):
        for ctype, spelled in self.NORMALISED:
            with self.subTest(type=ctype):
                out = self.make_dir("norm-%d" % len(os.listdir(self.tmp)))
                files = self.generate(ctype, "n", out_dir=out)
                header = files["spillway_n.h"].decode("utf-8")
                self.assertIn(typedef_line(spelled, "n"), header)
                self.assertIn("Element type: %s\n" % spelled, header)

    def test_includes_are_quoted_and_kept_in_order(self):
        files = self.generate("struct order", "inc",
                              ["order.h", "<stdint.h>", '"sub/x.h"',
                               "<sys/types.h>"])
        header = files["spillway_inc.h"].decode("utf-8")
        wanted = ['#include "spillway_runtime.h"', '#include "order.h"',
                  "#include <stdint.h>", '#include "sub/x.h"',
                  "#include <sys/types.h>"]
        lines = header.splitlines()
        positions = []
        for line in wanted:
            self.assertEqual(lines.count(line), 1, "want once: " + line)
            positions.append(lines.index(line))
        self.assertEqual(positions, sorted(positions),
                         "includes must keep the command-line order")
        self.assertNotIn('"<stdint.h>"', header)
        self.assertNotIn('""order.h""', header)
        # The banner shows the include as written into the file.
        self.assertIn("--include '\"order.h\"' --include '<stdint.h>'",
                      banner_command(header))

    def test_version(self):
        result = run_spwgen(["--version"])
        self.assert_ok(result)
        self.assertEqual(result.stdout, "spwgen %s (runtime ABI %d)\n"
                         % (spwgen_version(), runtime_abi()))

    def test_help(self):
        result = run_spwgen(["--help"])
        self.assert_ok(result)
        self.assertTrue(result.stdout.startswith("usage: spwgen"))
        for flag in ("--type", "--name", "--include", "--out-dir",
                     "--template-dir", "--version"):
            self.assertIn(flag, result.stdout)

    def test_explicit_template_dir_gives_same_output(self):
        default = self.generate("double", "td", out_dir=self.make_dir("d"))
        out = self.make_dir("explicit")
        self.assert_ok(run_spwgen(["--type", "double", "--name", "td",
                                   "--out-dir", out, "--template-dir",
                                   TEMPLATE_DIR], cwd=self.tmp))
        self.assertEqual(default, {f: read_bytes(os.path.join(out, f))
                                   for f in output_names("td")})


LINK_MAIN = r"""
#include <stdint.h>
#include <stdio.h>
#include "order.h"
#include "spillway_a.h"
#include "spillway_b.h"
#include "spillway_c.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "check failed line %d: %s\n", __LINE__, #cond); \
	return 1; } } while (0)

int main(void)
{
	spw_a_sender *atx = NULL;
	spw_a_receiver *arx = NULL;
	spw_b_sender *btx = NULL;
	spw_b_receiver *brx = NULL;
	spw_c_sender *ctx = NULL;
	spw_c_receiver *crx = NULL;
	struct order o = { 42, 9.5 }, got = { 0, 0.0 };
	uint64_t v = 0;

	CHECK(spw_a_channel(&atx, &arx) == SPW_OK);
	CHECK(spw_b_channel(&btx, &brx) == SPW_OK);
	CHECK(spw_c_channel(&ctx, &crx) == SPW_OK);
	CHECK(spw_a_send(atx, UINT64_C(0xfedcba9876543210)) == SPW_OK);
	CHECK(spw_b_send(btx, &o) == SPW_OK);	/* auto: a struct by pointer */
	CHECK(spw_c_send(ctx, o) == SPW_OK);	/* --pass value */
	CHECK(spw_a_recv(arx, &v) == SPW_OK);
	CHECK(v == UINT64_C(0xfedcba9876543210));
	CHECK(spw_b_recv(brx, &got) == SPW_OK);
	CHECK(got.id == 42 && got.price == 9.5);
	got.id = 0;
	CHECK(spw_c_recv(crx, &got) == SPW_OK);
	CHECK(got.id == 42 && got.price == 9.5);
	CHECK(spw_a_sender_close(atx) == SPW_OK);
	CHECK(spw_b_sender_close(btx) == SPW_OK);
	CHECK(spw_a_recv(arx, &v) == SPW_CLOSED);
	CHECK(spw_b_recv(brx, &got) == SPW_CLOSED);
	CHECK(spw_a_receiver_close(arx) == SPW_OK);
	CHECK(spw_b_receiver_close(brx) == SPW_OK);
	CHECK(spw_c_sender_close(ctx) == SPW_OK);
	CHECK(spw_c_receiver_close(crx) == SPW_OK);
	puts("ok");
	return 0;
}
"""


class LinkTest(SpwgenTestCase):
    """Channels in one program: no symbol clashes, values round-trip."""

    def test_channels_link_and_run(self):
        # a: uint64_t by value; b: a struct, by pointer (--pass auto);
        # c: the same struct by value (--pass value).
        self.require_cc()
        out = self.tmp
        self.write_file(os.path.join(out, "order.h"), ORDER_H)
        self.generate("uint64_t", "a", ["<stdint.h>"],
                      out_dir=self.make_dir("gen-a"))
        self.generate("struct order", "b", ['"order.h"'],
                      out_dir=self.make_dir("gen-b"))
        self.generate("struct order", "c", ['"order.h"'],
                      out_dir=self.make_dir("gen-c"),
                      extra=["--pass", "value"])
        main_c = self.write_file(os.path.join(out, "main.c"), LINK_MAIN)
        exe = os.path.join(out, "channels")
        args = CFLAGS + ["-I" + RUNTIME_DIR, "-I" + out]
        for name in "abc":
            args.append("-I" + os.path.join(out, "gen-" + name))
        args.append(main_c)
        for name in "abc":
            args.append(os.path.join(out, "gen-" + name,
                                     "spillway_%s.c" % name))
        self.run_cc(args + [RUNTIME_C, "-pthread", "-o", exe],
                    "building three channels into one program")
        proc = subprocess.run([exe], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "ok\n")

    def test_exported_symbols_carry_the_channel_prefix(self):
        self.require_cc()
        if NM is None:
            self.skipTest("no `nm` on PATH")
        out = self.tmp
        self.generate("uint64_t", "a", ["<stdint.h>"], out_dir=out)
        obj = os.path.join(out, "spillway_a.o")
        self.run_cc(CFLAGS + ["-c", "-I" + RUNTIME_DIR, "-I" + out,
                              os.path.join(out, "spillway_a.c"), "-o", obj],
                    "compiling spillway_a.c")
        proc = subprocess.run([NM, "-g", "--defined-only", obj],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        symbols = [line.split()[-1] for line in proc.stdout.splitlines()
                   if line.strip()]
        self.assertTrue(symbols, "no exported symbols in spillway_a.o")
        stray = [s for s in symbols if not s.startswith("spw_a_")]
        self.assertEqual(stray, [], "exported symbols without the spw_a_ "
                         "prefix could clash with other channels")


class RegenerateCommandTest(SpwgenTestCase):
    """The command in the banner reproduces the file it is written in."""

    def run_banner_command(self, text, out_dir):
        command = banner_command(text)
        self.assertIsNotNone(command, "no regenerate command in the banner")
        argv = shlex.split(command)
        self.assertEqual(argv[0], "spwgen")
        self.assertEqual(argv.count("DIR"), 1)
        argv = [out_dir if a == "DIR" else a for a in argv[1:]]
        self.assert_ok(run_spwgen(argv, cwd=self.tmp))

    def test_checked_in_banners_reproduce_generated(self):
        for name in CHECKED_IN:
            for fname in output_names(name):
                with self.subTest(file=fname):
                    checked_in = read_bytes(os.path.join(GENERATED_DIR, fname))
                    out = self.make_dir("regen-" + fname)
                    self.run_banner_command(checked_in.decode("utf-8"), out)
                    self.assertEqual(read_bytes(os.path.join(out, fname)),
                                     checked_in,
                                     "the banner command of generated/%s "
                                     "does not reproduce it" % fname)

    def test_banner_round_trips_awkward_arguments(self):
        files = self.generate("  struct   order*", "rt",
                              ["order.h", "<stdint.h>"],
                              out_dir=self.make_dir("first"))
        for fname, data in files.items():
            with self.subTest(file=fname):
                out = self.make_dir("again-" + fname)
                self.run_banner_command(data.decode("utf-8"), out)
                again = {f: read_bytes(os.path.join(out, f))
                         for f in output_names("rt")}
                self.assertEqual(again, files)


class RegressionTest(SpwgenTestCase):
    """Bugs found while this suite was written, fixed since; each test
    states the wanted behaviour."""

    def test_non_utf8_include_is_a_usage_error(self):
        # Actual: UnicodeEncodeError traceback, exit 1, and a zero-length
        # .spwgen-XXXXXXXX temporary file left in the out dir.
        out = self.make_dir("out")
        self.assert_rejected([b"--type", b"int", b"--name", b"x",
                              b"--include", b'"\xff.h"', b"--out-dir",
                              os.fsencode(out)], EXIT_USAGE, out)

    def test_include_cannot_break_the_banner_comment(self):
        # Actual: '"a*/b.h"' is accepted and the '*/' in the banner's
        # regenerate command ends the comment early; '/*' nests a comment
        # (-Wcomment). Either rejecting such names or escaping the banner
        # is a fix.
        for inc in ('"a*/b.h"', '"a/*b.h"'):
            with self.subTest(include=inc):
                out = self.make_dir("out%d" % len(os.listdir(self.tmp)))
                result = run_spwgen(["--type", "int", "--name", "x",
                                     "--include", inc, "--out-dir", out])
                if result.status != 0:
                    self.assert_rejected(
                        ["--type", "int", "--name", "x", "--include", inc,
                         "--out-dir", out], EXIT_USAGE, self.tmp)
                    continue
                for fname in output_names("x"):
                    text = read_text(os.path.join(out, fname))
                    comment = text.partition("*/")[0]
                    self.assertIn("Element type: int", comment)
                    self.assertNotIn("/*", comment[2:])

    def test_write_is_all_or_nothing(self):
        # Actual: with spillway_x.h blocked (a folder of that name),
        # spillway_x.c is still written, then spwgen exits 1.
        out = self.make_dir("out")
        os.mkdir(os.path.join(out, "spillway_x.h"))
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              out], EXIT_ERROR, out)

    def test_error_is_one_line_for_any_out_dir(self):
        # Actual: the path is printed with %s, so a newline in it splits
        # the message over two lines.
        missing = os.path.join(self.tmp, "no\nsuch")
        self.assert_rejected(["--type", "int", "--name", "x", "--out-dir",
                              missing], EXIT_ERROR, self.tmp)

    def test_channel_names_that_extend_each_other_do_not_clash(self):
        # Channel "a" declares spw_a_try_recv (its try_recv); a channel
        # "a_try" would declare spw_a_try_recv (its recv) with another
        # type. spwgen refuses such names; names that only contain those
        # words elsewhere are fine.
        self.require_cc()
        self.generate("int", "a", out_dir=self.tmp)
        self.generate_more("long", "a_trying")
        self.generate_more("short", "recv_a")
        self.compile_both("spillway_a.h", "spillway_a_trying.h")
        self.compile_both("spillway_a.h", "spillway_recv_a.h")
        for name in ("a_try", "a_recv", "a_send", "a_sender", "x_receiver",
                     "a_channel"):
            with self.subTest(name=name):
                out = self.make_dir("out_" + name)
                self.assert_rejected(["--type", "long", "--name", name,
                                      "--out-dir", out], EXIT_USAGE, out)

    def test_names_differing_in_case_do_not_share_a_guard(self):
        # Actual: "abc" and "ABC" both get the include guard
        # SPILLWAY_ABC_H, so the second header is silently empty.
        self.require_cc()
        self.generate("int", "abc", out_dir=self.tmp)
        self.generate_more("long", "ABC")
        self.compile_both("spillway_abc.h", "spillway_ABC.h",
                          "spw_ABC_sender *t; spw_ABC_receiver *r;"
                          " (void)spw_ABC_channel(&t, &r);")

    def generate_more(self, ctype, name):
        self.assert_ok(run_spwgen(["--type", ctype, "--name", name,
                                   "--out-dir", self.tmp]))

    def compile_both(self, h1, h2, body=""):
        main_c = self.write_file(
            os.path.join(self.tmp, "both.c"),
            '#include "%s"\n#include "%s"\nint main(void) { %s return 0; }\n'
            % (h1, h2, body))
        self.syntax_check(main_c, self.tmp)


def import_spwgen():
    """spwgen.py as a module, for tests of its pure functions."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("spwgen", SPWGEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Templates that show the context spwgen passes (for tests of the context,
# independent of the real templates).
PROBE_H = "by_pointer={{ by_pointer }}\ntype={{ type }}\n"
PROBE_C = "{{ command }}\n"


class PassModeTest(SpwgenTestCase):
    """--pass {auto,value,pointer} and the by_pointer template variable."""

    BY_VALUE = [
        "int", "unsigned long long", "double", "long double", "_Bool",
        "char", "signed char", "enum color", "void *", "struct order *",
        "const char *", "union u **", "my_struct_t *", "uint64_t",
        "int8_t", "uint_least16_t", "int_fast32_t", "intptr_t", "uintptr_t",
        "intmax_t", "size_t", "ssize_t", "ptrdiff_t", "off_t", "pid_t",
        "wchar_t", "char16_t", "char32_t", "time_t",
    ]
    BY_POINTER = [
        "struct order", "union value", "order_t", "my_struct", "FILE",
        "uint128_t", "int24_t", "size_type", "struct int64_t",
    ]

    def test_auto_rule(self):
        spwgen = import_spwgen()
        for ctype in self.BY_VALUE + self.BY_POINTER:
            with self.subTest(type=ctype):
                normal = spwgen.check_type(ctype)
                self.assertEqual(spwgen.passes_by_pointer(normal, "auto"),
                                 ctype in self.BY_POINTER)
                self.assertEqual(spwgen.passes_by_pointer(normal), ctype
                                 in self.BY_POINTER, "auto is the default")
                self.assertFalse(spwgen.passes_by_pointer(normal, "value"))
                self.assertTrue(spwgen.passes_by_pointer(normal, "pointer"))

    def probe(self, ctype, *extra):
        """Render the probe templates; return (header text, source text)."""
        templates = os.path.join(self.tmp, "probe-templates")
        if not os.path.isdir(templates):
            os.mkdir(templates)
            self.write_file(os.path.join(templates, "spillway.h.j2"),
                            PROBE_H)
            self.write_file(os.path.join(templates, "spillway.c.j2"),
                            PROBE_C)
        out = self.make_dir("probe-%d" % len(os.listdir(self.tmp)))
        self.assert_ok(run_spwgen(["--type", ctype, "--name", "p",
                                   "--out-dir", out, "--template-dir",
                                   templates] + list(extra)))
        return (read_text(os.path.join(out, "spillway_p.h")),
                read_text(os.path.join(out, "spillway_p.c")))

    def test_context_by_mode(self):
        cases = [
            ("uint64_t", [], False), ("uint64_t", ["--pass", "auto"], False),
            ("uint64_t", ["--pass", "pointer"], True),
            ("struct order", [], True),
            ("struct order", ["--pass", "value"], False),
            ("struct order", ["--pass", "pointer"], True),
        ]
        for ctype, extra, by_pointer in cases:
            with self.subTest(type=ctype, args=extra):
                header, _ = self.probe(ctype, *extra)
                self.assertEqual(header, "by_pointer=%s\ntype=%s\n"
                                 % (by_pointer, ctype))

    def test_context_from_spec(self):
        self.probe("int")  # makes the probe templates
        spec = {"out_dir": "spec-out", "channels": [
            {"type": "struct order", "name": "a"},
            {"type": "struct order", "name": "b", "pass": "value"},
            {"type": "int", "name": "c", "pass": "pointer"},
            {"type": "int", "name": "d", "pass": "auto"}]}
        self.write_file(os.path.join(self.tmp, "spec.json"), json.dumps(spec))
        out = self.make_dir("spec-out")
        self.assert_ok(run_spwgen(["--spec", "spec.json", "--template-dir",
                                   "probe-templates"], cwd=self.tmp))
        for name, ctype, by_pointer in (("a", "struct order", True),
                                        ("b", "struct order", False),
                                        ("c", "int", True),
                                        ("d", "int", False)):
            with self.subTest(name=name):
                self.assertEqual(
                    read_text(os.path.join(out, "spillway_%s.h" % name)),
                    "by_pointer=%s\ntype=%s\n" % (by_pointer, ctype))

    def test_banner_shows_pass_only_when_not_default(self):
        _, source = self.probe("int")
        self.assertEqual(source, "spwgen --type int --name p --out-dir DIR\n")
        _, source = self.probe("int", "--pass", "auto")
        self.assertEqual(source, "spwgen --type int --name p --out-dir DIR\n")
        for mode in ("value", "pointer"):
            with self.subTest(mode=mode):
                _, source = self.probe("int", "--pass", mode)
                self.assertEqual(source, "spwgen --type int --name p --pass "
                                 "%s --out-dir DIR\n" % mode)

    def test_bad_pass_mode(self):
        out = self.make_dir("out")
        for mode in ("", "ptr", "Value", "auto "):
            with self.subTest(mode=mode):
                self.assert_rejected(["--type", "int", "--name", "x",
                                      "--pass", mode, "--out-dir", out],
                                     EXIT_USAGE, self.tmp, mention="--pass")


class SpecTestCase(SpwgenTestCase):
    """Helpers for spec files."""

    # A spec with three channels, written to self.tmp/spec.json by
    # write_spec(); output goes to self.tmp/gen.
    SPEC = {
        "comment": "three channels",
        "out_dir": "gen",
        "channels": [
            {"type": "uint64_t", "name": "u64", "include": ["<stdint.h>"]},
            {"type": "struct order", "name": "order",
             "include": ['"order.h"'], "pass": "auto",
             "comment": "a struct: sent by pointer"},
            {"type": "const char *", "name": "str", "pass": "value"},
        ],
    }
    NAMES = ["u64", "order", "str"]

    def write_spec(self, spec=None, path="spec.json"):
        """Write spec (an object, or text as is) to self.tmp/path."""
        path = os.path.join(self.tmp, path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not isinstance(spec, str):
            spec = json.dumps(self.SPEC if spec is None else spec, indent=2)
        return self.write_file(path, spec)

    def spec_with(self, index, **fields):
        """SPEC with fields of channel `index` replaced (None: removed)."""
        spec = json.loads(json.dumps(self.SPEC))
        for key, value in fields.items():
            if value is None:
                del spec["channels"][index][key]
            else:
                spec["channels"][index][key] = value
        return spec

    def reject_spec(self, spec, mention, status=EXIT_USAGE, extra=()):
        """spec (written to spec.json) must be refused, writing nothing;
        the error names the spec file first."""
        self.write_spec(spec)
        os.makedirs(os.path.join(self.tmp, "gen"), exist_ok=True)
        result = self.assert_rejected(["--spec", "spec.json"] + list(extra),
                                      status, self.tmp, mention=mention)
        self.assertTrue(result.stderr.startswith("spwgen: error: spec.json"),
                        str(result))
        return result


class SpecTest(SpecTestCase):
    """--spec: several channels from one JSON file."""

    def test_several_channels(self):
        self.write_spec()
        gen = self.make_dir("gen")
        # From another folder: out_dir is relative to the spec file.
        self.assert_ok(run_spwgen(["--spec", os.path.join(self.tmp,
                                                          "spec.json")]))
        self.assertEqual(sorted(os.listdir(gen)), sorted(
            f for name in self.NAMES for f in output_names(name)))
        # Each channel's files are those of the single-channel command.
        for entry in self.SPEC["channels"]:
            with self.subTest(name=entry["name"]):
                extra = []
                if entry.get("pass", "auto") != "auto":
                    extra = ["--pass", entry["pass"]]
                alone = self.generate(entry["type"], entry["name"],
                                      entry.get("include", []), extra=extra)
                for fname, data in alone.items():
                    self.assertEqual(read_bytes(os.path.join(gen, fname)),
                                     data, fname)

    def test_generated_sources_compile(self):
        self.require_cc()
        self.write_spec()
        gen = self.make_dir("gen")
        self.write_file(os.path.join(self.tmp, "order.h"), ORDER_H)
        self.assert_ok(run_spwgen(["--spec", "spec.json"], cwd=self.tmp))
        for name in self.NAMES:
            with self.subTest(name=name):
                self.syntax_check(os.path.join(gen, "spillway_%s.c" % name),
                                  gen, self.tmp)

    def test_out_dir(self):
        # Relative to the spec's folder; by default that folder itself;
        # --out-dir (relative to the current folder) overrides it.
        spec = dict(self.SPEC, channels=self.SPEC["channels"][:1])
        del spec["out_dir"]
        self.write_spec(spec, "sub/default.json")
        spec["out_dir"] = "../elsewhere"
        self.write_spec(spec, "sub/up.json")
        self.make_dir("elsewhere")
        self.make_dir("flag")
        for args, folder in (
                (["--spec", "sub/default.json"], "sub"),
                (["--spec", "sub/up.json"], "elsewhere"),
                (["--spec", "sub/up.json", "--out-dir", "flag"], "flag")):
            with self.subTest(args=args):
                self.assert_ok(run_spwgen(args, cwd=self.tmp))
                self.assertTrue(os.path.isfile(os.path.join(
                    self.tmp, folder, "spillway_u64.h")), folder)

    def test_pass_in_spec_reaches_banner(self):
        spec = self.spec_with(0, **{"pass": "pointer"})
        self.write_spec(spec)
        gen = self.make_dir("gen")
        self.assert_ok(run_spwgen(["--spec", "spec.json"], cwd=self.tmp))
        self.assertEqual(
            banner_command(read_text(os.path.join(gen, "spillway_u64.h"))),
            "spwgen --type uint64_t --name u64 --include '<stdint.h>' "
            "--pass pointer --out-dir DIR")
        self.assertIn("--pass value", banner_command(
            read_text(os.path.join(gen, "spillway_str.h"))))
        self.assertNotIn("--pass", banner_command(
            read_text(os.path.join(gen, "spillway_order.h"))))

    def test_duplicate_name(self):
        spec = self.spec_with(2, name="u64")
        result = self.reject_spec(spec, "channels[2].name")
        self.assertIn("channels[0]", result.stderr)
        self.assertIn("'u64'", result.stderr)

    def test_names_differing_only_in_case(self):
        spec = self.spec_with(2, name="ORDER")
        result = self.reject_spec(spec, "channels[2].name")
        self.assertIn("channels[1]", result.stderr)
        self.assertIn("'ORDER'", result.stderr)
        self.assertIn("'order'", result.stderr)
        self.assertIn("letter case", result.stderr)

    def test_unknown_keys(self):
        top = dict(self.SPEC, outdir="x")
        self.reject_spec(top, "unknown key 'outdir'")
        entry = self.spec_with(1, nmae="order")
        self.reject_spec(entry, "spec.json: channels[1]: unknown key 'nmae'")
        self.reject_spec(dict(self.SPEC, Channels=[]),
                         "unknown key 'Channels'")

    def test_repeated_key(self):
        text = ('{"channels": [{"type": "int", "name": "a", '
                '"name": "b"}]}')
        self.reject_spec(text, "channels[0]: key 'name' appears more than "
                               "once")
        self.reject_spec('{"out_dir": "a", "out_dir": "b", "channels": []}',
                         "key 'out_dir' appears more than once")

    def test_bad_fields(self):
        # (changes to channel 1, what the error names)
        cases = [
            ({"type": None}, "channels[1]: missing key 'type'"),
            ({"name": None}, "channels[1]: missing key 'name'"),
            ({"type": 5}, "channels[1].type: must be a string, not a number"),
            ({"name": ["order"]}, "channels[1].name: must be a string"),
            ({"name": "int"}, "channels[1].name: 'int' is a C keyword"),
            ({"name": "a b"}, "channels[1].name: "),
            ({"name": ""}, "channels[1].name: must not be empty"),
            ({"include": "order.h"},
             "channels[1].include: must be a list, not a string"),
            ({"include": ["order.h", 7]},
             "channels[1].include[1]: must be a string"),
            ({"include": [""]}, "channels[1].include[0]: must not be empty"),
            ({"pass": "fast"}, "channels[1].pass: 'fast' is not one of "
                               "auto, value, pointer"),
            ({"pass": True}, "channels[1].pass: must be a string, not true"),
            ({"comment": ["x"]},
             "spec.json: channels[1].comment: must be a string, not a list"),
        ]
        for fields, mention in cases:
            with self.subTest(fields=fields):
                self.reject_spec(self.spec_with(1, **fields), mention)

    def test_bad_shapes(self):
        cases = [
            ([], "spec.json: the top level: must be an object, not a list"),
            ("null", "the top level: must be an object, not null"),
            ({}, "spec.json: missing key 'channels'"),
            ({"channels": []}, "channels: must list at least one channel"),
            ({"channels": {}}, "channels: must be a list, not an object"),
            ({"channels": ["int"]},
             "channels[0]: must be an object, not a string"),
            (dict(self.SPEC, out_dir=""), "out_dir: must not be empty"),
            (dict(self.SPEC, out_dir=1), "out_dir: must be a string"),
            (dict(self.SPEC, out_dir="a\u0000b"), "out_dir: contains a NUL"),
            (dict(self.SPEC, comment=None),
             "spec.json: comment: must be a string, not null"),
        ]
        for spec, mention in cases:
            with self.subTest(spec=spec):
                self.reject_spec(spec, mention)

    def test_injection_attempts(self):
        # Whatever --type and --include refuse, a spec refuses too.
        for ctype in BadInputTest.BAD_TYPES:
            with self.subTest(type=ctype):
                self.reject_spec(self.spec_with(2, type=ctype),
                                 "spec.json: channels[2].type")
        for inc in BadInputTest.BAD_INCLUDES:
            with self.subTest(include=inc):
                self.reject_spec(self.spec_with(2, include=["a.h", inc]),
                                 "spec.json: channels[2].include[1]")
        for name in BadInputTest.BAD_NAMES:
            with self.subTest(name=name):
                self.reject_spec(self.spec_with(2, name=name),
                                 "spec.json: channels[2].name")

    def test_unreadable_spec_files(self):
        self.make_dir("gen")
        self.make_dir("folder.json")
        files = {
            "bad.json": b'{"channels": [\n  {"type": "int",}\n]}',
            "empty.json": b"",
            "latin1.json": b'{"comment": "caf\xe9", "channels": []}',
            "trailing.json": b'{"channels": []} x',
            "nan.json": b'{"channels": NaN}',
            "big.json": b" " * (1 << 20) + b"{}",
            "deep.json": b"[" * 100000 + b"]" * 100000,
            "new\nline.json": b"{",
        }
        for fname, data in files.items():
            with open(os.path.join(self.tmp, fname), "wb") as f:
                f.write(data)
        cases = [
            ("missing.json", "missing.json: cannot read the spec file: "
                             "No such file or directory"),
            ("folder.json", "folder.json: cannot read the spec file: "
                            "it is a folder, not a regular file"),
            ("bad.json", "bad.json:2:18: not valid JSON: "),
            ("empty.json", "empty.json:1:1: not valid JSON: "),
            ("latin1.json", "latin1.json: not UTF-8 (byte 0xe9 at offset "
                            "16)"),
            ("trailing.json", "trailing.json:1:18: not valid JSON: "),
            ("nan.json", "nan.json: channels: must be a list, not a number"),
            ("big.json", "big.json: larger than 1048576 bytes"),
            ("deep.json", "deep.json: JSON nested too deeply"),
            ("new\nline.json", "'new\\nline.json':1:2: not valid JSON"),
        ]
        for fname, mention in cases:
            with self.subTest(spec=fname):
                self.assert_rejected(["--spec", fname], EXIT_USAGE,
                                     self.tmp, mention=mention)

    def test_spec_file_not_readable(self):
        if os.geteuid() == 0:
            self.skipTest("running as root: a mode 0 file is still readable")
        path = self.write_spec()
        os.chmod(path, 0)
        self.assert_rejected(["--spec", "spec.json"], EXIT_USAGE, self.tmp,
                             mention="spec.json: cannot read the spec file")

    def test_spec_with_single_channel_flags(self):
        self.write_spec()
        self.make_dir("gen")
        for flags in (["--type", "int"], ["--name", "x"],
                      ["--include", "a.h"], ["--pass", "auto"],
                      ["--type", ""]):
            with self.subTest(flags=flags):
                self.assert_rejected(["--spec", "spec.json"] + flags,
                                     EXIT_USAGE, self.tmp,
                                     mention="--spec cannot be combined "
                                             "with " + flags[0])

    def test_error_in_a_later_channel_writes_nothing(self):
        # Rendering fails for the last channel only: the others, valid and
        # rendered, must not be written either (and older files stay).
        templates = self.make_dir("templates")
        for t in ("spillway.h.j2", "spillway.c.j2"):
            shutil.copy(os.path.join(TEMPLATE_DIR, t), templates)
        shutil.copy(os.path.join(TEMPLATE_DIR, "_common.j2"), templates)
        with open(os.path.join(templates, "spillway.c.j2"), "a",
                  encoding="utf-8") as f:
            f.write('{% if name == "str" %}{{ no_such_variable }}'
                    '{% endif %}\n')
        self.write_spec()
        gen = self.make_dir("gen")
        self.write_file(os.path.join(gen, "spillway_u64.h"), "old\n")
        self.assert_rejected(["--spec", os.path.join(self.tmp, "spec.json"),
                              "--template-dir", templates], EXIT_ERROR, gen,
                             mention="template spillway.c.j2")

    def test_blocked_file_writes_nothing(self):
        self.write_spec()
        gen = self.make_dir("gen")
        self.write_file(os.path.join(gen, "spillway_u64.h"), "old\n")
        os.mkdir(os.path.join(gen, "spillway_str.c"))
        self.assert_rejected(["--spec", os.path.join(self.tmp, "spec.json")],
                             EXIT_ERROR, gen,
                             mention="spillway_str.c")

    def test_missing_out_dir_writes_nothing(self):
        self.write_spec()
        self.assert_rejected(["--spec", "spec.json"], EXIT_ERROR, self.tmp,
                             mention="output folder 'gen' does not exist")


class CheckTest(SpecTestCase):
    """--check: compare the files on disk, write nothing."""

    def setUp(self):
        super().setUp()
        self.write_spec()
        self.gen = self.make_dir("gen")
        self.assert_ok(run_spwgen(["--spec", "spec.json"], cwd=self.tmp))

    def check(self, args, status, stdout):
        before = snapshot(self.gen)
        result = run_spwgen(args + ["--check"], cwd=self.tmp)
        self.assertEqual((result.status, result.stdout, result.stderr),
                         (status, stdout, ""), str(result))
        self.assertEqual(snapshot(self.gen), before, "--check changed files")

    def test_fresh(self):
        self.check(["--spec", "spec.json"], 0, "")
        self.check(["--type", "uint64_t", "--name", "u64", "--include",
                    "<stdint.h>", "--out-dir", "gen"], 0, "")

    def test_stale_and_missing(self):
        with open(os.path.join(self.gen, "spillway_order.c"), "ab") as f:
            f.write(b"/* edited */\n")
        os.unlink(os.path.join(self.gen, "spillway_str.h"))
        self.check(["--spec", "spec.json"], 1,
                   "stale: gen/spillway_order.c\n"
                   "missing: gen/spillway_str.h\n"
                   "spwgen: 2 of 6 files out of date\n")
        self.check(["--type", "struct order", "--name", "order",
                    "--include", '"order.h"', "--out-dir", "gen"], 1,
                   "stale: gen/spillway_order.c\n"
                   "spwgen: 1 of 2 files out of date\n")
        # The same file with different arguments is stale.
        self.check(["--type", "uint64_t", "--name", "u64", "--out-dir",
                    "gen"], 1, "stale: gen/spillway_u64.h\n"
                               "stale: gen/spillway_u64.c\n"
                               "spwgen: 2 of 2 files out of date\n")

    def test_not_a_file_is_stale(self):
        os.unlink(os.path.join(self.gen, "spillway_u64.c"))
        os.mkdir(os.path.join(self.gen, "spillway_u64.c"))
        self.check(["--spec", "spec.json"], 1,
                   "stale: gen/spillway_u64.c\n"
                   "spwgen: 1 of 6 files out of date\n")

    def test_missing_out_dir(self):
        self.check(["--spec", "spec.json", "--out-dir", "nowhere"], 1,
                   "".join("missing: nowhere/%s\n" % f
                           for name in self.NAMES
                           for f in listed_names(name))
                   + "spwgen: 6 of 6 files out of date\n")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nowhere")))

    def test_with_list_outputs_is_a_usage_error(self):
        self.assert_rejected(["--spec", "spec.json", "--check",
                              "--list-outputs"], EXIT_USAGE, self.tmp,
                             mention="--list-outputs")


class ListOutputsTest(SpecTestCase):
    """--list-outputs: the paths that would be written, nothing else."""

    def list_outputs(self, args, expected):
        before = snapshot(self.tmp)
        result = run_spwgen(args + ["--list-outputs"], cwd=self.tmp)
        self.assert_ok(result)
        self.assertEqual(result.stdout, "".join(p + "\n" for p in expected))
        self.assertEqual(snapshot(self.tmp), before)

    def test_spec(self):
        self.write_spec()
        self.list_outputs(["--spec", "spec.json"],
                          ["gen/spillway_u64.h", "gen/spillway_u64.c",
                           "gen/spillway_order.h", "gen/spillway_order.c",
                           "gen/spillway_str.h", "gen/spillway_str.c"])

    def test_paths_are_normalised(self):
        spec = dict(self.SPEC, out_dir="../gen/./", channels=[
            {"type": "int", "name": "a"}])
        self.write_spec(spec, "sub/spec.json")
        self.list_outputs(["--spec", "sub/spec.json"],
                          ["gen/spillway_a.h", "gen/spillway_a.c"])
        self.list_outputs(["--spec", "sub/spec.json", "--out-dir", "."],
                          ["spillway_a.h", "spillway_a.c"])
        self.list_outputs(["--spec", os.path.join(self.tmp, "sub",
                                                  "spec.json")],
                          [os.path.join(self.tmp, "gen", "spillway_a.h"),
                           os.path.join(self.tmp, "gen", "spillway_a.c")])

    def test_single_channel(self):
        self.list_outputs(["--type", "int", "--name", "x", "--out-dir",
                           "./out//"], ["out/spillway_x.h",
                                        "out/spillway_x.c"])

    def test_needs_no_templates(self):
        # Build systems may ask at configure time, before anything exists.
        self.list_outputs(["--type", "int", "--name", "x", "--out-dir", "o",
                           "--template-dir", "no-such-folder"],
                          ["o/spillway_x.h", "o/spillway_x.c"])

    def test_still_checks_the_input(self):
        self.write_spec(self.spec_with(0, name="9"))
        self.assert_rejected(["--spec", "spec.json", "--list-outputs"],
                             EXIT_USAGE, self.tmp, mention="channels[0].name")
        self.assert_rejected(["--type", "int;", "--name", "x", "--out-dir",
                              ".", "--list-outputs"], EXIT_USAGE, self.tmp,
                             mention="--type")


class ReplaceFailureTest(SpecTestCase):
    """A rename that fails midway: the earlier ones are undone."""

    def run_main(self, spwgen, args):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = spwgen.main(args)
        return status, err.getvalue()

    def test_undo_after_failed_rename(self):
        spwgen = import_spwgen()
        self.write_spec()
        gen = self.make_dir("gen")
        self.write_file(os.path.join(gen, "spillway_u64.h"), "old u64.h\n")
        self.write_file(os.path.join(gen, "spillway_order.h"), "old o.h\n")
        before = snapshot(gen)
        real_replace = os.replace
        calls = []

        def replace(src, dst):
            calls.append(dst)
            if len(calls) == 4:  # the fourth file: spillway_order.c
                raise OSError(errno.EIO, "Input/output error")
            real_replace(src, dst)

        with unittest.mock.patch.object(spwgen.os, "replace", replace):
            status, err = self.run_main(
                spwgen, ["--spec", os.path.join(self.tmp, "spec.json")])
        self.assertEqual(status, EXIT_ERROR, err)
        self.assertRegex(err, r"\Aspwgen: error: cannot replace "
                              r"'[^']*/gen/spillway_order\.c': Input/output "
                              r"error; restored the 3 files replaced "
                              r"before it\n\Z")
        self.assertEqual(snapshot(gen), before)

    def test_undo_without_hard_links(self):
        # Where hard links fail, an existing file cannot be put back: the
        # error says which.
        spwgen = import_spwgen()
        self.write_spec()
        gen = self.make_dir("gen")
        self.write_file(os.path.join(gen, "spillway_u64.c"), "old\n")
        real_replace = os.replace

        def replace(src, dst):
            if dst.endswith("spillway_order.h"):
                raise OSError(errno.EACCES, "Permission denied")
            real_replace(src, dst)

        def link(src, dst):
            raise OSError(errno.EPERM, "Operation not permitted")

        with unittest.mock.patch.object(spwgen.os, "replace", replace), \
                unittest.mock.patch.object(spwgen.os, "link", link):
            status, err = self.run_main(
                spwgen, ["--spec", os.path.join(self.tmp, "spec.json")])
        self.assertEqual(status, EXIT_ERROR, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("these files were replaced and not restored: '%s'"
                      % os.path.join(gen, "spillway_u64.c"), err)
        # New files are removed; no temporary file is left.
        self.assertEqual(sorted(os.listdir(gen)), ["spillway_u64.c"])


class ModuleTest(SpwgenTestCase):
    """spwgen.py as a module and as an installed copy."""

    def test_python_m_spwgen(self):
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "generator"))
        proc = subprocess.run([sys.executable, "-m", "spwgen", "--version"],
                              cwd=self.tmp, env=env, capture_output=True,
                              text=True, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(proc.stdout, "spwgen %s (runtime ABI %d)\n"
                         % (spwgen_version(), runtime_abi()))

    def test_installed_layout_finds_its_templates(self):
        # $PREFIX/share/spillway/python/spwgen.py finds
        # $PREFIX/share/spillway/templates (no --template-dir).
        share = self.make_dir("prefix", "share", "spillway")
        os.mkdir(os.path.join(share, "python"))
        shutil.copy(SPWGEN, os.path.join(share, "python"))
        shutil.copytree(TEMPLATE_DIR, os.path.join(share, "templates"))
        out = self.make_dir("out")
        proc = subprocess.run(
            [sys.executable, os.path.join(share, "python", "spwgen.py"),
             "--type", "double", "--name", "d", "--out-dir", out],
            cwd=self.tmp, capture_output=True, text=True, timeout=60)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(
            {f: read_bytes(os.path.join(out, f)) for f in output_names("d")},
            self.generate("double", "d"))


class HelpTest(SpwgenTestCase):
    """--help is the manual."""

    def test_help_covers_everything(self):
        result = run_spwgen(["--help"])
        self.assert_ok(result)
        for text in ("usage: spwgen --type CTYPE", "spwgen --spec FILE",
                     "--check", "--list-outputs", "--pass", "--version",
                     "--template-dir", "pass-by rule", "exit status",
                     "spec file", "examples", "docs/spwgen.md"):
            self.assertIn(text, result.stdout)

    def test_spec_example_in_help_is_valid(self):
        help_text = run_spwgen(["--help"]).stdout
        m = re.search(r"^    \{\n.*?^    \}\n", help_text, re.M | re.S)
        self.assertIsNotNone(m, "no spec example in --help")
        self.write_file(os.path.join(self.tmp, "spec.json"), m.group(0))
        result = run_spwgen(["--spec", "spec.json", "--list-outputs"],
                            cwd=self.tmp)
        self.assert_ok(result)
        self.assertEqual(result.stdout.splitlines(),
                         ["gen/" + f for f in listed_names("u64")]
                         + ["gen/" + f for f in listed_names("order")]
                         + ["gen/spillway_order.hpp"])

    def test_no_abbreviated_options(self):
        self.assert_rejected(["--type", "int", "--name", "x", "--out",
                              self.tmp], EXIT_USAGE, self.tmp,
                             mention="--out")


class ManualTest(SpwgenTestCase):
    """docs/spwgen.md: its spec example is valid and lists what it says."""

    MANUAL = os.path.join(ROOT, "docs", "spwgen.md")

    def test_spec_example(self):
        if not os.path.isfile(self.MANUAL):
            self.skipTest("no docs/spwgen.md here (a Bazel sandbox?)")
        manual = read_text(self.MANUAL)
        spec = re.search(r"^```json\n(.*?)^```$", manual, re.M | re.S)
        listing = re.search(r"^\$ spwgen --spec channels.json "
                            r"--list-outputs\n(.*?)^```$", manual,
                            re.M | re.S)
        self.assertIsNotNone(spec, "no spec example")
        self.assertIsNotNone(listing, "no --list-outputs example")
        self.write_file(os.path.join(self.tmp, "channels.json"),
                        spec.group(1))
        result = run_spwgen(["--spec", "channels.json", "--list-outputs"],
                            cwd=self.tmp)
        self.assert_ok(result)
        self.assertEqual(result.stdout, listing.group(1))


class ReservedNameTest(SpecTestCase):
    """Names whose files and include guards are the runtime's own."""

    def test_runtime_names_are_refused(self):
        out = self.make_dir("out")
        for name in ("core", "runtime", "Core", "RUNTIME", "rUnTiMe"):
            with self.subTest(name=name):
                self.assert_rejected(
                    ["--type", "int", "--name", name, "--out-dir", out],
                    EXIT_USAGE, self.tmp,
                    mention="--name: %r is reserved: its files would be "
                            "the runtime's spillway_%s.h"
                            % (name, name.lower()))
                self.assertEqual(os.listdir(out), [])

    def test_runtime_names_are_refused_in_a_spec(self):
        for name in ("core", "Runtime"):
            with self.subTest(name=name):
                self.reject_spec(self.spec_with(1, name=name),
                                 "spec.json: channels[1].name: %r is "
                                 "reserved" % name)

    def test_names_that_only_contain_them_are_fine(self):
        for name in ("cores", "runtime2", "my_core", "core_x"):
            with self.subTest(name=name):
                self.generate("int", name)


class SpecFileKindTest(SpwgenTestCase):
    """--spec names something other than a regular file: a usage error,
    at once, and a FIFO is never opened."""

    def test_fifo_is_refused_without_opening_it(self):
        fifo = os.path.join(self.tmp, "spec.json")
        os.mkfifo(fifo)
        # A writer blocks in open() until someone opens the read end: if
        # spwgen opened the FIFO, this thread would get past its open().
        import threading
        opened = threading.Event()

        def writer():
            fd = os.open(fifo, os.O_WRONLY)
            opened.set()
            os.close(fd)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            self.assert_rejected(["--spec", "spec.json"], EXIT_USAGE,
                                 self.tmp, timeout=30,
                                 mention="spec.json: cannot read the spec "
                                         "file: it is a FIFO, not a "
                                         "regular file")
            self.assertFalse(opened.is_set(), "spwgen opened the FIFO")
        finally:
            # Let the writer go: open the read end ourselves.
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            thread.join(10)
            os.close(fd)
        self.assertTrue(opened.is_set())

    def test_symlink_to_a_fifo(self):
        os.mkfifo(os.path.join(self.tmp, "fifo"))
        os.symlink("fifo", os.path.join(self.tmp, "link.json"))
        self.assert_rejected(["--spec", "link.json"], EXIT_USAGE, self.tmp,
                             timeout=30, mention="it is a FIFO")

    def test_devices_and_folders(self):
        self.make_dir("folder.json")
        cases = [("folder.json", "it is a folder, not a regular file")]
        for dev in ("/dev/null", "/dev/zero", "/dev/tty"):
            if os.path.exists(dev):
                cases.append((dev, "it is a character device, not a "
                                   "regular file"))
        for path, mention in cases:
            with self.subTest(spec=path):
                self.assert_rejected(["--spec", path], EXIT_USAGE, self.tmp,
                                     timeout=30,
                                     mention="%s: cannot read the spec "
                                             "file: %s" % (path, mention))

    def test_fifo_with_check_and_list_outputs(self):
        os.mkfifo(os.path.join(self.tmp, "spec.json"))
        for flag in ("--check", "--list-outputs"):
            with self.subTest(flag=flag):
                self.assert_rejected(["--spec", "spec.json", flag],
                                     EXIT_USAGE, self.tmp, timeout=30,
                                     mention="it is a FIFO")


ARRAY_H = """\
#ifndef NAMES_H
#define NAMES_H
typedef char name16[16];
typedef struct { char s[16]; } name16_box;
#endif
"""


class ArrayTypedefTest(SpwgenTestCase):
    """An array typedef cannot be assigned: the generated header refuses
    it at compile time with a clear message; a struct around it works."""

    MESSAGE = "wrap the array in a struct"

    def setUp(self):
        super().setUp()
        if not C_COMPILERS:
            self.skipTest("no gcc or clang on PATH")
        self.write_file(os.path.join(self.tmp, "names.h"), ARRAY_H)

    def compile(self, compiler, source, *extra):
        return subprocess.run(
            [compiler] + CFLAGS + ["-c", "-I" + RUNTIME_DIR, "-I" + self.tmp,
                                   source, "-o", os.devnull] + list(extra),
            capture_output=True, text=True, timeout=300)

    def test_array_typedef_fails_to_compile_with_the_message(self):
        out = self.make_dir("arr")
        files = self.generate("name16", "n16", ["names.h"], out_dir=out)
        self.assertIn(self.MESSAGE, files["spillway_n16.h"].decode())
        for compiler in C_COMPILERS:
            for fname in ("spillway_n16.c", "spillway_n16.h"):
                with self.subTest(compiler=compiler, file=fname):
                    proc = self.compile(compiler, os.path.join(out, fname),
                                        "-I" + out)
                    self.assertNotEqual(proc.returncode, 0, proc.stderr)
                    self.assertIn(self.MESSAGE, proc.stderr)
                    self.assertIn("static", proc.stderr)  # the assertion

    def test_struct_wrapper_compiles(self):
        for pass_mode in ("auto", "value"):
            out = self.make_dir("box-" + pass_mode)
            self.generate("name16_box", "box", ["names.h"], out_dir=out,
                          extra=["--pass", pass_mode])
            for compiler in C_COMPILERS:
                with self.subTest(compiler=compiler, pass_mode=pass_mode):
                    proc = self.compile(compiler,
                                        os.path.join(out, "spillway_box.c"),
                                        "-I" + out)
                    self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_check_is_a_constant_expression_in_every_c_standard(self):
        # C11 and later check; C99 (no _Static_assert) and C++ skip it.
        out = self.make_dir("std")
        self.generate("name16_box", "box", ["names.h"], out_dir=out)
        header = os.path.join(out, "spillway_box.h")
        for compiler in C_COMPILERS:
            for std in ("c99", "c11", "c17", "gnu11", "c2x"):
                with self.subTest(compiler=compiler, std=std):
                    proc = subprocess.run(
                        [compiler, "-std=" + std, "-Wall", "-Wextra",
                         "-Wpedantic", "-Werror", "-fsyntax-only",
                         "-I" + RUNTIME_DIR, "-I" + self.tmp, header],
                        capture_output=True, text=True, timeout=300)
                    self.assertEqual(proc.returncode, 0, proc.stderr)
        if CXX is not None:
            proc = subprocess.run(
                [CXX, "-std=c++11", "-Wall", "-Wextra", "-Wpedantic",
                 "-Werror", "-fsyntax-only", "-x", "c++", "-I" + RUNTIME_DIR,
                 "-I" + self.tmp, os.path.join(header)],
                capture_output=True, text=True, timeout=300)
            self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_only_typedef_names_get_the_check(self):
        # Tags, pointers, keywords and the standard scalar typedefs cannot
        # be arrays: their headers stay as they were.
        spwgen = import_spwgen()
        for ctype, maybe in (("name16", True), ("order_t", True),
                             ("FILE", True), ("uint64_t", False),
                             ("size_t", False), ("name16 *", False),
                             ("struct order", False), ("union u", False),
                             ("enum e", False), ("int", False),
                             ("bool", False), ("void *", False)):
            with self.subTest(type=ctype):
                self.assertEqual(spwgen.may_be_array(ctype), maybe)
        files = self.generate("uint64_t", "u", ["<stdint.h>"])
        self.assertNotIn("_Static_assert", files["spillway_u.h"].decode())


BOOL_MAIN = r"""
#include "spillway_flag.h"
int main(void)
{
	spw_flag_sender *tx;
	spw_flag_receiver *rx;
	bool v = false;

	if (spw_flag_channel(&tx, &rx) != SPW_OK)
		return 1;
	if (spw_flag_send(tx, true) != SPW_OK || spw_flag_recv(rx, &v) != SPW_OK)
		return 2;
	(void)spw_flag_sender_close(tx);
	(void)spw_flag_receiver_close(rx);
	return v == true ? 0 : 3;
}
"""


class BoolTypeTest(SpwgenTestCase):
    """`bool` needs <stdbool.h> before C23: spwgen includes it."""

    def test_bool_channels_compile_at_c11(self):
        if not C_COMPILERS:
            self.skipTest("no gcc or clang on PATH")
        for ctype, name in (("bool", "flag"), ("bool *", "flagp"),
                            ("const bool *", "cflagp"), ("_Bool", "b")):
            with self.subTest(type=ctype):
                out = self.make_dir("out-" + name)
                files = self.generate(ctype, name, out_dir=out)
                header = files["spillway_%s.h" % name].decode()
                self.assertEqual(header.count("#include <stdbool.h>\n"),
                                 0 if ctype == "_Bool" else 1)
                for compiler in C_COMPILERS:
                    proc = subprocess.run(
                        [compiler] + CFLAGS + [
                            "-c", "-I" + RUNTIME_DIR, "-I" + out,
                            os.path.join(out, "spillway_%s.c" % name),
                            "-o", os.devnull],
                        capture_output=True, text=True, timeout=300)
                    self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_bool_channel_runs(self):
        self.require_cc()
        out = self.make_dir("run")
        self.generate("bool", "flag", out_dir=out)
        main_c = self.write_file(os.path.join(out, "main.c"), BOOL_MAIN)
        exe = os.path.join(out, "flag")
        self.run_cc(CFLAGS + ["-I" + RUNTIME_DIR, "-I" + out, main_c,
                              os.path.join(out, "spillway_flag.c"),
                              RUNTIME_C, "-pthread", "-o", exe],
                    "building a bool channel")
        proc = subprocess.run([exe], capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_stdbool_once_and_before_the_users_headers(self):
        files = self.generate("bool", "flag", ["order.h", "<stdbool.h>"])
        header = files["spillway_flag.h"].decode()
        self.assertEqual(header.count("#include <stdbool.h>\n"), 1)
        files = self.generate("bool", "flag2", ["order.h"])
        lines = files["spillway_flag2.h"].decode().splitlines()
        self.assertLess(lines.index("#include <stdbool.h>"),
                        lines.index('#include "order.h"'))
        # The banner shows the includes as given; it still reproduces
        # the file (RegenerateCommandTest style).
        self.assertEqual(banner_command("\n".join(lines)),
                         "spwgen --type bool --name flag2 --include "
                         "'\"order.h\"' --out-dir DIR")

    def test_bool_typedef_names_are_not_bool(self):
        files = self.generate("bool_t", "bt")
        self.assertNotIn("stdbool", files["spillway_bt.h"].decode())


class PrefixTest(SpecTestCase):
    """--prefix PFX: PFX_NAME_* instead of spw_NAME_*."""

    BAD_PREFIXES = [
        "", "9a", "a-b", "a b", "a_", "_a", "a__b", "a.b", "\u00e9",
        "a" * 33, "int", "while",
        # the runtime's own namespace
        "SPW", "Spw", "spW", "spw_core", "spw_mem", "SPW_X", "spw_",
        # the project's file and guard names
        "spillway", "Spillway_x", "SPILLWAYS",
    ]

    def test_default_prefix_is_byte_identical(self):
        plain = self.generate("uint64_t", "u64", ["<stdint.h>"],
                              out_dir=self.make_dir("plain"))
        spw = self.generate("uint64_t", "u64", ["<stdint.h>"],
                            out_dir=self.make_dir("spw"),
                            extra=["--prefix", "spw"])
        self.assertEqual(plain, spw)
        for fname in plain:
            self.assertEqual(plain[fname],
                             read_bytes(os.path.join(GENERATED_DIR, fname)),
                             "generated/%s differs from spwgen's default "
                             "output" % fname)

    def test_names_follow_the_prefix(self):
        files = self.generate("struct order", "ord", ['"order.h"'],
                              extra=["--prefix", "foo"])
        header = files["spillway_ord.h"].decode()
        source = files["spillway_ord.c"].decode()
        self.assertIn("typedef struct order foo_ord_value;\n", header)
        self.assertIn("typedef struct foo_ord_sender foo_ord_sender;\n",
                      header)
        for f in ("channel", "send", "recv", "try_recv", "recv_batch",
                  "receiver_close", "sender_len", "receiver_fd"):
            self.assertIn(" foo_ord_%s(" % f, header)
        self.assertIn("#ifndef foo_ord_SPILLWAY_H\n#define foo_ord_SPILLWAY_H"
                      "\n", header)
        self.assertNotIn("spw_ord", header + source)
        self.assertNotIn("SPW_ORD", source)
        self.assertIn("FOO_ORD_", source)
        self.assertIn('#include "spillway_ord.h"', source)
        self.assertIn("--prefix foo --out-dir DIR", banner_command(header))

    def test_guards_differ_by_prefix(self):
        # Two channels share a guard only when they share their symbols
        # (foo + u64_x and foo_u64 + x both make foo_u64_x_send).
        spwgen = import_spwgen()
        guards = {}
        cases = (("spw", "u64"), ("foo", "u64"), ("bar", "u64"),
                 ("spw", "foo_u64"), ("Foo", "u64"), ("foo_u64", "x"),
                 ("foo", "u64_x"), ("spw", "SPILLWAY_u64"), ("a", "b"),
                 ("spw", "a_b"))
        for prefix, name in cases:
            guards[prefix, name] = spwgen.symbol_names(prefix, name)[2]
        for one in cases:
            for other in cases:
                same_symbols = ("%s_%s" % one) == ("%s_%s" % other)
                self.assertEqual(guards[one] == guards[other], same_symbols,
                                 (one, other))
        self.assertEqual(guards["spw", "u64"], "SPILLWAY_u64_H")
        runtime_guards = re.findall(
            r"^#ifndef (\w+_H)$", read_text(RUNTIME_H) + read_text(
                os.path.join(RUNTIME_DIR, "spillway_core.h")), re.M)
        self.assertTrue(runtime_guards)
        for guard in runtime_guards:
            self.assertNotIn(guard, guards.values())

    def test_bad_prefixes(self):
        out = self.make_dir("out")
        for prefix in self.BAD_PREFIXES:
            with self.subTest(prefix=prefix):
                self.assert_rejected(["--type", "int", "--name", "x",
                                      "--prefix", prefix, "--out-dir", out],
                                     EXIT_USAGE, self.tmp,
                                     mention="--prefix")

    def test_bad_prefixes_in_a_spec(self):
        for prefix in self.BAD_PREFIXES:
            with self.subTest(prefix=prefix):
                self.reject_spec(self.spec_with(1, prefix=prefix),
                                 "spec.json: channels[1].prefix")
                self.reject_spec(dict(self.SPEC, prefix=prefix),
                                 "spec.json: prefix")
        self.reject_spec(self.spec_with(0, prefix=7),
                         "channels[0].prefix: must be a string, not a "
                         "number")

    def test_good_prefixes(self):
        for prefix in ("foo", "Foo", "a", "my_lib", "x2", "a" * 32, "spwx",
                       "class"):
            with self.subTest(prefix=prefix):
                files = self.generate("int", "x", extra=["--prefix", prefix],
                                      out_dir=self.make_dir(prefix))
                self.assertIn(" %s_x_send(" % prefix,
                              files["spillway_x.h"].decode())

    def test_spec_prefix_default_and_override(self):
        spec = dict(self.SPEC, prefix="foo")
        spec["channels"] = [dict(c) for c in spec["channels"]]
        spec["channels"][2]["prefix"] = "bar"
        self.write_spec(spec)
        gen = self.make_dir("gen")
        self.assert_ok(run_spwgen(["--spec", "spec.json"], cwd=self.tmp))
        for name, prefix in (("u64", "foo"), ("order", "foo"),
                             ("str", "bar")):
            with self.subTest(name=name):
                header = read_text(os.path.join(gen, "spillway_%s.h" % name))
                self.assertIn(" %s_%s_send(" % (prefix, name), header)
                self.assertIn("--prefix %s" % prefix, banner_command(header))

    def test_prefix_with_spec_is_a_usage_error(self):
        self.write_spec()
        self.make_dir("gen")
        for flags in (["--prefix", "foo"], ["--cxx"]):
            with self.subTest(flags=flags):
                self.assert_rejected(["--spec", "spec.json"] + flags,
                                     EXIT_USAGE, self.tmp,
                                     mention="--spec cannot be combined "
                                             "with " + flags[0])

    def test_banner_reproduces_prefixed_files(self):
        files = self.generate("uint64_t", "u64", ["<stdint.h>"],
                              extra=["--prefix", "foo"])
        command = banner_command(files["spillway_u64.c"].decode())
        argv = [a if a != "DIR" else self.make_dir("again")
                for a in shlex.split(command)[1:]]
        self.assert_ok(run_spwgen(argv))
        for fname, data in files.items():
            self.assertEqual(read_bytes(os.path.join(self.tmp, "again",
                                                     fname)), data)


PREFIX_LIB_C = r"""
#include <stdint.h>
#include "spillway_u64.h"

/* The library's own use of its channel: send n values, sum them back. */
uint64_t %(pfx)s_roundtrip(uint64_t n)
{
	%(pfx)s_u64_sender *tx;
	%(pfx)s_u64_receiver *rx;
	uint64_t v, sum = 0;

	if (%(pfx)s_u64_channel(&tx, &rx) != SPW_OK)
		return 0;
	for (uint64_t i = 1; i <= n; i++)
		if (%(pfx)s_u64_send(tx, i * %(mul)d) != SPW_OK)
			return 0;
	(void)%(pfx)s_u64_sender_close(tx);
	while (%(pfx)s_u64_recv(rx, &v) == SPW_OK)
		sum += v;
	(void)%(pfx)s_u64_receiver_close(rx);
	return sum;
}
"""

PREFIX_MAIN_C = r"""
#include <stdint.h>
#include <stdio.h>
/* Both headers in one translation unit: their guards differ. */
#include "foo/spillway_u64.h"
#include "bar/spillway_u64.h"

uint64_t foo_roundtrip(uint64_t n);
uint64_t bar_roundtrip(uint64_t n);

int main(void)
{
	foo_u64_sender *ftx;
	foo_u64_receiver *frx;
	bar_u64_sender *btx;
	bar_u64_receiver *brx;
	uint64_t a = 0, b = 0;

	if (foo_u64_channel(&ftx, &frx) != SPW_OK ||
	    bar_u64_channel(&btx, &brx) != SPW_OK)
		return 1;
	if (foo_u64_send(ftx, 11) != SPW_OK || bar_u64_send(btx, 22) != SPW_OK)
		return 2;
	if (foo_u64_recv(frx, &a) != SPW_OK || bar_u64_recv(brx, &b) != SPW_OK)
		return 3;
	(void)foo_u64_sender_close(ftx);
	(void)bar_u64_sender_close(btx);
	if (foo_u64_recv(frx, &a) != SPW_CLOSED || a != 11)
		return 4;
	if (bar_u64_recv(brx, &b) != SPW_CLOSED || b != 22)
		return 5;
	(void)foo_u64_receiver_close(frx);
	(void)bar_u64_receiver_close(brx);
	printf("%llu %llu\n", (unsigned long long)foo_roundtrip(100),
	       (unsigned long long)bar_roundtrip(100));
	return 0;
}
"""


class PrefixLinkTest(SpwgenTestCase):
    """Two shared libraries, each with a `u64` channel of its own prefix,
    and a program that links both and the runtime."""

    def test_two_shared_libraries_with_u64_channels(self):
        gcc = shutil.which("gcc")
        if gcc is None:
            self.skipTest("no gcc on PATH")
        build = self.tmp
        cflags = CFLAGS + ["-O1", "-fPIC", "-I" + RUNTIME_DIR]
        runtime_so = os.path.join(build, "libspwrt.so")
        self.run_gcc(gcc, cflags + ["-shared", RUNTIME_C, "-pthread", "-o",
                                    runtime_so], "the runtime as a library")
        for pfx, mul in (("foo", 1), ("bar", 2)):
            folder = self.make_dir(pfx)
            self.generate("uint64_t", "u64", ["<stdint.h>"], out_dir=folder,
                          extra=["--prefix", pfx])
            lib_c = self.write_file(os.path.join(folder, pfx + ".c"),
                                    PREFIX_LIB_C % {"pfx": pfx, "mul": mul})
            lib = os.path.join(build, "lib%s.so" % pfx)
            self.run_gcc(gcc, cflags + [
                "-shared", "-I" + folder, lib_c,
                os.path.join(folder, "spillway_u64.c"), "-L" + build,
                "-lspwrt", "-Wl,-rpath," + build, "-pthread", "-o", lib],
                "lib%s.so" % pfx)
            if NM is not None:
                proc = subprocess.run([NM, "-D", "--defined-only", lib],
                                      capture_output=True, text=True,
                                      timeout=60)
                symbols = [line.split()[-1] for line in
                           proc.stdout.splitlines() if " T " in line]
                self.assertTrue(symbols)
                stray = [s for s in symbols
                         if not s.startswith(pfx + "_")]
                self.assertEqual(stray, [], "lib%s.so exports symbols "
                                 "outside %s_" % (pfx, pfx))
        main_c = self.write_file(os.path.join(build, "main.c"), PREFIX_MAIN_C)
        exe = os.path.join(build, "two_libs")
        self.run_gcc(gcc, CFLAGS + ["-I" + RUNTIME_DIR, "-I" + build, main_c,
                                    "-L" + build, "-lfoo", "-lbar",
                                    "-lspwrt", "-Wl,-rpath," + build,
                                    "-pthread", "-o", exe],
                     "the program linking libfoo, libbar and the runtime")
        proc = subprocess.run([exe], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "5050 10100\n")

    def run_gcc(self, gcc, args, what):
        proc = subprocess.run([gcc] + args, capture_output=True, text=True,
                              timeout=300)
        self.assertEqual(proc.returncode, 0, "%s failed:\n$ %s\n%s%s" % (
            what, shlex.join([gcc] + args), proc.stdout, proc.stderr))


class CxxOptionTest(SpecTestCase):
    """--cxx and "cxx": the generator's side (tests/cxx_wrapper_test.sh
    compiles and runs the wrapper)."""

    def test_cxx_writes_the_hpp_too(self):
        out = self.make_dir("out")
        self.assert_ok(run_spwgen(["--type", "uint64_t", "--name", "u64",
                                   "--include", "<stdint.h>", "--cxx",
                                   "--out-dir", out]))
        self.assertEqual(sorted(os.listdir(out)),
                         ["spillway_u64.c", "spillway_u64.h",
                          "spillway_u64.hpp"])
        hpp = read_text(os.path.join(out, "spillway_u64.hpp"))
        self.assertIn("Generated by spwgen %s from templates/spillway.hpp.j2."
                      % spwgen_version(), hpp)
        self.assertIn("#ifndef SPILLWAY_u64_HPP\n", hpp)
        self.assertIn('#include "spillway_u64.h"\n', hpp)
        self.assertIn("namespace spillway::u64 {", hpp)
        self.assertIn("spwgen --type uint64_t --name u64 --include "
                      "'<stdint.h>' --cxx --out-dir DIR", banner_command(hpp))
        # The C files are those of a run without --cxx but for the banner.
        plain = self.generate("uint64_t", "u64", ["<stdint.h>"])
        for fname, data in plain.items():
            with_cxx = read_text(os.path.join(out, fname))
            self.assertEqual(with_cxx.replace(" --cxx", ""), data.decode())

    def test_prefix_names_the_namespace(self):
        out = self.make_dir("out")
        self.assert_ok(run_spwgen(["--type", "int", "--name", "ev",
                                   "--prefix", "foo", "--cxx",
                                   "--out-dir", out]))
        hpp = read_text(os.path.join(out, "spillway_ev.hpp"))
        self.assertIn("namespace foo::ev {", hpp)
        self.assertIn("#ifndef foo_ev_SPILLWAY_HPP\n", hpp)
        self.assertIn("::foo_ev_send(", hpp)
        self.assertNotIn("spw_ev", hpp)

    def test_list_outputs_and_check(self):
        args = ["--type", "int", "--name", "x", "--cxx", "--out-dir", "o"]
        result = run_spwgen(args + ["--list-outputs"], cwd=self.tmp)
        self.assert_ok(result)
        self.assertEqual(result.stdout, "o/spillway_x.h\no/spillway_x.c\n"
                                        "o/spillway_x.hpp\n")
        self.make_dir("o")
        self.assert_ok(run_spwgen(args, cwd=self.tmp))
        self.assert_ok(run_spwgen(args + ["--check"], cwd=self.tmp))
        os.unlink(os.path.join(self.tmp, "o", "spillway_x.hpp"))
        result = run_spwgen(args + ["--check"], cwd=self.tmp)
        self.assertEqual((result.status, result.stdout),
                         (1, "missing: o/spillway_x.hpp\n"
                             "spwgen: 1 of 3 files out of date\n"))

    def test_spec_key(self):
        spec = dict(self.SPEC, cxx=True)
        spec["channels"] = [dict(c) for c in spec["channels"]]
        spec["channels"][2]["cxx"] = False
        self.write_spec(spec)
        result = run_spwgen(["--spec", "spec.json", "--list-outputs"],
                            cwd=self.tmp)
        self.assert_ok(result)
        self.assertEqual(result.stdout.splitlines(), [
            "gen/spillway_u64.h", "gen/spillway_u64.c", "gen/spillway_u64.hpp",
            "gen/spillway_order.h", "gen/spillway_order.c",
            "gen/spillway_order.hpp", "gen/spillway_str.h",
            "gen/spillway_str.c"])
        for value, kind in (("yes", "a string"), (1, "a number"),
                            (None, "null")):
            with self.subTest(cxx=value):
                self.reject_spec(dict(self.SPEC, cxx=value),
                                 "spec.json: cxx: must be true or false, "
                                 "not " + kind)
                if value is not None:
                    self.reject_spec(self.spec_with(1, cxx=value),
                                     "channels[1].cxx: must be true or "
                                     "false")

    def test_cxx_keywords_are_refused_with_cxx_only(self):
        out = self.make_dir("out")
        for name in ("new", "class", "template", "namespace", "this"):
            with self.subTest(name=name):
                self.assert_rejected(["--type", "int", "--name", name,
                                      "--cxx", "--out-dir", out], EXIT_USAGE,
                                     self.tmp, mention="--name: %r is a C++ "
                                                       "keyword" % name)
                self.generate("int", name)  # fine in C
        for prefix in ("class", "new", "std"):
            with self.subTest(prefix=prefix):
                self.assert_rejected(["--type", "int", "--name", "x",
                                      "--prefix", prefix, "--cxx",
                                      "--out-dir", out], EXIT_USAGE,
                                     self.tmp, mention="--prefix: %r cannot "
                                                       "name a C++ namespace"
                                                       % prefix)
        self.reject_spec(dict(self.spec_with(1, name="delete"), cxx=True),
                         "channels[1].name: 'delete' is a C++ keyword")
        self.reject_spec(dict(self.SPEC, cxx=True, prefix="class"),
                         "spec.json: prefix: 'class' cannot name a C++ "
                         "namespace")

    def test_missing_hpp_template(self):
        templates = self.make_dir("templates")
        for t in ("spillway.h.j2", "spillway.c.j2", "_common.j2"):
            shutil.copy(os.path.join(TEMPLATE_DIR, t), templates)
        out = self.make_dir("out")
        self.generate("int", "x", out_dir=out,
                      extra=["--template-dir", templates])
        self.assert_rejected(["--type", "int", "--name", "y", "--cxx",
                              "--out-dir", out, "--template-dir", templates],
                             EXIT_ERROR, out,
                             mention="template spillway.hpp.j2 not found")


class ManPageTest(SpwgenTestCase):
    """man/spwgen.1 and man/spillway.3: valid roff, and complete."""

    PAGES = ("spwgen.1", "spillway.3")

    def page(self, name):
        path = os.path.join(ROOT, "man", name)
        if not os.path.isfile(path):
            self.skipTest("no man/%s here (a Bazel sandbox?)" % name)
        return path

    def test_groff_has_no_warnings(self):
        groff = shutil.which("groff")
        if groff is None:
            self.skipTest("no groff on PATH")
        for name in self.PAGES:
            with self.subTest(page=name):
                proc = subprocess.run(
                    [groff, "-man", "-Tutf8", "-ww", "-z", self.page(name)],
                    capture_output=True, text=True, timeout=60)
                self.assertEqual((proc.returncode, proc.stderr), (0, ""))

    def test_spdx_line(self):
        for name in self.PAGES:
            with self.subTest(page=name):
                first = read_text(self.page(name)).splitlines()[0]
                self.assertEqual(first, '.\\" SPDX-License-Identifier: MIT')

    def rendered(self, name):
        man = shutil.which("man")
        if man is None:
            self.skipTest("no man on PATH")
        env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="",
                   LC_ALL="C.UTF-8")
        proc = subprocess.run([man, "-l", self.page(name)],
                              capture_output=True, text=True, env=env,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # No bold/underline overstrikes.
        return re.sub(".\b", "", proc.stdout)

    def test_spwgen_1_documents_every_option(self):
        text = self.rendered("spwgen.1")
        spwgen = import_spwgen()
        options = [o for action in spwgen.build_parser()._actions
                   for o in action.option_strings if o.startswith("--")]
        self.assertIn("--cxx", options)
        for option in options:
            self.assertIn(option, text)
        for section in ("SYNOPSIS", "OPTIONS", "EXIT STATUS", "EXAMPLES",
                        "SPEC FILES", "SEE ALSO"):
            self.assertIn(section, text)
        for key in spwgen.SPEC_KEYS + spwgen.CHANNEL_KEYS:
            self.assertIn('"%s"' % key, text)

    def test_spillway_3_documents_every_function(self):
        text = self.rendered("spillway.3")
        header = read_text(os.path.join(GENERATED_DIR, "spillway_u64.h"))
        functions = sorted(set(re.findall(r"\bspw_u64_(\w+)\(", header)))
        self.assertGreater(len(functions), 15)
        missing = [f for f in functions if "spw_NAME_%s(" % f not in text]
        self.assertEqual(missing, [], "functions of generated/spillway_u64.h"
                         " that man/spillway.3 does not document")
        statuses = re.findall(r"^\t(SPW_[A-Z]+) = \d+",
                              read_text(RUNTIME_H), re.M)
        self.assertIn("SPW_OK", statuses)
        self.assertEqual([s for s in statuses if s not in text], [],
                         "statuses that man/spillway.3 does not list")
        for topic in ("Per-sender order", "end of stream", "Nothing is lost",
                      "SYNCHRONISATION"):
            self.assertIn(topic.lower(), text.lower())

    def test_spillway_3_has_the_synchronisation_table_of_the_header(self):
        def table(lines):
            start = next(i for i, line in enumerate(lines)
                         if line.split() == ["call", "|", "may", "run",
                                             "concurrently", "with"])
            end = next(i for i in range(start, len(lines))
                       if lines[i].startswith("channel, channel_with"))
            return lines[start:end + 1]
        header = read_text(os.path.join(GENERATED_DIR, "spillway_u64.h"))
        in_header = table([line[5:].rstrip() for line in header.splitlines()
                           if line.startswith(" *   ")])
        in_page = table([line.strip() and line[9:].rstrip()
                         for line in self.rendered("spillway.3").splitlines()])
        self.assertEqual(in_page, in_header)

    def test_spillway_3_example_builds_and_runs(self):
        self.require_cc()
        text = self.rendered("spillway.3")
        m = re.search(r"^EXAMPLE\n(.*?)^SEE ALSO", text, re.M | re.S)
        self.assertIsNotNone(m, "no EXAMPLE section")
        main_c = self.write_file(os.path.join(self.tmp, "example.c"),
                                 textwrap.dedent(m.group(1)))
        exe = os.path.join(self.tmp, "example")
        self.run_cc(CFLAGS + ["-I" + RUNTIME_DIR, "-I" + GENERATED_DIR,
                              main_c,
                              os.path.join(GENERATED_DIR, "spillway_u64.c"),
                              RUNTIME_C, "-pthread", "-o", exe],
                    "the example of spillway(3)")
        proc = subprocess.run([exe], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual((proc.returncode, proc.stdout), (0, "1\n2\n"))

    def test_help_points_to_the_man_page(self):
        result = run_spwgen(["--help"])
        self.assert_ok(result)
        self.assertIn("man spwgen", result.stdout)
        self.assertIn("in a source checkout, docs/spwgen.md",
                      " ".join(result.stdout.split()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
