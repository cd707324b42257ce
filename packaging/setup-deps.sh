#!/usr/bin/env bash
# Installs the Debian packages Loadscope needs to build, run and test — only those missing.
# Usage: packaging/setup-deps.sh
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  # Qt 6 (HttpServer's CMake config needs WebSockets too)
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev
  qt6-svg-dev libqt6sql6-sqlite libgl-dev libqt6opengl6-dev
  # plotting, HTTP parsing, TLS
  libqcustomplot-dev libqcustomplot2.1-qt6 node-llhttp libssl-dev
  # tests and benchmarks: offscreen X server, reference servers and load tools
  xvfb nginx-light wrk sqlite3 xauth time
  # the theme test runs a private session bus with a fake freedesktop portal
  dbus-daemon
  # interop: node --check on exported k6 scripts, YAML for OpenAPI import
  nodejs libyaml-cpp-dev
  # schedules: systemd-analyze verify checks the timer units, croniter reads cron independently
  systemd python3-croniter
  # a real peer for the results import test: Locust writes its CSV files
  python3-locust
  # HTTP/2: framing and HPACK for the lean client; h2load is the benchmarks' reference
  libnghttp2-dev nghttp2-client
  # lint (.ci/lint.sh): formatter and Qt-aware static checks
  clang-format clazy
  # sanitizers and fuzzing (presets asan and fuzz, .ci/sanitize.sh, .ci/fuzz.sh): clang, its
  # ASan/UBSan/libFuzzer runtimes, llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup-deps: this script needs a Debian or Ubuntu system with apt-get and dpkg." >&2
  echo "setup-deps: install by hand the equivalents of: ${packages[*]}" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#packages[@]} packages already installed."
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup-deps: missing packages (${missing[*]}) and not root, and sudo is not available." >&2
    exit 1
  fi
fi

echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
