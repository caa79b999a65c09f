#!/usr/bin/env bash
# Pacemaker's own tools for the OCF agent and cluster-configuration tests (and systemd-analyze
# for the unit files). What these tools check, and what not: docs/PEERS.md, "Pacemaker and Corosync".
#   pacemaker.sh install     apt-get install pacemaker-cli-utils resource-agents libxml2-utils systemd
set -euo pipefail
case "${1:-}" in
install)
  if command -v ocf-tester >/dev/null && command -v crm_resource >/dev/null && command -v xmllint >/dev/null && command -v systemd-analyze >/dev/null; then exit 0; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 --no-install-recommends \
    pacemaker-cli-utils resource-agents libxml2-utils systemd
  ;;
*)
  echo "usage: pacemaker.sh install" >&2
  exit 2
  ;;
esac
