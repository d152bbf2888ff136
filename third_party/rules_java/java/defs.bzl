# SPDX-License-Identifier: MIT
"""Offline stand-in for @rules_java//java:defs.bzl: re-exports the native rules."""

java_import = native.java_import
java_runtime = native.java_runtime
java_toolchain = native.java_toolchain
java_binary = native.java_binary
java_library = native.java_library
