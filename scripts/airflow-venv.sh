#!/usr/bin/env bash
# Build .local/airflow-venv: the Airflow MWAA 3.0.6 runs (Python 3.12, apache-airflow 3.0.6,
# OpenLineage provider 2.6.1, openlineage-python 1.37.0, Amazon provider 9.12.0), installed
# under the upstream constraints file that MWAA uses, vendored in tests/airflow/.
# Used by the real-Airflow proofs under tests/integration (e.g. `make airflow-proof`).
#
# Idempotent: a stamp keyed on the constraints file, the requirement list and this script
# skips the install when nothing changed. Needs only PyPI. Prints timings.
# Env: AIRFLOW_VENV (default .local/airflow-venv), PYTHON (passed to find-python.sh).
set -euo pipefail

t0=$(date +%s)
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${AIRFLOW_VENV:-$root/.local/airflow-venv}
constraints=$root/tests/airflow/constraints-3.0.6-python-3.12.txt
# The providers MWAA 3.0.6 ships that the proofs need; versions must equal the constraints' pins.
requirements=(
  apache-airflow==3.0.6
  apache-airflow-providers-openlineage==2.6.1
  openlineage-python==1.37.0
  apache-airflow-providers-amazon==9.12.0
)

for req in "${requirements[@]}"; do
  # A requirement the constraints file pins differently would be silently overridden: refuse.
  name=${req%%==*}
  if [ "$name" != apache-airflow ] && ! grep -qixF -- "$req" "$constraints"; then
    echo "airflow-venv: $req is not what $constraints pins" >&2
    exit 1
  fi
done

py=$("$root/scripts/find-python.sh")
key=$( { sha256sum "$constraints" "$0" | cut -d' ' -f1; printf '%s\n' "${requirements[@]}"; "$py" -V; } \
  | sha256sum | cut -d' ' -f1)
stamp=$venv/.stamp

mkdir -p "$(dirname "$venv")"
# Serialise concurrent callers (two test sessions) on one venv.
exec 9>"$venv.lock"
flock 9

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$venv/bin/airflow" ]; then
  echo "airflow-venv: $venv is up to date ($(( $(date +%s) - t0 )) s)"
  exit 0
fi

echo "airflow-venv: building $venv with $py"
rm -rf "$venv"
"$py" -m venv "$venv"
t1=$(date +%s)
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The grep drops pip's notes about this machine's missing local index folders, nothing else.
"$venv/bin/python" -m pip install --quiet --constraint "$constraints" "${requirements[@]}" \
  2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
t2=$(date +%s)
echo "airflow-venv: pip install took $(( t2 - t1 )) s"

# Prove the pins landed (pip would also have failed on a conflict with the constraints).
"$venv/bin/python" - "${requirements[@]}" <<'PY'
import sys
from importlib.metadata import version
bad = [r for r in sys.argv[1:] if version(r.split("==")[0]) != r.split("==")[1]]
if bad:
    sys.exit(f"airflow-venv: installed versions differ from {bad}")
PY
"$venv/bin/python" -m pip freeze --all > "$venv/freeze.txt"
echo "$key" > "$stamp"
echo "airflow-venv: ready in $(( $(date +%s) - t0 )) s:" $(grep -iE '^(apache-airflow|apache-airflow-providers-(openlineage|amazon|standard)|openlineage-python)==' "$venv/freeze.txt")
