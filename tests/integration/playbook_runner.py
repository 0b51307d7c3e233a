"""Run the collection's playbooks against a private emulator and read the results."""

import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)",
    re.M,
)


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.recap = {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
                      for m in RECAP.finditer(proc.stdout)}

    def total(self, key):
        return sum(r[key] for r in self.recap.values())

    def __repr__(self):
        return f"<rc={self.rc} recap={self.recap}>\n{self.output[-6000:]}"


def run_playbook(local_aws, playbook, *args, inventory="inventories/local", timeout=1200, extra_env=None):
    env = dict(os.environ)
    env.update(
        LOCAL_AWS_PORT=str(local_aws.port),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra_env or {})
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), playbook, "-i", str(inventory), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    return Result(proc)


# What the MWAA stand-in's Airflow (tests/integration/airflow/mwaa_stand_in.py) signs with: on AWS the
# environment's execution role. Its writes (the heartbeat metric, the task logs) are the environment's, not
# the playbook's.
STAND_IN_ACCESS_KEY = "ASIAMWAASTANDIN00001"


def mutating(calls):
    return [c for c in calls if c["mutating"]]


def playbook_calls(local_aws, **filters):
    """The journal without the calls of the MWAA stand-in's Airflow."""
    return [c for c in local_aws.calls(**filters) if c.get("access_key") != STAND_IN_ACCESS_KEY]


def run_without_writes(local_aws, playbook, *args, **kwargs):
    """Run a playbook that must change nothing: rc 0, changed=0, and no write call of the playbook reached AWS."""
    local_aws.clear_calls()
    result = run_playbook(local_aws, playbook, *args, **kwargs)
    assert result.rc == 0, result
    assert result.total("changed") == 0, result
    assert mutating(playbook_calls(local_aws)) == []
    return result


class ModuleRun:
    """One module task run by ansible-playbook with the json callback (ANSIBLE_STDOUT_CALLBACK=json)."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        data = json.loads(proc.stdout)
        self.stats = data["stats"]["localhost"]
        self.result = data["plays"][0]["tasks"][0]["hosts"]["localhost"]

    def __repr__(self):
        return f"<rc={self.rc} stats={self.stats}>\n{json.dumps(self.result, indent=1)[-4000:]}"
