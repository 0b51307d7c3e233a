"""dataplatform.mwaa_lineage.mwaa_blue_green and playbooks/switch.yml against the local emulator.

Real ansible-playbook runs; MWAA environments are created in the emulator and forced into each
status with its control API; the SSM parameter and the CloudWatch heartbeat live in moto. The
request journal proves which calls were writes: a refused, idempotent or check-mode switch must
not send PutParameter (or any other write).
"""

import datetime
import os
import pathlib
import subprocess
import sys
import time

import pytest
import yaml

from playbook_runner import ModuleRun, mutating, run_playbook

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
PREFIX = "bgswitch"
BLUE, GREEN = f"{PREFIX}-blue-local", f"{PREFIX}-green-local"
# Targets the preflight must refuse: environment name -> status forced on it (None: never created).
REFUSED = {
    "bgref-missing": None,
    "bgref-creating": "CREATING",
    "bgref-updating": "UPDATING",
    "bgref-update-failed": "UPDATE_FAILED",
    "bgref-create-failed": "CREATE_FAILED",
}
HEARTBEAT_GREEN = "bghb-green"


def _wait_available(mwaa, names, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = {n: mwaa.get_environment(Name=n)["Environment"]["Status"] for n in names}
        if all(s == "AVAILABLE" for s in statuses.values()):
            return
        time.sleep(0.3)
    raise AssertionError(f"environments not AVAILABLE after {timeout}s: {statuses}")


@pytest.fixture(scope="module")
def envs(local_aws):
    """The AVAILABLE pair, one environment per refused status, and a heartbeat target."""
    prereq = local_aws.mwaa_prerequisites(prefix=PREFIX, cidr="10.77.0.0/16")
    mwaa = local_aws.client("mwaa")
    names = [BLUE, GREEN, HEARTBEAT_GREEN] + [n for n, s in REFUSED.items() if s]
    for name in names:
        local_aws.create_mwaa_environment(Name=name, **prereq)
    _wait_available(mwaa, names)
    for name, status in REFUSED.items():
        if status:
            extra = {"error_code": "INCORRECT_CONFIGURATION", "error_message": "injected"} if "FAILED" in status else {}
            local_aws.set_mwaa_status(name, status, **extra)
    return names


@pytest.fixture
def parameter(local_aws, request):
    """A fresh active-color parameter per test, holding `blue` (as the deploy role creates it)."""
    name = f"/mwaa/{PREFIX}/{request.node.name.replace('[', '-').replace(']', '')}/active-environment"
    ssm = local_aws.client("ssm")
    ssm.put_parameter(Name=name, Value="blue", Type="String", Description="active color")
    yield name
    ssm.delete_parameter(Name=name)


def value(local_aws, name):
    return local_aws.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]


@pytest.fixture
def module(local_aws, tmp_path):
    """module(args, check=False, loop=None) -> Run: the module once through ansible-playbook."""

    def run(args, check=False, loop=None):
        task = {"name": "Blue/green", "dataplatform.mwaa_lineage.mwaa_blue_green": args}
        if loop is not None:
            task.update(loop=loop, failed_when=False)
        play = [{
            "name": "mwaa_blue_green integration step",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/dataplatform.mwaa_lineage.mwaa": {
                "endpoint_url": local_aws.endpoint_url, "region": "us-east-1",
                "access_key": "testing", "secret_key": "testing"}},
            "tasks": [task],
        }]
        playbook = tmp_path / "play.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="json",
                   ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_NOCOLOR="1")
        cmd = [str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-c", "local",
               "-e", f"ansible_python_interpreter={sys.executable}"]
        if check:
            cmd += ["--check", "--diff"]
        return ModuleRun(subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False))

    return run


def writes(local_aws):
    return [(c["service"], c["operation"]) for c in mutating(local_aws.calls())]


