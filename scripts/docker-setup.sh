#!/usr/bin/env bash
# Prepares a machine for the Docker-based molecule scenarios (molecule/marquez_host):
#   1. Debian's docker.io and debootstrap (apt, only when missing);
#   2. a running Docker daemon (systemd when it is PID 1, otherwise dockerd in the background,
#      log in .local/dockerd.log), waited for with a bound;
#   3. the scenario's assets: host image, test-double image tarball, Compose plugin
#      (molecule/marquez_host/assets.sh; cached under .local/marquez-test).
# Idempotent and non-interactive (CI runs it without stdin). Needs root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
DOCKERD_WAIT="${DOCKERD_WAIT:-60}"
log() { printf '[docker-setup] %s\n' "$*"; }

[[ "$(id -u)" == 0 ]] || { log "must run as root"; exit 1; }
mkdir -p "$LOCAL"
start=$SECONDS

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >"$LOCAL/docker-setup-apt.log" 2>&1 \
    || { tail -n 20 "$LOCAL/docker-setup-apt.log"; exit 1; }
fi

if ! docker info >/dev/null 2>&1; then
  if [[ -d /run/systemd/system ]]; then
    log "starting docker.service"
    systemctl start docker
  else
    log "starting dockerd (log: $LOCAL/dockerd.log)"
    nohup dockerd >"$LOCAL/dockerd.log" 2>&1 </dev/null &
    echo $! >"$LOCAL/dockerd.pid"
  fi
  for ((i = 0; i < DOCKERD_WAIT; i++)); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "Docker did not start within ${DOCKERD_WAIT}s"; tail -n 20 "$LOCAL/dockerd.log" 2>/dev/null; exit 1; }
fi

"$ROOT/molecule/marquez_host/assets.sh"
log "ready in $((SECONDS - start))s"
