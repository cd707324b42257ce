#!/usr/bin/env bash
# Installs what is missing, builds Loadscope (dev preset) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
