#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the checked-in channels in generated/ (never edit them by hand)
# from their spec, generator/generated.json. The freshness test
# (tests/test_spwgen.py) runs `spwgen --spec generator/generated.json
# --check` and fails when they differ.
set -e
cd "$(dirname "$0")/.."
python3 generator/spwgen.py --spec generator/generated.json
