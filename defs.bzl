# SPDX-License-Identifier: MIT
"""Spillway's Bazel rule under a short label.

    load("@spillway//:defs.bzl", "spillway_channel")

is the same rule as `load("@spillway//generator:defs.bzl",
"spillway_channel")`, documented there and in docs/bazel.md.
"""

load("//generator:defs.bzl", _spillway_channel = "spillway_channel")

spillway_channel = _spillway_channel
