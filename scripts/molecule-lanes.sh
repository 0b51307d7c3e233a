#!/usr/bin/env bash
# `molecule test` for every given scenario, in MOLECULE_LANES parallel lanes (default 2).
#   scripts/molecule-lanes.sh [scenario ...]        (default: every molecule/*/molecule.yml)
# Lane N has its own emulator on 127.0.0.1:$((MOLECULE_AWS_PORT + N)) (default base 4567), so the scenarios'
# API call logs never mix. The lanes take scenarios from one queue, longest first, and write each
# scenario's output to .local/molecule-logs/<scenario>.log; a failed scenario's log is printed. After a
# failure no new scenario starts. Every MOLECULE_PROGRESS_INTERVAL s (60) a line says what is running;
# after MOLECULE_TIMEOUT s (3600) the lanes are stopped and the run fails.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
logs=$root/.local/molecule-logs
base_port=${MOLECULE_AWS_PORT:-4567}

# Measured single-lane durations, longest first (seconds, 2 cores): marquez_host 364, marquez_asg 135,
# marquez_db 131, marquez_instance 118, ssm_transfer_bucket ~110, marquez_alb 105, mwaa ~100, network ~60, dags_bucket 51, iam 49,
# blue_green 27. Scenarios not listed here run last.
ORDER="marquez_host marquez_asg marquez_db marquez_instance marquez_alb ssm_transfer_bucket mwaa network dags_bucket iam blue_green"

pop() {
  # One scenario off the queue, under a lock: the lanes share it.
  (
    flock -x 9
    head -n 1 "$logs/queue"
    sed -i 1d "$logs/queue"
  ) 9>"$logs/queue.lock"
}

run_lane() {
  local lane=$1 port=$((base_port + $1)) scenario start rc
  if ! LOCAL_AWS_PORT=$port "$root/scripts/local-aws.sh" start >"$logs/lane-$lane.emulator.log" 2>&1; then
    echo "=== molecule lane $lane: the emulator on port $port did not start:"
    cat "$logs/lane-$lane.emulator.log"
    touch "$logs/failed"
    return 1
  fi
  while [ ! -e "$logs/failed" ]; do
    scenario=$(pop)
    [ -n "$scenario" ] || break
    echo "$scenario" >"$logs/lane-$lane.current"
    echo "=== molecule test -s $scenario: started (lane $lane, emulator port $port)"
    start=$SECONDS
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
      AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_DISABLE_HOST_PREFIX_INJECTION=true LOCAL_AWS_PORT=$port \
      molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1 </dev/null
    rc=$?
    if [ "$rc" -eq 0 ]; then
      echo "=== molecule test -s $scenario passed in $((SECONDS - start)) s"
    else
      touch "$logs/failed"
      echo "=== molecule test -s $scenario FAILED (rc $rc) after $((SECONDS - start)) s; its log ($logs/$scenario.log):"
      sed 's/^/  | /' "$logs/$scenario.log"
    fi
  done
  rm -f "$logs/lane-$lane.current"
  LOCAL_AWS_PORT=$port "$root/scripts/local-aws.sh" stop >/dev/null 2>&1
  [ ! -e "$logs/failed" ]
}

if [ "${1:-}" = "--lane" ]; then
  run_lane "$2"
  exit $?
fi

lanes=${MOLECULE_LANES:-2}
interval=${MOLECULE_PROGRESS_INTERVAL:-60}
timeout=${MOLECULE_TIMEOUT:-3600}
case "$lanes$interval$timeout" in *[!0-9]*) echo "$0: MOLECULE_LANES, MOLECULE_PROGRESS_INTERVAL and MOLECULE_TIMEOUT must be whole numbers" >&2; exit 2 ;; esac
[ "$lanes" -ge 1 ] && [ "$interval" -ge 1 ] || { echo "$0: MOLECULE_LANES and MOLECULE_PROGRESS_INTERVAL must be at least 1" >&2; exit 2; }

if [ $# -gt 0 ]; then
  wanted=("$@")
else
  wanted=()
  for f in "$root"/molecule/*/molecule.yml; do wanted+=("$(basename "$(dirname "$f")")"); done
fi
for s in "${wanted[@]}"; do
  [ -f "$root/molecule/$s/molecule.yml" ] || { echo "$0: no scenario molecule/$s" >&2; exit 2; }
done

rm -rf "$logs"
mkdir -p "$logs"
for s in $ORDER; do
  for w in "${wanted[@]}"; do [ "$w" = "$s" ] && echo "$s"; done
done >"$logs/queue"
for w in "${wanted[@]}"; do
  case " $ORDER " in *" $w "*) ;; *) echo "$w" >>"$logs/queue" ;; esac
done
echo "=== molecule: $(wc -l <"$logs/queue") scenarios in $lanes lanes, logs in $logs"

pids=()
for ((lane = 0; lane < lanes; lane++)); do
  # Each lane in its own session, so a timeout stops the lane with its molecule and ansible children.
  setsid "$0" --lane "$lane" &
  pids+=("$!")
done

start=$SECONDS
next=$((SECONDS + interval))
while :; do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
  [ "$alive" -gt 0 ] || break
  if [ $((SECONDS - start)) -ge "$timeout" ]; then
    echo "=== molecule: still running after ${timeout} s (MOLECULE_TIMEOUT); stopping the lanes"
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
    touch "$logs/failed"
    break
  fi
  if [ "$SECONDS" -ge "$next" ]; then
    running=$(cat "$logs"/lane-*.current 2>/dev/null | tr '\n' ' ')
    echo "=== molecule: $((SECONDS - start)) s elapsed; running: ${running:-nothing}; queued: $(wc -l <"$logs/queue")"
    next=$((SECONDS + interval))
  fi
  sleep 2
done

status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ ! -e "$logs/failed" ] || status=1
for ((lane = 0; lane < lanes; lane++)); do
  LOCAL_AWS_PORT=$((base_port + lane)) "$root/scripts/local-aws.sh" stop >/dev/null 2>&1
done
if [ -s "$logs/queue" ]; then
  echo "=== molecule: not run after the failure: $(tr '\n' ' ' <"$logs/queue")"
fi
exit "$status"
