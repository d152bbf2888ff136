#!/bin/sh
# SPDX-License-Identifier: MIT
# Bazel wrapper for the generator tests (Bazel 4's py_test stub wants
# `/usr/bin/env python`, which Debian does not ship). Tests run from the
# workspace root of the runfiles tree.
set -e
SPW_ROOT="${SPW_ROOT:-$PWD}" exec python3 tests/test_spwgen.py
