#!/usr/bin/env bash
# Configures and builds rectifyd, rectifyctl and the tests into ./build (Release with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# The development/test build compiles in the failpoints the reliability tests drive
# (daemon/common/failpoint.h); a release build (deploy/Dockerfile) passes -DRECTIFY_FAILPOINTS=OFF.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECTIFY_FAILPOINTS=ON "$@" >/dev/null
cmake --build build -j"$jobs"
