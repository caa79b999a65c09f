#!/bin/bash
# Builds the operators' artefacts per service into release/: <service>-<version>.tar.gz (+ .sha256)
# and a Debian package. Only what runs goes in: the service's compiled code, the compiled libs, its
# console, production node_modules, the OCF agent, the systemd unit, an example env file, a launcher
# and install.sh. The repository's own node_modules is never modified (pruning happens on a
# hard-linked copy whose shared lockfile is unlinked first).
#
# Usage: scripts/release.sh [--no-build] [--no-deb] [--service NAME] [--version V] [--out DIR]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/release"
version=$(node -p "require('$repo/package.json').version")
services=(mac-pool aai-bridge)
build=1
deb=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --no-deb) deb=0 ;;
    --service) services=("$2"); shift ;;
    --version) version="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "release: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

[ "$build" = 1 ] && (cd "$repo" && npm run build)

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Production dependencies, shared by both services (one package.json).
mkdir -p "$work/deps"
cp "$repo/package.json" "$repo/package-lock.json" "$work/deps/"
# Hard links are quick; across file systems (TMPDIR elsewhere) a plain copy does.
cp -al "$repo/node_modules" "$work/deps/node_modules" 2>/dev/null ||
  { rm -rf "$work/deps/node_modules"; cp -a "$repo/node_modules" "$work/deps/node_modules"; }
rm -f "$work/deps/node_modules/.package-lock.json"
(cd "$work/deps" && npm prune --omit=dev --offline --ignore-scripts --no-audit --no-fund >/dev/null)

system_user() { case "$1" in mac-pool) echo macpool ;; aai-bridge) echo aaibridge ;; esac; }

# Every variable of `--help` with its default, commented out so that the unit's own Environment=
# lines still apply; secrets (tokens, passwords, keys) are left empty.
env_example() {
  local service=$1 main=$2
  echo "# /etc/$service/env: configuration of $service (mode 600). Uncomment what you change."
  # aai-bridge prints its whole --help and then exits 1 (its config is validated on import): the
  # output is what counts, and it must list variables.
  local help
  help=$(node "$main" --help 2>/dev/null || true)
  grep -q '^  [A-Z]' <<<"$help" || { echo "release: $service --help listed no variables" >&2; return 1; }
  awk <<<"$help" '
    /^  [A-Z][A-Z0-9_]+ / {
      name = $1; line = $0; sub(/^  [A-Z0-9_]+ +/, "", line)
      value = ""
      if (match(line, /\(default "[^"]*"\)/)) { value = substr(line, RSTART + 10, RLENGTH - 12) }
      else if (match(line, /\(default [^)]*\)/)) { value = substr(line, RSTART + 9, RLENGTH - 10) }
      if (name ~ /(TOKEN|SECRET|PASSWORD|KEY)/) value = ""
      printf "\n# %s\n#%s=%s\n", line, name, value
    }'
}

for service in "${services[@]}"; do
  user=$(system_user "$service")
  name="$service-$version"
  top="$work/$name"
  mkdir -p "$top/dist/apps" "$top/dist/console" "$top/bin" "$top/share/systemd" "$top/share/ocf"
  cp -a "$repo/dist/apps/$service" "$top/dist/apps/"
  cp -a "$repo/dist/libs" "$top/dist/"
  cp -a "$repo/dist/console/$service" "$top/dist/console/"
  find "$top/dist" \( -name '*.spec.js' -o -name '*.spec.js.map' -o -name '*.d.ts' -o -name '*.ts' -o -name '*.tsbuildinfo' \) -delete
  # A copy, not hard links: the inodes linked from the checkout's node_modules are shared with any
  # other release build running at the same time (CI runs two at once), whose own `cp -al` and prune
  # change their link count and so their ctime, which tar and dpkg-deb report as "file changed as
  # we read it" and fail on.
  cp -a "$work/deps/node_modules" "$top/node_modules"
  node -e '
    const p = require(process.argv[1]);
    const keep = { name: process.argv[2], version: process.argv[3], private: true, description: p.description,
      license: p.license, engines: p.engines, dependencies: p.dependencies };
    require("fs").writeFileSync(process.argv[4], JSON.stringify(keep, null, 2) + "\n");
  ' "$repo/package.json" "$service" "$version" "$top/package.json"
  printf '#!/bin/sh\n# Runs %s from this release folder.\nexec node "$(dirname "$(readlink -f "$0")")/../dist/apps/%s/src/main.js" "$@"\n' \
    "$service" "$service" > "$top/bin/$service"
  chmod 755 "$top/bin/$service"
  # The unit and agent point at the `current` release rather than at a single folder.
  sed -e "s#/opt/$service/dist/#/opt/$service/current/dist/#" -e "s#^WorkingDirectory=/opt/$service\$#WorkingDirectory=/opt/$service/current#" \
    "$repo/deploy/systemd/$service.service" > "$top/share/systemd/$service.service"
  sed -e "s#/opt/$service/dist/#/opt/$service/current/dist/#" "$repo/deploy/pacemaker/agents/$service" > "$top/share/ocf/$service"
  cp "$repo/deploy/pacemaker/agents/nodejs-service.sh" "$top/share/ocf/"
  chmod 755 "$top/share/ocf/$service" "$top/share/ocf/nodejs-service.sh"
  env_example "$service" "$top/dist/apps/$service/src/main.js" > "$top/env.example"
  sed -e "s/@SERVICE@/$service/g" -e "s/@VERSION@/$version/g" -e "s/@USER@/$user/g" \
    "$repo/scripts/install.sh.in" > "$top/install.sh"
  chmod 755 "$top/install.sh"

  tar -C "$work" -cf - "$name" | gzip -1 > "$out/$name.tar.gz"
  (cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

  if [ "$deb" = 1 ]; then
    pkg="$work/deb-$name"
    mkdir -p "$pkg/DEBIAN" "$pkg/opt/$service" "$pkg/lib/systemd/system" "$pkg/usr/lib/ocf/resource.d/infn"
    cp -al "$top" "$pkg/opt/$service/$version"
    ln -s "$version" "$pkg/opt/$service/current"
    cp "$top/share/systemd/$service.service" "$pkg/lib/systemd/system/"
    cp -a "$top/share/ocf/." "$pkg/usr/lib/ocf/resource.d/infn/"
    cat > "$pkg/DEBIAN/control" <<CONTROL
Package: $service
Version: $version
Architecture: amd64
Maintainer: INFN cloud operations <root@localhost>
Depends: nodejs (>= 20), adduser
Section: net
Priority: optional
Description: $(node -p "require('$repo/package.json').description")
 $service, with its OCF agent (ocf:infn:$service) and systemd unit.
CONTROL
    cat > "$pkg/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  id -u $user >/dev/null 2>&1 || useradd --system --home-dir /var/lib/$service --shell /usr/sbin/nologin $user
  mkdir -p /etc/$service
  if [ ! -e /etc/$service/env ]; then install -m 600 /opt/$service/$version/env.example /etc/$service/env; fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
fi
POSTINST
    chmod 755 "$pkg/DEBIAN/postinst"
    dpkg-deb --root-owner-group -Zgzip -z1 --build "$pkg" "$out/${service}_${version}_amd64.deb" >/dev/null
  fi
  echo "release: $out/$name.tar.gz"
done
