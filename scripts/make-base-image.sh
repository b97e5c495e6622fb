#!/usr/bin/env bash
# Makes a small Node.js base image from this machine's own node, for building lambda-sandbox where no container
# registry is reachable (air-gapped CI). The image holds node with the shared libraries it links, busybox for
# /bin/sh and the usual tools, and the users root, node (1000) and nobody, like the official node images.
#
#   scripts/make-base-image.sh [TAG]        TAG defaults to local/node-base, which the build picks up by itself
#
# Needs a running Docker engine, node, ldd and busybox (a static one: Debian's busybox-static).
set -euo pipefail

tag=${1:-local/node-base}
die() { echo "make-base-image: $*" >&2; exit 1; }

docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd, or set DOCKER_HOST)"
node_bin=$(command -v node) || die "node is not installed"
node_bin=$(readlink -f "$node_bin")
busybox_bin=$(command -v busybox) || die "busybox is not installed (Debian: apt-get install busybox-static)"
busybox_bin=$(readlink -f "$busybox_bin")
command -v ldd >/dev/null || die "ldd is not installed"

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/node-base.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT

# Copies a binary to the same path in the image, with every shared library ldd lists for it.
copy_with_libraries() {
  local source=$1 target=$2 library
  mkdir -p "$rootfs$(dirname "$target")"
  cp -L "$source" "$rootfs$target"
  for library in $(ldd "$source" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
    [ -e "$rootfs$library" ] && continue
    mkdir -p "$rootfs$(dirname "$library")"
    cp -L "$library" "$rootfs$library"
  done
}

mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,home/node,proc,sys,dev,tmp,var/task,opt}
chmod 1777 "$rootfs/tmp"
copy_with_libraries "$busybox_bin" /bin/busybox
for applet in $("$busybox_bin" --list-full 2>/dev/null || "$busybox_bin" --list | sed 's|^|bin/|'); do
  [ -e "$rootfs/$applet" ] || { mkdir -p "$rootfs/$(dirname "$applet")"; ln -s /bin/busybox "$rootfs/$applet"; }
done
copy_with_libraries "$node_bin" /usr/local/bin/node
ln -sf /usr/local/bin/node "$rootfs/usr/bin/node"

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000::/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
echo 'hosts: files dns' > "$rootfs/etc/nsswitch.conf"
chown 1000:1000 "$rootfs/home/node"

node_version=$("$node_bin" --version)
tar -C "$rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c "ENV NODE_VERSION=${node_version#v}" \
  -c 'CMD ["node"]' \
  -m "scripts/make-base-image.sh: node $node_version + busybox" - "$tag" >/dev/null
docker run --rm --pull never --network none "$tag" node -e 'process.exit(0)' || die "the new image $tag does not run node"
echo "make-base-image: $tag ready (node $node_version, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
