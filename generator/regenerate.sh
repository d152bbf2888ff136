#!/bin/sh
# Regenerate the checked-in channels in generated/ (never edit them by hand).
# The freshness test (tests/test_spwgen.py) fails when they differ from this.
set -e
cd "$(dirname "$0")/.."
python3 generator/spwgen.py --type uint64_t --name u64 --include '<stdint.h>' --out-dir generated
python3 generator/spwgen.py --type 'void *' --name ptr --out-dir generated
