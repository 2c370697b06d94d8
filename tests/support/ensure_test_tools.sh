#!/usr/bin/env bash
# Make sure the programs the operator-view tests drive are installed: Debian's Chromium (the
# dashboard's browser test) and promtool from Debian's prometheus package (the alert rules'
# checks and unit tests). Installs what is missing (needs root); prints nothing on stdout.
set -euo pipefail

log() { echo "[test-tools] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian's ${missing[*]}"
  as_root apt-get update -qq >&2
  # prometheus's own service start may fail without an init system; only promtool is used.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2 || true
fi
command -v chromium >/dev/null 2>&1 || { log "chromium did not install"; exit 1; }
command -v promtool >/dev/null 2>&1 || { log "promtool did not install"; exit 1; }
