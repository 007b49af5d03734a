#!/usr/bin/env bash
# The whole default test suite: install what is missing, build, run ctest, then a bounded
# libFuzzer run (deploy/run-fuzz.sh).
# Heavier suites (sanitizers, long fuzzing, soak) have their own labels and commands.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
(cd build && ctest --output-on-failure -j2 -LE "heavy" "$@")
# The bounded fuzz run (issue #8): every libFuzzer target (clang, ASan + UBSan) for 5,000 inputs,
# on top of the seed and regression replays ctest ran. Longer runs: deploy/run-fuzz.sh --minutes M.
deploy/run-fuzz.sh --runs 5000