def test_every_preflight_refusal_writes_nothing(local_aws, envs, parameter, module):
    local_aws.clear_calls()
    run = module(
        {"parameter_name": parameter, "environments": {"blue": BLUE, "green": "{{ item }}"}, "target": "green"},
        loop=list(REFUSED),
    )

    assert run.rc == 0, run  # failed_when: false; each item's own result is checked below
    results = {r["item"]: r for r in run.result["results"]}
    for name, status in REFUSED.items():
        item = results[name]
        assert item["msg"].startswith(f"Refusing to switch '{parameter}' from blue to green ({name})"), item
        expected = f"'{name}' does not exist" if status is None else f"'{name}' is {status}, not AVAILABLE"
        assert expected in item["msg"], item
        if status and "FAILED" in status:
            assert "INCORRECT_CONFIGURATION: injected" in item["msg"], item
        assert item["preflight"]["status"] == status
    assert writes(local_aws) == []
    assert value(local_aws, parameter) == "blue"


def test_force_overrides_a_refusal_with_a_warning(local_aws, envs, parameter, module):
    local_aws.clear_calls()
    run = module({"parameter_name": parameter, "environments": {"blue": BLUE, "green": "bgref-create-failed"},
                  "target": "green", "force": True})

    assert run.rc == 0, run
    assert run.stats["changed"] == 1
    assert run.result["preflight"]["forced"] is True
    assert any("CREATE_FAILED" in w for w in run.result["warnings"]), run
    assert writes(local_aws) == [("ssm", "PutParameter")]
    assert value(local_aws, parameter) == "green"


def test_switch_idempotent_rollback(local_aws, envs, parameter, module):
    args = {"parameter_name": parameter, "environments": {"blue": BLUE, "green": GREEN}}

    local_aws.clear_calls()
    switched = module(dict(args, target="green"))
    assert switched.rc == 0, switched
    assert switched.stats["changed"] == 1
    assert (switched.result["before"], switched.result["after"], switched.result["previous"]) == ("blue", "green", "blue")
    assert switched.result["duration_ms"] > 0
    assert writes(local_aws) == [("ssm", "PutParameter")]  # the flip is exactly one write
    assert value(local_aws, parameter) == "green"

    local_aws.clear_calls()
    again = module(dict(args, target="green"))
    assert again.rc == 0, again
    assert again.stats["changed"] == 0
    assert again.result["switched"] is False
    assert writes(local_aws) == []

    local_aws.clear_calls()
    back = module(dict(args, target="previous"))
    assert back.rc == 0, back
    assert back.stats["changed"] == 1
    assert (back.result["before"], back.result["after"], back.result["previous"]) == ("green", "blue", "green")
    assert writes(local_aws) == [("ssm", "PutParameter")]
    assert value(local_aws, parameter) == "blue"

    history = local_aws.client("ssm").get_parameter_history(Name=parameter)["Parameters"]
    assert [h["Value"] for h in history] == ["blue", "green", "blue"]
    assert {h["Description"] for h in history} == {"active color"}  # kept by every overwrite


def test_previous_without_history_is_refused(local_aws, envs, parameter, module):
    local_aws.clear_calls()
    run = module({"parameter_name": parameter, "environments": {"blue": BLUE, "green": GREEN}, "target": "previous"})

    assert run.rc != 0
    assert "no previous color is recorded" in run.result["msg"]
    assert writes(local_aws) == []


def test_check_mode_writes_nothing(local_aws, envs, parameter, module):
    local_aws.clear_calls()
    run = module({"parameter_name": parameter, "environments": {"blue": BLUE, "green": GREEN}, "target": "green"},
                 check=True)

    assert run.rc == 0, run
    assert run.stats["changed"] == 1
    assert run.result["diff"]["before"]["active"] == "blue"
    assert run.result["diff"]["after"]["active"] == "green"
    assert writes(local_aws) == []
    assert value(local_aws, parameter) == "blue"


def test_missing_parameter_is_reported_not_created(local_aws, envs, module):
    name = f"/mwaa/{PREFIX}/never-created/active-environment"
    local_aws.clear_calls()
    run = module({"parameter_name": name, "environments": {"blue": BLUE, "green": GREEN}})

    assert run.rc == 0, run
    assert run.result["active"] is None
    assert run.result["environment_status"] == {BLUE: "AVAILABLE", GREEN: "AVAILABLE"}
    assert writes(local_aws) == []


