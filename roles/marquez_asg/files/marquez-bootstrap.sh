# shellcheck shell=bash
# Boot-time functions of the Marquez HA instances (dataplatform.mwaa_lineage.marquez_asg). The launch
# template's user data is: settings (MQ_* variables), this file, the files rendered from the
# marquez_host templates, then `mq_main`. Nothing here holds a secret: the database credentials
# are read from Secrets Manager with the instance role when the instance boots.
#
# Settings: MQ_DIR, MQ_SERVICE, MQ_DOCKER, MQ_COMPOSE_URL, MQ_COMPOSE_CHECKSUM, MQ_SECRET_ID,
# MQ_SECRET_REGION, MQ_SECRET_ENDPOINT_URL, MQ_SECRET_USER_KEY, MQ_SECRET_PASSWORD_KEY, MQ_DB_USER,
# MQ_SSLMODE, MQ_CA_URL, MQ_IMAGE_SOURCE, MQ_IMAGE_ARCHIVES (array), MQ_IMAGES (array),
# MQ_REGISTRY, MQ_REGISTRY_LOGIN, MQ_ECR_REGION, MQ_HEALTH_URLS (array), MQ_HEALTH_TIMEOUT,
# MQ_USER_PLACEHOLDER, MQ_PASSWORD_PLACEHOLDER.

