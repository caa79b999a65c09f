#!/bin/sh
# Installs the OCF agents as ocf:infn:mac-pool and ocf:infn:aai-bridge, and pg_ctl-wait (the
# postgresql resource's pgctl) in the OCF library directory (run on every controller).
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="${OCF_ROOT:-/usr/lib/ocf}"
dest="$root/resource.d/${1:-infn}"
lib="$root/lib/${1:-infn}"
mkdir -p "$dest" "$lib"
install -m 0755 "$here/agents/mac-pool" "$here/agents/aai-bridge" "$dest/"
install -m 0644 "$here/agents/nodejs-service.sh" "$dest/"
install -m 0755 "$here/pg_ctl-wait" "$lib/"
echo "installed $dest/mac-pool, $dest/aai-bridge and $lib/pg_ctl-wait"
