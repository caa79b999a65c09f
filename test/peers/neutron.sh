#!/usr/bin/env bash
# A real neutron-server (Debian's Zed packages) in a temp dir, with the mac-pool hook enabled.
#   neutron.sh install                 apt-get install neutron-server (once per machine)
#   neutron.sh start DIR               configure in DIR and start; prints NEUTRON_URL=... when it answers
#   neutron.sh stop DIR                stop the neutron-server started in DIR (only that PID)
# start reads: NEUTRON_PORT (required, a free loopback port), MACPOOL_URL, MACPOOL_TOKEN,
# MACPOOL_FAIL_OPEN (default false), MACPOOL_DEVICE_OWNERS (default compute:*), NEUTRON_WITH_HOOK
# (default 1; empty: plain Neutron, the benchmark's baseline).
# Why these settings (noauth, fake:/ transport, ML2 without agents, SQLite schema built from the
# models because the migrations need ALTER TABLE): docs/PEERS.md, "neutron-server".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
# Always Debian's interpreter: a pyenv python3 on PATH has no neutron modules.
PY=/usr/bin/python3

cmd="${1:-}"
case "$cmd" in
install)
  if [ -x /usr/bin/neutron-server ]; then exit 0; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 --no-install-recommends neutron-server
  ;;
start)
  dir="${2:?usage: neutron.sh start DIR}"
  : "${NEUTRON_PORT:?NEUTRON_PORT must name a free port}"
  NEUTRON_WITH_HOOK="${NEUTRON_WITH_HOOK-1}"
  mkdir -p "$dir/lock"
  cp /etc/neutron/api-paste.ini "$dir/api-paste.ini"
  cat > "$dir/neutron.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $NEUTRON_PORT
auth_strategy = noauth
core_plugin = ml2
service_plugins = router,auto_allocate${NEUTRON_WITH_HOOK:+,macpool_neutron.plugin.MacPoolServicePlugin}
transport_url = fake:/
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
dhcp_agent_notification = false
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
api_paste_config = $dir/api-paste.ini
state_path = $dir
log_file = $dir/neutron-server.log
dns_domain = cloud.example.org.
debug = false

[database]
connection = sqlite:///$dir/neutron.db?timeout=30

[oslo_policy]
enforce_new_defaults = false

[oslo_concurrency]
lock_path = $dir/lock

[macpool]
url = ${MACPOOL_URL:-http://127.0.0.1:8080}
token = ${MACPOOL_TOKEN:-}
timeout = 5
fail_open = ${MACPOOL_FAIL_OPEN:-false}
device_owners = ${MACPOOL_DEVICE_OWNERS:-compute:*}
CONF
  cat > "$dir/ml2_conf.ini" <<CONF
[ml2]
type_drivers = local,flat,vlan
tenant_network_types = local
mechanism_drivers =
extension_drivers = dns

[ml2_type_flat]
flat_networks = *

[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199
CONF
  # Schema from the models (neutron-db-manage upgrade can't ALTER constraints on SQLite), then
  # stamped so neutron-server sees an up-to-date database.
  "$PY" - "$dir/neutron.db" <<'PYCODE'
import sqlite3, sys
import sqlalchemy as sa
from neutron.db.migration.models import head  # noqa: F401 (registers every model)
from neutron_lib.db import model_base
db = sys.argv[1]
model_base.BASEV2.metadata.create_all(sa.create_engine('sqlite:///' + db))
sqlite3.connect(db).execute('PRAGMA journal_mode=WAL').close()
PYCODE
  neutron-db-manage --config-file "$dir/neutron.conf" --config-file "$dir/ml2_conf.ini" stamp heads >"$dir/db-manage.log" 2>&1
  PYTHONPATH="$repo/deploy/openstack/neutron${PYTHONPATH:+:$PYTHONPATH}" start_detached "$dir/neutron-server.pid" "$dir/stdout.log" \
    /usr/bin/neutron-server --config-file "$dir/neutron.conf" --config-file "$dir/ml2_conf.ini"
  url="http://127.0.0.1:$NEUTRON_PORT"
  wait_for_url neutron-server "$dir/neutron-server.pid" "$url/v2.0/networks" 240 "$dir/neutron-server.log" "$dir/stdout.log"
  echo "NEUTRON_URL=$url"
  ;;
stop)
  dir="${2:?usage: neutron.sh stop DIR}"
  # setsid made it a process group leader: stop its workers with it, and nothing else.
  stop_group "$dir/neutron-server.pid"
  ;;
*)
  echo "usage: neutron.sh install | start DIR | stop DIR" >&2
  exit 2
  ;;
esac
