# Shared by the peer scripts: start in the background, wait for an answer, stop only what we started.
# How the peers run here: docs/PEERS.md.

# start_detached PIDFILE LOG CMD...: runs CMD in its own session (a process group we can stop whole).
start_detached() {
  local pidfile="$1" log="$2"
  shift 2
  setsid "$@" >"$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

# wait_for_url NAME PIDFILE URL TRIES LOGS...: polls URL every 0.5 s while the process lives.
wait_for_url() {
  local name="$1" pidfile="$2" url="$3" tries="$4"
  shift 4
  for _ in $(seq 1 "$tries"); do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "$name exited during start; its log:" >&2
      tail -n 40 "$@" >&2 || true
      return 1
    fi
    if curl -sf "$url" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$name did not answer at $url; its log:" >&2
  tail -n 40 "$@" >&2 || true
  return 1
}

# stop_group PIDFILE: TERM the process group started by start_detached, then KILL what is left.
stop_group() {
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
}
