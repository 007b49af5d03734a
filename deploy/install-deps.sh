#!/usr/bin/env bash
# Installs the Debian 12 packages rectifyd needs to build, run and test. Idempotent and quiet
# when everything is already there. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates tzdata
  libgrpc++-dev libabsl-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libspdlog-dev libfmt-dev libboost-dev libboost-system-dev prometheus-cpp-dev
  libhowardhinnant-date-dev libtomlplusplus-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libxlsxwriter-dev libsystemd-dev libjemalloc-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev
  python3 python3-grpcio python3-grpc-tools python3-aiosmtpd python3-openpyxl systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
