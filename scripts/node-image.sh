#!/usr/bin/env bash
# Builds a minimal container image holding this machine's `node` binary (and /bin/sh and env for shell() steps),
# without a registry: the root filesystem is assembled from the host's files and imported with `podman import`
# (or `docker import`). The project itself is not copied: the local-container executor mounts it.
#
#   scripts/node-image.sh [image-name] [podman|docker]      # default: localhost/runnable-ts-node:<node version>, podman
set -euo pipefail
binary=${2:-podman}
image=${1:-localhost/runnable-ts-node:$(node --version)}
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
copy() { # a file and the shared libraries ldd lists for it, at the same paths
  install -D "$1" "$rootfs$1"
  for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do install -D "$(readlink -f "$lib")" "$rootfs$lib"; done
}
copy "$(readlink -f "$(command -v node)")"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/tmp" "$rootfs/bin" "$rootfs/usr/bin"
ln -sf "$(readlink -f "$(command -v node)")" "$rootfs/usr/local/bin/node"
copy /bin/sh
copy /usr/bin/env
# glibc libraries that native addons (such as @swc/core's compiler) load besides node's own
for lib in librt.so.1 libdl.so.2 libpthread.so.0 libm.so.6 libgcc_s.so.1 libresolv.so.2 libutil.so.1; do
  for dir in /lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /lib64 /lib; do
    if [ -e "$dir/$lib" ]; then install -D "$(readlink -f "$dir/$lib")" "$rootfs$dir/$lib"; break; fi
  done
done
chmod 1777 "$rootfs/tmp"
tar -C "$rootfs" -c . | "$binary" import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$image" >/dev/null
echo "$image"
