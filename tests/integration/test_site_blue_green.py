"""site.yml with blue_green_enabled=true end to end against the local emulator.

Three playbook runs on one private emulator, in file order: deploy, a re-run after the active
color was switched to green by hand (must change nothing, write nothing and keep green), teardown.
Asserted against the emulator's own state: two environments with their own DAG prefix, staggered
maintenance windows, OpenLineage namespace and blue_green.* options; both creates started before
either was waited on; DAGs (with the gate DAG) under both prefixes; the execution role trusts and
serves both; the active-color parameter created as blue with tags; nothing left after teardown.
Both deployments wait for both colors' lineage heartbeat: a real Airflow 3 runs behind each MWAA
environment (the MWAA stand-in, tests/integration/airflow/mwaa_stand_in.py), with the Marquez double
behind the Marquez address.
"""

import json
import sys
from pathlib import Path

import pytest

from leftovers import leftovers as _leftovers
from playbook_runner import playbook_calls, run_playbook, run_without_writes

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("doubles", "integration/airflow")]

from mwaa_stand_in import stand_in_with_marquez_double  # noqa: E402

PROJECT, ENV = "lineage", "local"
COLORS = ("blue", "green")
NAMES = {c: f"{PROJECT}-{c}-{ENV}" for c in COLORS}
WINDOWS = {"blue": "SUN:03:00", "green": "WED:03:00"}
PARAMETER = f"/mwaa/{PROJECT}/{ENV}/blue-green/active-environment"
# inventories/local turns the wait off (make demo has no Airflow); here the stand-in runs the DAG.
BLUE_GREEN = ("-e", "blue_green_enabled=true", "-e", "lineage_heartbeat_wait=true",
              "-e", "lineage_heartbeat_poll_interval=2", "-e", "lineage_heartbeat_timeout=300")
# Emulator create time: longer than the gap between the two creates even on a loaded machine.
CREATE_DELAY = 12


@pytest.fixture(scope="module")
def summary_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("outputs-blue-green")


@pytest.fixture(scope="module")
def stand_in(local_aws, tmp_path_factory):
    local_aws.reset()
    with stand_in_with_marquez_double(local_aws, tmp_path_factory.mktemp("mwaa-stand-in-bg")) as running:
        yield running


@pytest.fixture(scope="module")
def deployed(local_aws, stand_in, summary_dir):
    default_delay = local_aws.mwaa_settings()["create_delay"]
    local_aws.mwaa_settings(create_delay=CREATE_DELAY)
    try:
        result = run_playbook(local_aws, "site.yml", *BLUE_GREEN, "-e", f"deployment_summary_dir={summary_dir}",
                              "-e", "mwaa_wait_poll_interval=1", "-e", "mwaa_wait_progress_interval=2")
    finally:
        local_aws.mwaa_settings(create_delay=default_delay)
    assert result.rc == 0, result
    return result


def test_both_creates_start_before_either_is_waited_on(local_aws, deployed):
    out = deployed.output
    green_create = out.index(f"Create or update MWAA environment {NAMES['green']}")
    blue_wait = out.index(f"Wait until the MWAA environment is AVAILABLE {NAMES['blue']}")
    assert green_create < blue_wait, "blue was waited on before green's create started"
    # The creates overlapped: green's began while blue's (CREATE_DELAY s in the emulator) still ran.
    mwaa = local_aws.client("mwaa")
    created = {c: mwaa.get_environment(Name=NAMES[c])["Environment"]["CreatedAt"] for c in COLORS}
    assert 0 <= (created["green"] - created["blue"]).total_seconds() < CREATE_DELAY, created


def test_two_environments_with_their_own_settings(local_aws, deployed, summary_dir):
    mwaa = local_aws.client("mwaa")
    assert sorted(mwaa.list_environments()["Environments"]) == sorted(NAMES.values())
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    marquez_url = summary["marquez"]["api_url"]
    windows = set()
    for color in COLORS:
        env = mwaa.get_environment(Name=NAMES[color])["Environment"]
        options = env["AirflowConfigurationOptions"]
        assert env["Status"] == "AVAILABLE"
        assert env["DagS3Path"] == f"{color}/dags"
        assert env["WeeklyMaintenanceWindowStart"] == WINDOWS[color]
        windows.add(env["WeeklyMaintenanceWindowStart"])
        assert options["openlineage.namespace"] == f"{PROJECT}-{color}-{ENV}"
        assert json.loads(options["openlineage.transport"])["url"] == marquez_url
        assert options["blue_green.color"] == color
        assert options["blue_green.parameter_name"] == PARAMETER
        assert env["SourceBucketArn"] == summary["dags_bucket"]["bucket_arn"]
        assert env["ExecutionRoleArn"] == summary["iam"]["mwaa_execution_role_arn"]
        assert env["WebserverAccessMode"] == "PRIVATE_ONLY"
        assert {"Project": PROJECT, "Environment": ENV}.items() <= env["Tags"].items()
    assert len(windows) == 2, "both colors share a maintenance window"


