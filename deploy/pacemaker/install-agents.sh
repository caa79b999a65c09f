#!/bin/sh
# Installs the OCF agents as ocf:infn:mac-pool and ocf:infn:aai-bridge (run on every controller).
set -eu
src="$(cd "$(dirname "$0")/agents" && pwd)"
dest="${OCF_ROOT:-/usr/lib/ocf}/resource.d/${1:-infn}"
mkdir -p "$dest"
install -m 0755 "$src/mac-pool" "$src/aai-bridge" "$dest/"
install -m 0644 "$src/nodejs-service.sh" "$dest/"
echo "installed $dest/mac-pool and $dest/aai-bridge"
