#!/usr/bin/env bash
# Start/stop the local AWS emulator (tools/local_aws: moto + MWAA) in the background.
#   scripts/local-aws.sh start|stop|status|restart
# Listens on 127.0.0.1:${LOCAL_AWS_PORT:-4566}; pid file .local/local-aws-<port>.pid,
# log .local/local-aws-<port>.log. MWAA delays: LOCAL_AWS_MWAA_CREATE_DELAY,
# LOCAL_AWS_MWAA_UPDATE_DELAY, LOCAL_AWS_MWAA_DELETE_DELAY, LOCAL_AWS_MWAA_IAM_PROPAGATION_DELAY
# (seconds; read by the server).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
port=${LOCAL_AWS_PORT:-4566}
python=${LOCAL_AWS_PYTHON:-$root/.venv/bin/python}
state=$root/.local
pidfile=$state/local-aws-$port.pid
logfile=$state/local-aws-$port.log
url=http://127.0.0.1:$port/_local_aws/health
start_timeout=${LOCAL_AWS_START_TIMEOUT:-30}

healthy() {
  "$python" - "$url" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

# The pid file names a live local_aws process for this port (not a recycled pid).
ours() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-m local_aws .*--port $port"
}

start() {
  if ours; then
    if healthy; then
      echo "local-aws: already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
      return 0
    fi
  elif healthy; then
    echo "local-aws: something else already answers on 127.0.0.1:$port; not starting" >&2
    return 1
  fi
  [ -x "$python" ] || { echo "local-aws: $python not found; run 'make setup' first" >&2; return 1; }
  mkdir -p "$state"
  rm -f "$pidfile"
  # setsid: the server outlives the calling shell (make) and its Ctrl-C.
  PYTHONPATH="$root/tools${PYTHONPATH:+:$PYTHONPATH}" nohup setsid "$python" -m local_aws \
    --host 127.0.0.1 --port "$port" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + start_timeout))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if healthy; then
      echo "local-aws: running on http://127.0.0.1:$port (pid $(cat "$pidfile"), log $logfile)"
      return 0
    fi
    if ! ours; then
      echo "local-aws: the server exited during start-up; last log lines:" >&2
      tail -n 20 "$logfile" >&2 || true
      rm -f "$pidfile"
      return 1
    fi
    sleep 0.3
  done
  echo "local-aws: no answer on $url after ${start_timeout}s; stopping it (log $logfile)" >&2
  stop >/dev/null
  return 1
}

stop() {
  if ! ours; then
    rm -f "$pidfile"
    echo "local-aws: not running on port $port"
    return 0
  fi
  local pid
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "local-aws: pid $pid ignored SIGTERM for 10s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  echo "local-aws: stopped (port $port)"
}

status() {
  if ours && healthy; then
    echo "local-aws: running on http://127.0.0.1:$port (pid $(cat "$pidfile"))"
    return 0
  fi
  echo "local-aws: not running on port $port"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop && start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
