# Shared body of the OCF agents for the project's Node services (mac-pool, aai-bridge), in the
# openstack-resource-agents conventions: OCF_RESKEY_* parameters with defaults, validate before
# every action, start returns only when /health/ready answers, stop = TERM, wait for the drain,
# KILL, monitor = process + readiness (depth 10: an authenticated API read). Sourced by an agent
# that sets SERVICE, SERVICE_DESC, DEFAULT_ENTRY, DEFAULT_PORT and DEEP_CHECK_PATH first.

: ${OCF_FUNCTIONS_DIR=${OCF_ROOT:-/usr/lib/ocf}/lib/heartbeat}
. ${OCF_FUNCTIONS_DIR}/ocf-shellfuncs

OCF_RESKEY_binary_default="/usr/bin/node"
OCF_RESKEY_entry_default="$DEFAULT_ENTRY"
OCF_RESKEY_env_file_default="/etc/$SERVICE/env"
OCF_RESKEY_user_default=""
OCF_RESKEY_pid_default="${HA_RSCTMP:-/run/resource-agents}/$SERVICE-${OCF_RESOURCE_INSTANCE:-default}.pid"
OCF_RESKEY_log_file_default="/var/log/$SERVICE/$SERVICE.log"
OCF_RESKEY_health_url_default="http://127.0.0.1:$DEFAULT_PORT/health/ready"
OCF_RESKEY_monitor_token_default=""
OCF_RESKEY_check_timeout_default="5"

: ${OCF_RESKEY_binary=${OCF_RESKEY_binary_default}}
: ${OCF_RESKEY_entry=${OCF_RESKEY_entry_default}}
: ${OCF_RESKEY_env_file=${OCF_RESKEY_env_file_default}}
: ${OCF_RESKEY_user=${OCF_RESKEY_user_default}}
: ${OCF_RESKEY_pid=${OCF_RESKEY_pid_default}}
: ${OCF_RESKEY_log_file=${OCF_RESKEY_log_file_default}}
: ${OCF_RESKEY_health_url=${OCF_RESKEY_health_url_default}}
: ${OCF_RESKEY_monitor_token=${OCF_RESKEY_monitor_token_default}}
: ${OCF_RESKEY_check_timeout=${OCF_RESKEY_check_timeout_default}}

param() { # name, shortdesc, longdesc, default
	cat <<END
<parameter name="$1" unique="0" required="0">
<longdesc lang="en">$3</longdesc>
<shortdesc lang="en">$2</shortdesc>
<content type="string" default="$4" />
</parameter>
END
}

meta_data() {
	cat <<END
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="$SERVICE" version="1.0">
<version>1.0</version>
<longdesc lang="en">$SERVICE_DESC Runs the Node.js service active/passive; start returns once its readiness endpoint answers, stop lets it drain in-flight requests before KILL.</longdesc>
<shortdesc lang="en">$SERVICE (Node.js service)</shortdesc>
<parameters>
$(param binary "Node.js binary" "Path of the node executable." "$OCF_RESKEY_binary_default")
$(param entry "Service entry script" "The compiled main.js of the service." "$OCF_RESKEY_entry_default")
$(param env_file "Environment file" "KEY=value lines with the service configuration (DATABASE_URL, tokens, ...); empty: none." "$OCF_RESKEY_env_file_default")
$(param user "User" "User the service runs as; empty: the user running the agent." "$OCF_RESKEY_user_default")
$(param pid "PID file" "Where the agent keeps the service's PID." "$OCF_RESKEY_pid_default")
$(param log_file "Log file" "Where the service's JSON logs go." "$OCF_RESKEY_log_file_default")
$(param health_url "Readiness URL" "Answers 200 when the database is reachable and migrations are done." "$OCF_RESKEY_health_url_default")
$(param monitor_token "Token for the deep check" "Bearer token (reader role) for the depth-10 monitor, which reads $DEEP_CHECK_PATH; empty: depth 10 equals depth 0." "")
$(param check_timeout "HTTP check timeout" "Seconds one readiness or deep check may take." "$OCF_RESKEY_check_timeout_default")
</parameters>
<actions>
<action name="start" timeout="60s" />
<action name="stop" timeout="30s" />
<action name="monitor" timeout="20s" interval="10s" depth="0" />
<action name="monitor" timeout="30s" interval="60s" depth="10" />
<action name="validate-all" timeout="20s" />
<action name="meta-data" timeout="5s" />
</actions>
</resource-agent>
END
}