mq_log() { printf '%s marquez-bootstrap: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
mq_die() { mq_log "ERROR: $*"; exit 1; }

# mq_retry ATTEMPTS DELAY COMMAND...: bounded retries for what depends on the network or on AWS.
mq_retry() {
  local attempts=$1 delay=$2 i
  shift 2
  for ((i = 1; i <= attempts; i++)); do
    "$@" && return 0
    if ((i < attempts)); then
      mq_log "attempt $i/$attempts of '$1' failed; retrying in ${delay}s"
      sleep "$delay"
    fi
  done
  return 1
}

# mq_write_file PATH MODE < content: atomic write, root-owned, the mode set before any byte lands.
mq_write_file() {
  local path=$1 mode=$2 tmp
  tmp=$(mktemp "$path.XXXXXX")
  chmod "$mode" "$tmp"
  cat >"$tmp"
  chown root:root "$tmp"
  mv -f "$tmp" "$path"
}

mq_install_docker() {
  if ! command -v "$MQ_DOCKER" >/dev/null 2>&1; then
    if command -v dnf >/dev/null 2>&1; then
      mq_retry 5 10 dnf install --assumeyes --quiet docker || mq_die "dnf install docker failed"
    elif command -v apt-get >/dev/null 2>&1; then
      mq_retry 5 10 apt-get update -qq || mq_die "apt-get update failed"
      DEBIAN_FRONTEND=noninteractive mq_retry 5 10 apt-get install -qq -y docker.io || mq_die "apt-get install docker.io failed"
    else
      mq_die "no dnf or apt-get: install Docker in the AMI"
    fi
  fi
  systemctl enable --now docker.service || mq_die "docker.service did not start"
}

# Amazon Linux 2023 packages no Compose v2 plugin: the pinned release binary, checksum-verified.
mq_install_compose() {
  local plugin=/usr/local/lib/docker/cli-plugins/docker-compose tmp expected
  if "$MQ_DOCKER" compose version >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$(dirname "$plugin")"
  tmp=$(mktemp)
  mq_retry 5 10 curl --fail --silent --show-error --location --output "$tmp" "$MQ_COMPOSE_URL" \
    || mq_die "download of $MQ_COMPOSE_URL failed"
  expected=${MQ_COMPOSE_CHECKSUM#sha256:}
  case "$expected" in
    "") expected=$(curl --fail --silent --show-error --location "$MQ_COMPOSE_URL.sha256") || mq_die "no checksum file" ;;
    http://* | https://* | file://*) expected=$(curl --fail --silent --show-error --location "$expected") || mq_die "no checksum file" ;;
  esac
  expected=${expected%% *}
  printf '%s  %s\n' "$expected" "$tmp" | sha256sum --check --status || mq_die "Compose plugin checksum mismatch"
  install -m 0755 -o root -g root "$tmp" "$plugin"
  rm -f "$tmp"
}

mq_aws() {
  local args=(--region "$MQ_SECRET_REGION" --output text)
  [[ -n "$MQ_SECRET_ENDPOINT_URL" ]] && args+=(--endpoint-url "$MQ_SECRET_ENDPOINT_URL")
  aws "${args[@]}" "$@"
}

mq_fetch_secret() {
  mq_aws secretsmanager get-secret-value --secret-id "$MQ_SECRET_ID" --query SecretString
}

# db.env from the marquez_host template (rendered with placeholders) and the secret; the secret
# travels through a pipe only, never through argv, the environment or a file other than db.env.
mq_write_db_env() {
  local template=$1 secret content
  secret=$(mq_retry 30 10 mq_fetch_secret) || mq_die "cannot read secret $MQ_SECRET_ID (instance role, region, endpoint?)"
  # The trailing "." survives $(...), which would strip the file's final newline.
  content=$(printf '%s' "$secret" | MQ_TEMPLATE="$template" python3 -c '
import json, os, sys
raw = sys.stdin.read().strip()
user, password = os.environ["MQ_DB_USER"], raw
if raw.startswith("{"):
    data = json.loads(raw)
    user = data.get(os.environ["MQ_SECRET_USER_KEY"]) or user
    password = data.get(os.environ["MQ_SECRET_PASSWORD_KEY"]) or ""
if not password or any(c in user + password for c in ("\x27", "\n", "\r")) or "${" in password:
    sys.exit("no password, or a single quote, line break or ${ in the credentials")
text = os.environ["MQ_TEMPLATE"].replace(os.environ["MQ_USER_PLACEHOLDER"], user)
sys.stdout.write(text.replace(os.environ["MQ_PASSWORD_PLACEHOLDER"], password) + ".")
') || mq_die "the secret $MQ_SECRET_ID is not usable"
  printf '%s' "${content%.}" | mq_write_file "$MQ_DIR/db.env" 0600
}

mq_ca_bundle() {
  [[ "$MQ_SSLMODE" == verify-full ]] || return 0
  local tmp
  tmp=$(mktemp)
  mq_retry 5 10 curl --fail --silent --show-error --location --output "$tmp" "$MQ_CA_URL" || mq_die "download of $MQ_CA_URL failed"
  grep -q 'BEGIN CERTIFICATE' "$tmp" || mq_die "$MQ_CA_URL is not a PEM bundle"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$MQ_DIR/db-ca-bundle.pem"
}

mq_images() {
  local archive image
  if [[ "$MQ_IMAGE_SOURCE" == archive ]]; then
    for archive in "${MQ_IMAGE_ARCHIVES[@]}"; do
      "$MQ_DOCKER" load --quiet --input "$archive" >/dev/null || mq_die "docker load $archive failed"
    done
  else
    if [[ "$MQ_REGISTRY_LOGIN" == ecr ]]; then
      aws ecr get-login-password --region "$MQ_ECR_REGION" \
        | "$MQ_DOCKER" login --username AWS --password-stdin "${MQ_REGISTRY%%/*}" >/dev/null \
        || mq_die "ECR login to ${MQ_REGISTRY%%/*} failed"
    fi
    for image in "${MQ_IMAGES[@]}"; do
      "$MQ_DOCKER" image inspect "$image" >/dev/null 2>&1 || mq_retry 5 10 "$MQ_DOCKER" pull --quiet "$image" >/dev/null \
        || mq_die "docker pull $image failed"
    done
  fi
  for image in "${MQ_IMAGES[@]}"; do
    "$MQ_DOCKER" image inspect "$image" >/dev/null 2>&1 || mq_die "image $image is missing"
  done
}

# Every instance runs the one-shot migration before it starts the API with migrateOnStartup false.
# Marquez's db-migrate is Flyway: it takes a PostgreSQL advisory lock, so instances booting together
# run it one after the other, and the second finds the schema current.
mq_migrate() {
  mq_retry 10 15 "$MQ_DIR/db-migrate.sh" || mq_die "db-migrate failed (database reachable? credentials?)"
}

mq_start() {
  systemctl daemon-reload
  systemctl enable "$MQ_SERVICE.service"
  systemctl start "$MQ_SERVICE.service" || mq_die "$MQ_SERVICE.service did not start: $(systemctl status --no-pager "$MQ_SERVICE.service" | tail -n 20)"
}

mq_wait_healthy() {
  local url deadline=$((SECONDS + MQ_HEALTH_TIMEOUT))
  for url in "${MQ_HEALTH_URLS[@]}"; do
    until curl --fail --silent --output /dev/null --max-time 5 "$url"; do
      ((SECONDS < deadline)) || mq_die "$url did not answer within ${MQ_HEALTH_TIMEOUT}s"
      sleep 2
    done
    mq_log "healthy: $url"
  done
}
