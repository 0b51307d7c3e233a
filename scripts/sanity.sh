#!/usr/bin/env bash
# ansible-test sanity on a built copy of the collection (what Galaxy users get),
# unpacked into a throw-away ansible_collections tree outside this git checkout
# (inside it, ansible-test follows .gitignore and skips everything).
# Extra args go to ansible-test, e.g. `scripts/sanity.sh --test validate-modules`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mwaa-lineage-sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$root"
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
dest="$work/ansible_collections/dataplatform/mwaa_lineage"
mkdir -p "$dest"
tar -xzf "$work"/dist/dataplatform-mwaa_lineage-*.tar.gz -C "$dest"
# ansible-test resolves dependencies (doc fragments, module_utils) in the same
# ansible_collections tree: link the namespaces the pinned `ansible` package ships.
shipped=$(python -c 'import ansible, pathlib; print(pathlib.Path(ansible.__file__).parents[1] / "ansible_collections")')
for ns in amazon community ansible; do
  ln -s "$shipped/$ns" "$work/ansible_collections/$ns"
done

# ansible-test bootstraps pip in its sanity venvs with a get-pip script from a host
# these machines cannot reach; seed its cache with a stand-in that uses ensurepip
# and then installs the same pinned packages from PyPI.
pip_version=$(python - <<'PY'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -s "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  cat > "$cache" <<'PY'
"""Stand-in for get-pip.py (written by scripts/sanity.sh of dataplatform.mwaa_lineage)."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
PY
fi

cd "$dest"
py=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ansible-test sanity --color no --venv --python "$py" "$@"