def test_heartbeat_required(local_aws, envs, parameter, module):
    args = {"parameter_name": parameter, "environments": {"blue": BLUE, "green": HEARTBEAT_GREEN},
            "target": "green", "require_heartbeat": True, "heartbeat_max_age": 5}

    # Heartbeats that must not count: another environment's, and one older than heartbeat_max_age.
    cloudwatch = local_aws.client("cloudwatch")
    now = datetime.datetime.now(datetime.timezone.utc)

    def beat(dimensions, when=now):
        cloudwatch.put_metric_data(Namespace="AmazonMWAA", MetricData=[{
            "MetricName": "SchedulerHeartbeat", "Value": 1.0, "Unit": "Count", "Timestamp": when,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}])

    beat({"Function": "Scheduler", "Environment": BLUE})
    beat({"Function": "Scheduler", "Environment": HEARTBEAT_GREEN}, when=now - datetime.timedelta(minutes=30))
    local_aws.clear_calls()
    refused = module(args)
    assert refused.rc != 0, refused
    assert f"'{HEARTBEAT_GREEN}' sent no SchedulerHeartbeat metric" in refused.result["msg"]
    assert refused.result["preflight"]["heartbeat"]["seen"] is False
    assert writes(local_aws) == []

    beat({"Function": "Scheduler", "Environment": HEARTBEAT_GREEN})
    local_aws.clear_calls()
    switched = module(args)
    assert switched.rc == 0, switched
    assert switched.result["preflight"]["heartbeat"]["seen"] is True
    assert switched.result["preflight"]["heartbeat"]["datapoints"] == 1
    assert writes(local_aws) == [("ssm", "PutParameter")]


# --- playbooks/switch.yml ------------------------------------------------------------------------

SWITCH_VARS = ["-e", f"project_name={PREFIX}", "-e", "blue_green_enabled=true"]
SWITCH_PARAM = f"/mwaa/{PREFIX}/local/blue-green/active-environment"


@pytest.fixture
def switch_parameter(local_aws):
    ssm = local_aws.client("ssm")
    ssm.put_parameter(Name=SWITCH_PARAM, Value="blue", Type="String")
    yield SWITCH_PARAM
    ssm.delete_parameter(Name=SWITCH_PARAM)


def test_switch_playbook_validates_before_any_aws_call(local_aws, envs, switch_parameter):
    local_aws.clear_calls()
    off = run_playbook(local_aws, "playbooks/switch.yml", "-e", f"project_name={PREFIX}", "-e", "target=green")
    assert off.rc != 0
    assert "blue_green_enabled is false" in off.output

    bad = run_playbook(local_aws, "playbooks/switch.yml", *SWITCH_VARS, "-e", "target=purple")
    assert bad.rc != 0
    assert 'target="purple" is invalid' in bad.output

    unconfirmed = run_playbook(local_aws, "playbooks/switch.yml", *SWITCH_VARS, "-e", "target=green",
                               "-e", "switch_confirmation_required=true")
    assert unconfirmed.rc != 0
    assert f"Re-run with -e switch_confirm={PREFIX}-local" in unconfirmed.output
    assert local_aws.calls() == []  # not even a read
    assert value(local_aws, switch_parameter) == "blue"


def test_switch_playbook_with_confirmation(local_aws, envs, switch_parameter):
    local_aws.clear_calls()
    run = run_playbook(local_aws, "playbooks/switch.yml", *SWITCH_VARS, "-e", "target=green",
                       "-e", "switch_confirmation_required=true", "-e", f"switch_confirm={PREFIX}-local")

    assert run.rc == 0, run
    assert run.total("changed") == 1
    assert "before: blue" in run.output
    assert f"after: green ({GREEN})" in run.output
    assert "flip (PutParameter) duration:" in run.output
    assert writes(local_aws) == [("ssm", "PutParameter")]
    assert value(local_aws, switch_parameter) == "green"

    local_aws.clear_calls()
    status = run_playbook(local_aws, "playbooks/switch.yml", *SWITCH_VARS, "-e", "target=status")
    assert status.rc == 0, status
    assert status.total("changed") == 0
    assert "after: green" in status.output and "previous: blue" in status.output
    assert writes(local_aws) == []
