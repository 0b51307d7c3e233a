"""The pinned toolchain matches what the collection declares.

Galaxy is unreachable here, so the collections come from the pinned `ansible`
PyPI package; these tests fail when a pin bump drifts out of the declared ranges.
"""

import json
import pathlib
import subprocess
import sys

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _installed_collections():
    out = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ansible-galaxy"), "collection", "list", "--format", "json"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    found = {}
    for path_entries in json.loads(out).values():
        for name, meta in path_entries.items():
            # The first path wins, as in ansible's own resolution; our own symlink is not a dependency.
            found.setdefault(name, meta["version"])
    return found


def _requirements_yml():
    data = yaml.safe_load((ROOT / "requirements.yml").read_text())
    return {c["name"]: c["version"] for c in data["collections"]}


def _galaxy_dependencies():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]


def test_requirements_yml_matches_galaxy_dependencies():
    assert _requirements_yml() == _galaxy_dependencies()


@pytest.mark.parametrize("name", sorted(_galaxy_dependencies()))
def test_installed_collection_satisfies_declared_range(name):
    installed = _installed_collections()
    assert name in installed, f"{name} is not installed"
    declared = SpecifierSet(_galaxy_dependencies()[name])
    assert Version(installed[name]) in declared, f"{name} {installed[name]} not in {declared}"


def test_python_is_the_pinned_major_minor():
    # MWAA 3.0.6 runs Python 3.12; the control node uses the same.
    assert sys.version_info[:2] == (3, 12)


def test_pinned_python_requirements_are_installed():
    from importlib.metadata import version

    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, pinned = line.split("==")
        assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned}"


def test_requires_ansible_admits_installed_core():
    from ansible.release import __version__ as core

    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert Version(core) in SpecifierSet(runtime["requires_ansible"])
