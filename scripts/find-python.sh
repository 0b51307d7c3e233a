#!/usr/bin/env bash
# Print the path of a working CPython 3.12 (the Python MWAA 3.0.6 runs), or fail.
# pyenv shims answer `command -v` even when the version is not selected, so test by running it.
set -u
for cand in "${PYTHON:-}" python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do
  [ -n "$cand" ] || continue
  if "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
    command -v "$cand" 2>/dev/null || echo "$cand"
    exit 0
  fi
done
echo "find-python: no working python3.12 found (set PYTHON=/path/to/python3.12)" >&2
exit 1
