#!/usr/bin/env bash
# Builds the lambda-sandbox image without any container registry (nothing is pulled).
#
#   scripts/build-image.sh [--tag TAG] [--base-image IMAGE] [--make-base]
#
#   --tag         image tag (default lambda-sandbox:latest)
#   --base-image  BASE_IMAGE to build on; it must be present in the engine. Default: $BASE_IMAGE, else the
#                 Dockerfile's default when present, else local/node-base
#   --make-base   make local/node-base from this machine's node first (scripts/make-base-image.sh) when no base
#                 image is present
#
# node_modules/ must be installed (`npm ci`, which needs the npm registry but no container registry): the build
# compiles the TypeScript with it. When this machine has a C compiler, the init's native addon is built here too
# and goes into the image.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=lambda-sandbox:latest
base=${BASE_IMAGE:-}
make_base=
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    --base-image) base=${2:?--base-image needs a value}; shift 2 ;;
    --make-base) make_base=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build-image: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "build-image: $*" >&2; exit 1; }
present() { docker image inspect "$1" >/dev/null 2>&1; }

docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd, or set DOCKER_HOST)"
[ -e node_modules/typescript/package.json ] || die "node_modules/ is not installed: run npm ci first"

if [ -z "$base" ]; then
  default=$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile | head -1)
  if present "$default"; then base=$default
  elif present local/node-base; then base=local/node-base
  elif [ -n "$make_base" ]; then scripts/make-base-image.sh local/node-base; base=local/node-base
  else die "no base image present: neither $default nor local/node-base. Load one (docker load), pass --base-image, or use --make-base"
  fi
fi
present "$base" || die "base image $base is not present in the engine (nothing is pulled)"

# The init's native addon, when this machine can compile it; the image build takes it from dist/.
# (tsc writes its output even when it reports type errors; the image build compiles again and does stop on them.)
if command -v cc >/dev/null 2>&1 && [ ! -e dist/src/process/native/sandbox_native.node ]; then
  npm run --silent build >/dev/null 2>&1 || echo "build-image: npm run build reported errors (the image build will show them)" >&2
  if [ -e dist/src/process/native/build.js ]; then node dist/src/process/native/build.js --optional; fi
fi

# Docker 23+ builds with BuildKit through buildx; without the buildx plugin, use the classic builder.
if ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi
echo "build-image: building $tag on $base"
docker build --pull=false --build-arg "BASE_IMAGE=$base" -t "$tag" .
echo "build-image: $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
