#!/usr/bin/env bash
# A real Keystone (Debian's Zed packages) in a temp dir, served by uwsgi on a loopback port.
#   keystone.sh install          apt-get install keystone (once per machine)
#   keystone.sh start DIR        configure, bootstrap and start; prints KEYSTONE_URL=... when it answers
#   keystone.sh stop DIR         stop the uwsgi started in DIR (only that PID)
# start reads: KEYSTONE_PORT (required), KEYSTONE_ADMIN_PASSWORD (default: admin-secret).
# Settings follow ../shared/PEERS.md: SQLite, one uwsgi process and thread, memory_pickle cache,
# totp among the auth methods, cheap password hashing for tests.
set -euo pipefail

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
  url="http://127.0.0.1:$KEYSTONE_PORT/v3"
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
  OS_KEYSTONE_CONFIG_DIR="$dir" setsid uwsgi --plugins python3 --http-socket "127.0.0.1:$KEYSTONE_PORT" \
    --add-header "Connection: close" --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 1 \
    --threads 1 --die-on-term --need-app --pidfile "$dir/uwsgi.pid" >"$dir/uwsgi.log" 2>&1 < /dev/null &
  echo $! > "$dir/uwsgi.launcher.pid"
  for _ in $(seq 1 120); do
    if ! kill -0 "$(cat "$dir/uwsgi.launcher.pid")" 2>/dev/null; then
      echo "keystone (uwsgi) exited during start; its log:" >&2
      tail -n 30 "$dir/uwsgi.log" "$dir/keystone.log" >&2 || true
      exit 1
    fi
    if curl -sf "$url" >/dev/null 2>&1; then
      echo "KEYSTONE_URL=$url"
      exit 0
    fi
    sleep 0.5
  done
  echo "keystone did not answer in 60 s" >&2
  tail -n 30 "$dir/uwsgi.log" >&2 || true
  exit 1
  ;;
stop)
  dir="${2:?usage: keystone.sh stop DIR}"
  pidfile="$dir/uwsgi.launcher.pid"
  [ -f "$pidfile" ] || exit 0
  pid="$(cat "$pidfile")"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
  ;;
*)
  echo "usage: keystone.sh install | start DIR | stop DIR" >&2
  exit 2
  ;;
esac
