"""The test-suite plumbing that `make test` relies on: per-suite timing and the molecule lanes."""

import os
import pathlib
import re
import stat
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_timed_reports_time_and_outcome_and_keeps_the_exit_code(tmp_path):
    env = dict(os.environ, TEST_TIMES_FILE=str(tmp_path / "times.txt"))
    ok = subprocess.run([str(ROOT / "scripts/timed.sh"), "lint", "true"], capture_output=True, text=True,
                        env=env, check=False)
    failed = subprocess.run([str(ROOT / "scripts/timed.sh"), "unit", "sh", "-c", "exit 3"], capture_output=True,
                            text=True, env=env, check=False)
    assert ok.returncode == 0
    assert ok.stdout.strip().splitlines()[-1] == "=== lint: 0 s (passed)"
    assert failed.returncode == 3
    assert failed.stdout.strip().splitlines()[-1] == "=== unit: 0 s (failed, rc 3)"
    assert (tmp_path / "times.txt").read_text().splitlines() == ["=== lint: 0 s (passed)", "=== unit: 0 s (failed, rc 3)"]


def _fake_molecule(tmp_path, failing=()):
    """A `molecule` that records its scenario and emulator port, and fails for the scenarios named."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "runs"
    script = bin_dir / "molecule"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$3 $LOCAL_AWS_PORT $AWS_ENDPOINT_URL" >> {record}\n'
        f'case " {" ".join(failing)} " in *" $3 "*) echo "converge of $3 broke"; exit 1 ;; esac\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir, record


def _lanes(bin_dir, *scenarios, port, lanes=2):
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{ROOT / '.venv/bin'}{os.pathsep}{os.environ['PATH']}",
               MOLECULE_LANES=str(lanes), MOLECULE_AWS_PORT=str(port), MOLECULE_PROGRESS_INTERVAL="1")
    return subprocess.run([str(ROOT / "scripts/molecule-lanes.sh"), *scenarios], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_molecule_lanes_run_each_scenario_once_on_its_lanes_emulator(tmp_path):
    bin_dir, record = _fake_molecule(tmp_path)
    result = _lanes(bin_dir, "iam", "network", "marquez_host", port=4680)
    assert result.returncode == 0, result.stdout + result.stderr
    runs = sorted(line.split() for line in record.read_text().splitlines())
    assert [r[0] for r in runs] == ["iam", "marquez_host", "network"]
    for _, port, endpoint in runs:
        assert port in ("4680", "4681")
        assert endpoint == f"http://127.0.0.1:{port}"
    # Longest first: marquez_host starts before the others.
    started = re.findall(r"^=== molecule test -s (\w+): started", result.stdout, re.M)
    assert started[0] == "marquez_host", result.stdout
    for scenario in ("iam", "network", "marquez_host"):
        assert f"=== molecule test -s {scenario} passed in" in result.stdout


def test_molecule_lanes_fail_print_the_log_and_start_nothing_after_a_failure(tmp_path):
    bin_dir, record = _fake_molecule(tmp_path, failing=("marquez_host",))
    # One lane, so the order is fixed: marquez_host (fails) first, the others are never started.
    env_lanes = _lanes(bin_dir, "iam", "marquez_host", "blue_green", port=4690, lanes=1)
    assert env_lanes.returncode != 0
    assert "=== molecule test -s marquez_host FAILED (rc 1)" in env_lanes.stdout
    assert "  | converge of marquez_host broke" in env_lanes.stdout
    assert [line.split()[0] for line in record.read_text().splitlines()] == ["marquez_host"]
    assert "not run after the failure" in env_lanes.stdout


def test_molecule_lanes_refuse_an_unknown_scenario(tmp_path):
    bin_dir, record = _fake_molecule(tmp_path)
    result = _lanes(bin_dir, "no_such_role", port=4695)
    assert result.returncode == 2
    assert "no scenario molecule/no_such_role" in result.stderr
    assert not record.exists()
