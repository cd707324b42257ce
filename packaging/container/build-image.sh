#!/usr/bin/env bash
# Builds the CLI-only image of packaging/container/Containerfile with podman (or buildah), from
# Debian packages; the build context is the repository.
#   packaging/container/build-image.sh [IMAGE]     (default localhost/loadscope-cli:latest)
# Then, for a cluster: podman push IMAGE REGISTRY/loadscope-cli:TAG and
#   loadscope-cli export-k8s plan.json --agents=N --image=REGISTRY/loadscope-cli:TAG
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
image="${1:-localhost/loadscope-cli:latest}"

if command -v podman >/dev/null 2>&1; then
  builder=(podman build)
elif command -v buildah >/dev/null 2>&1; then
  builder=(buildah bud)
else
  echo "build-image: needs podman or buildah (Debian: apt-get install podman)" >&2
  exit 1
fi

# The context holds the sources only (no build trees, no history files): the committed tree
# when this is a git checkout, else the directory without build/ and .git/.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$repo" archive --format=tar HEAD | tar -x -C "$context"
else
  tar -C "$repo" --exclude=./build --exclude=./.git --exclude='*.db' -c . | tar -x -C "$context"
fi

"${builder[@]}" -f "$here/Containerfile" -t "$image" "$context"
echo "built $image; try it:"
echo "  podman run --rm $image loadscope-cli run --base-url=http://HOST:PORT --duration=10"
