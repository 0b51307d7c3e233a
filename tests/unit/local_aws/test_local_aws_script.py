"""scripts/local-aws.sh (what `make local-aws` / `make local-aws-stop` run)."""

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "local-aws.sh"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def port():
    port = _free_port()
    yield port
    _run(port, "stop")
    (ROOT / ".local" / f"local-aws-{port}.log").unlink(missing_ok=True)


def _run(port, action, **env):
    full_env = {**os.environ, "LOCAL_AWS_PORT": str(port), **env}
    return subprocess.run([str(SCRIPT), action], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_start_is_idempotent_and_stop_cleans_up(port):
    pidfile = ROOT / ".local" / f"local-aws-{port}.pid"
    started = _run(port, "start", LOCAL_AWS_MWAA_CREATE_DELAY="0.5", LOCAL_AWS_MWAA_IAM_PROPAGATION_DELAY="7")
    assert started.returncode == 0, started.stderr
    pid = int(pidfile.read_text())
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_local_aws/mwaa/config", timeout=5) as response:
        settings = json.loads(response.read())
    assert (settings["create_delay"], settings["iam_propagation_delay"]) == (0.5, 7.0)
    again = _run(port, "start")
    assert again.returncode == 0 and "already running" in again.stdout
    assert int(pidfile.read_text()) == pid
    assert _run(port, "status").returncode == 0
    stopped = _run(port, "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not pidfile.exists()
    assert not pathlib.Path(f"/proc/{pid}").exists() or "zombie" in pathlib.Path(f"/proc/{pid}/status").read_text()
    assert _run(port, "status").returncode == 3
    assert _run(port, "stop").returncode == 0


def test_start_fails_clearly_when_the_port_is_taken(port):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = _run(port, "start", LOCAL_AWS_START_TIMEOUT="20")
    assert result.returncode == 1
    assert "exited during start-up" in result.stderr
    assert not (ROOT / ".local" / f"local-aws-{port}.pid").exists()


def test_iam_propagation_delay_flag_and_default(port):
    """The flag wins over the environment variable; without either the delay is 3 s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCAL_AWS_MWAA_")}
    env.update(PYTHONPATH=str(ROOT / "tools"), LOCAL_AWS_MWAA_IAM_PROPAGATION_DELAY="9")
    seen = {}
    for name, flags, child_env in (("flag", ["--mwaa-iam-propagation-delay", "1.5"], env),
                                   ("default", [], {k: v for k, v in env.items()
                                                    if k != "LOCAL_AWS_MWAA_IAM_PROPAGATION_DELAY"})):
        own = _free_port()
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "local_aws", "--port", str(own), "--quiet", *flags], cwd=ROOT, env=child_env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while name not in seen:
                assert proc.poll() is None and time.monotonic() < deadline, f"local_aws ({name}) did not start"
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{own}/_local_aws/mwaa/config", timeout=2) as r:
                        seen[name] = json.loads(r.read())["iam_propagation_delay"]
                except OSError:
                    time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert seen == {"flag": 1.5, "default": 3.0}
