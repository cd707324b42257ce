#!/usr/bin/env bash
# Installs what is missing, builds Loadscope (release preset) and starts the GUI on the
# built-in SmartMarket sample API with a ready-to-run plan. Without a display it runs the
# command-line tool on the same target instead, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec ./build/release/app/loadscope "$@"
fi
echo "start: no display (DISPLAY/WAYLAND_DISPLAY unset): running the command-line tool on the"
echo "start: built-in sample API instead. On a desktop this command opens the Loadscope window."
exec ./build/release/app/loadscope-cli run --type=API_LATENCY --duration=10