service_pid() {
	[ -f "$OCF_RESKEY_pid" ] || return 1
	local pid
	pid=$(cat "$OCF_RESKEY_pid" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q -- "$OCF_RESKEY_entry" "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

http_ok() { # url [token]
	local auth=()
	[ -n "${2:-}" ] && auth=(-H "Authorization: Bearer $2")
	curl -sf -o /dev/null --max-time "$OCF_RESKEY_check_timeout" "${auth[@]}" "$1"
}

# One late or failed answer on a loaded controller (a GC pause, a slow database ping) must not
# cost a restart: ask again a second later when the monitor's own timeout leaves room for it.
# A hung process still fails both, well within that timeout.
http_ok_twice() { # url [token]
	http_ok "$@" && return 0
	local budget_s=$(( ${OCF_RESKEY_CRM_meta_timeout:-20000} / 1000 ))
	[ $(( 2 * OCF_RESKEY_check_timeout + 1 )) -lt "$budget_s" ] || return 1
	sleep 1
	http_ok "$@"
}

service_validate() {
	check_binary curl
	if [ ! -x "$OCF_RESKEY_binary" ]; then
		ocf_exit_reason "binary $OCF_RESKEY_binary is not executable"
		return $OCF_ERR_INSTALLED
	fi
	if [ ! -r "$OCF_RESKEY_entry" ]; then
		ocf_exit_reason "entry $OCF_RESKEY_entry is not readable (is the service installed and built?)"
		return $OCF_ERR_INSTALLED
	fi
	if [ -n "$OCF_RESKEY_env_file" ] && [ ! -r "$OCF_RESKEY_env_file" ]; then
		ocf_exit_reason "env_file $OCF_RESKEY_env_file is not readable"
		return $OCF_ERR_CONFIGURED
	fi
	if [ -n "$OCF_RESKEY_user" ] && ! id "$OCF_RESKEY_user" >/dev/null 2>&1; then
		ocf_exit_reason "user $OCF_RESKEY_user does not exist"
		return $OCF_ERR_CONFIGURED
	fi
	case "$OCF_RESKEY_health_url" in http://*|https://*) ;; *)
		ocf_exit_reason "health_url must be an http(s) URL"
		return $OCF_ERR_CONFIGURED ;;
	esac
	return $OCF_SUCCESS
}

service_monitor() {
	local pid
	pid=$(service_pid) || return $OCF_NOT_RUNNING
	if ! http_ok_twice "$OCF_RESKEY_health_url"; then
		ocf_exit_reason "$SERVICE (pid $pid) runs but $OCF_RESKEY_health_url is not ready"
		return $OCF_ERR_GENERIC
	fi
	if [ "${OCF_CHECK_LEVEL:-0}" -ge 10 ] && [ -n "$OCF_RESKEY_monitor_token" ]; then
		local base="${OCF_RESKEY_health_url%%/health/*}"
		if ! http_ok_twice "$base$DEEP_CHECK_PATH" "$OCF_RESKEY_monitor_token"; then
			ocf_exit_reason "$SERVICE is ready but $DEEP_CHECK_PATH fails"
			return $OCF_ERR_GENERIC
		fi
	fi
	return $OCF_SUCCESS
}

service_start() {
	service_validate || return $?
	if service_monitor; then
		ocf_log info "$SERVICE already running"
		return $OCF_SUCCESS
	fi
	mkdir -p "$(dirname "$OCF_RESKEY_pid")" "$(dirname "$OCF_RESKEY_log_file")"
	[ -n "$OCF_RESKEY_user" ] && chown "$OCF_RESKEY_user" "$(dirname "$OCF_RESKEY_pid")" "$(dirname "$OCF_RESKEY_log_file")"
	# The env file is read by the service's shell, never logged (it holds secrets).
	local launch="set -a; ${OCF_RESKEY_env_file:+. '$OCF_RESKEY_env_file';} set +a; exec '$OCF_RESKEY_binary' '$OCF_RESKEY_entry' >>'$OCF_RESKEY_log_file' 2>&1 </dev/null"
	if [ -n "$OCF_RESKEY_user" ] && [ "$(id -un)" != "$OCF_RESKEY_user" ]; then
		setsid su -s /bin/sh "$OCF_RESKEY_user" -c "$launch" &
	else
		setsid sh -c "$launch" &
	fi
	local launcher=$!
	# su/sh exec into node: the launcher's PID is the service's.
	echo "$launcher" > "$OCF_RESKEY_pid"
	while :; do
		if ! kill -0 "$launcher" 2>/dev/null; then
			ocf_exit_reason "$SERVICE exited during start; see $OCF_RESKEY_log_file"
			rm -f "$OCF_RESKEY_pid"
			return $OCF_ERR_GENERIC
		fi
		if http_ok "$OCF_RESKEY_health_url"; then
			ocf_log info "$SERVICE started (pid $launcher) and ready"
			return $OCF_SUCCESS
		fi
		sleep 0.2
	done
}

service_stop() {
	local pid
	if ! pid=$(service_pid); then
		rm -f "$OCF_RESKEY_pid"
		return $OCF_SUCCESS
	fi
	kill -TERM "$pid"
	# A stopped process (SIGSTOP, a freezer) never handles TERM and would sit out the whole wait
	# below, holding its port and database sessions: CONT lets it drain and exit now.
	kill -CONT "$pid" 2>/dev/null
	# Leave the service its drain, within the stop timeout (minus a margin for the KILL).
	local timeout_ms=${OCF_RESKEY_CRM_meta_timeout:-30000}
	local wait_s=$(( timeout_ms / 1000 - 5 ))
	[ $wait_s -lt 2 ] && wait_s=2
	local waited=0
	while kill -0 "$pid" 2>/dev/null && [ $waited -lt $(( wait_s * 4 )) ]; do
		sleep 0.25
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		ocf_log warn "$SERVICE did not stop within ${wait_s}s: KILL"
		kill -KILL "$pid" 2>/dev/null
		sleep 0.5
	fi
	rm -f "$OCF_RESKEY_pid"
	return $OCF_SUCCESS
}

service_usage() {
	echo "usage: $0 {start|stop|monitor|status|validate-all|meta-data}"
}

service_main() {
	case "${1:-}" in
	meta-data) meta_data; exit $OCF_SUCCESS ;;
	usage|help) service_usage; exit $OCF_SUCCESS ;;
	esac
	case "${1:-}" in
	start) service_start ;;
	stop) service_stop ;;
	monitor|status)
		# Where the service is not installed it cannot be running: a probe says so; a recurring
		# monitor reports the configuration error instead.
		if ! service_validate >/dev/null 2>&1; then
			ocf_is_probe && exit $OCF_NOT_RUNNING
			service_validate
			exit $?
		fi
		service_monitor ;;
	validate-all) service_validate ;;
	*) service_usage; exit $OCF_ERR_UNIMPLEMENTED ;;
	esac
}