def test_dags_uploaded_per_color_with_the_gate(local_aws, deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    s3 = local_aws.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=summary["dags_bucket"]["bucket_name"])["Contents"]]
    for color in COLORS:
        assert {f"{color}/dags/blue_green_gate.py", f"{color}/dags/openlineage_demo.py"} <= set(keys), keys
        # Not gated and in both colors: each environment reports its own lineage heartbeat.
        assert f"{color}/dags/lineage_heartbeat.py" in keys, keys
    assert not [k for k in keys if k.startswith("dags/")], "the single-environment prefix was synced too"


def test_summary_says_both_colors_heartbeats_are_confirmed(stand_in, deployed, summary_dir):
    heartbeat = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())["lineage_heartbeat"]
    assert heartbeat["status"] == "confirmed"
    assert heartbeat["environments"] == {NAMES[color]: {"status": "confirmed"} for color in COLORS}
    # Each color posted its own probe, in its own namespace: the gate did not stop either heartbeat.
    probes = {e["job"]["namespace"] for e in stand_in.marquez.events()
              if e.get("job", {}).get("name") == "lineage_heartbeat_probe"}
    assert probes == set(NAMES.values()), probes


def test_execution_role_serves_both_colors(local_aws, deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    iam = local_aws.client("iam")
    role_name = summary["iam"]["mwaa_execution_role_name"]
    trust = json.dumps(iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"])
    policy = json.dumps(iam.get_role_policy(RoleName=role_name, PolicyName="mwaa-execution")["PolicyDocument"])
    for name in NAMES.values():
        assert f"environment/{name}" in trust and f"environment/{name}" in policy
    assert f"parameter/mwaa/{PROJECT}/{ENV}/*" in policy


def test_parameter_created_as_blue_with_tags(local_aws, deployed):
    ssm = local_aws.client("ssm")
    parameter = ssm.get_parameter(Name=PARAMETER)["Parameter"]
    assert (parameter["Value"], parameter["Type"]) == ("blue", "String")
    tags = {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(
        ResourceType="Parameter", ResourceId=PARAMETER)["TagList"]}
    assert tags == {"Project": PROJECT, "Environment": ENV, "ManagedBy": "dataplatform.mwaa_lineage"}


def test_rerun_keeps_a_switched_color_and_writes_nothing(local_aws, deployed, summary_dir):
    ssm = local_aws.client("ssm")
    ssm.put_parameter(Name=PARAMETER, Value="green", Type="String", Overwrite=True)
    version = ssm.get_parameter(Name=PARAMETER)["Parameter"]["Version"]
    result = run_without_writes(local_aws, "site.yml", *BLUE_GREEN, "-e", f"deployment_summary_dir={summary_dir}")
    # The preflight lists the region's environments once (MWAA answers there); the rest only reads them.
    assert {c["operation"] for c in playbook_calls(local_aws, service="airflow")} == {
        "GetEnvironment", "ListEnvironments"}
    parameter = ssm.get_parameter(Name=PARAMETER)["Parameter"]
    assert (parameter["Value"], parameter["Version"]) == ("green", version), "a re-deploy flipped the active color"
    assert "not blue or green" not in result.output


def test_teardown_removes_both_colors_and_the_parameter(local_aws, deployed, summary_dir):
    before = _leftovers(local_aws)
    assert {"mwaa_environments", "ssm_parameters", "log_groups"} <= before.keys(), before
    assert sorted(before["mwaa_environments"]) == sorted(NAMES.values())
    # teardown does not depend on blue_green_enabled: the inventory's default (false) is used.
    result = run_playbook(local_aws, "playbooks/teardown.yml", "-e", f"deployment_summary_dir={summary_dir}")
    assert result.rc == 0, result
    assert _leftovers(local_aws) == {}
