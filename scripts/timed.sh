#!/usr/bin/env bash
# Run one test suite and report its wall time: "=== <suite>: N s (passed|failed, rc N)".
# The line is also appended to $TEST_TIMES_FILE (default .local/test-times.txt), which `make test` prints at the end.
#   scripts/timed.sh <suite> <command> [args...]
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 <suite> <command> [args...]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
suite=$1
shift
start=$SECONDS
"$@"
rc=$?
if [ "$rc" -eq 0 ]; then outcome=passed; else outcome="failed, rc $rc"; fi
line="=== $suite: $((SECONDS - start)) s ($outcome)"
echo "$line"
times=${TEST_TIMES_FILE:-$root/.local/test-times.txt}
mkdir -p "$(dirname "$times")"
echo "$line" >>"$times"
exit "$rc"
