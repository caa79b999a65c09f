#!/usr/bin/env bash
# Debian's chromium, driven by playwright-core in the console tests (test/console/); nothing
# downloads a browser.
#   chromium.sh install     apt-get install chromium (once per machine)
set -euo pipefail
case "${1:-}" in
install)
  if [ -x /usr/bin/chromium ]; then exit 0; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=1200 --no-install-recommends chromium
  ;;
*)
  echo "usage: $0 install" >&2
  exit 2
  ;;
esac
