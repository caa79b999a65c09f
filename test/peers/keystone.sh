#!/usr/bin/env bash
# A real Keystone (Debian's Zed packages) in a temp dir, served by uwsgi on a loopback port.
#   keystone.sh install          apt-get install keystone (once per machine)
#   keystone.sh start DIR        configure, bootstrap and start; prints KEYSTONE_URL=... when it answers
#   keystone.sh stop DIR         stop the uwsgi started in DIR (only that PID)
# start reads: KEYSTONE_PORT (required), KEYSTONE_ADMIN_PASSWORD (default: admin-secret),
# KEYSTONE_HOST (the address to listen on; default 127.0.0.1).
# Why these settings (SQLite, one uwsgi process and thread, memory_pickle cache, totp among the
# auth methods, cheap password hashing for tests): docs/PEERS.md, "Keystone".
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

cmd="${1:-}"
case "$cmd" in
install)
  if [ -x /usr/bin/keystone-manage ] && [ -x /usr/bin/uwsgi ]; then exit 0; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 keystone
  ;;
start)
  dir="${2:?usage: keystone.sh start DIR}"
  : "${KEYSTONE_PORT:?KEYSTONE_PORT must name a free port}"
  password="${KEYSTONE_ADMIN_PASSWORD:-admin-secret}"
  host="${KEYSTONE_HOST:-127.0.0.1}"
  url="http://$host:$KEYSTONE_PORT/v3"
  mkdir -p "$dir/fernet-keys" "$dir/credential-keys"
  cat > "$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/keystone.log

[database]
connection = sqlite:///$dir/keystone.db

[fernet_tokens]
key_repository = $dir/fernet-keys

[credential]
key_repository = $dir/credential-keys

[auth]
methods = password,token,totp,application_credential

[identity]
password_hash_rounds = 4

[cache]
enabled = true
backend = dogpile.cache.memory_pickle
CONF
  km() { keystone-manage --config-file "$dir/keystone.conf" "$@" >>"$dir/manage.log" 2>&1; }
  km db_sync
  km fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
  km credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
  km bootstrap --bootstrap-password "$password" --bootstrap-admin-url "$url" \
    --bootstrap-public-url "$url" --bootstrap-internal-url "$url" --bootstrap-region-id RegionOne
  OS_KEYSTONE_CONFIG_DIR="$dir" start_detached "$dir/uwsgi.launcher.pid" "$dir/uwsgi.log" \
    uwsgi --plugins python3 --http-socket "$host:$KEYSTONE_PORT" --add-header "Connection: close" \
    --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 1 --threads 1 --die-on-term --need-app \
    --pidfile "$dir/uwsgi.pid"
  wait_for_url keystone "$dir/uwsgi.launcher.pid" "$url" 120 "$dir/uwsgi.log" "$dir/keystone.log"
  echo "KEYSTONE_URL=$url"
  ;;
stop)
  dir="${2:?usage: keystone.sh stop DIR}"
  stop_group "$dir/uwsgi.launcher.pid"
  ;;
*)
  echo "usage: keystone.sh install | start DIR | stop DIR" >&2
  exit 2
  ;;
esac
