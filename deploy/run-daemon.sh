#!/usr/bin/env bash
# Install what is missing, build, and run rectifyd on 127.0.0.1:50051 with its ledger in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
exec build/daemon/app/rectifyd --listen 127.0.0.1:50051 --data-dir ./data "$@"
