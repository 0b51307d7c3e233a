"""The mwaa role against the emulator, the way blue/green uses it: two environments in one play,
both creates started before either is waited on, per-color names, namespaces and maintenance
windows, an OpenLineage API key read from Secrets Manager that never shows in the output, a
converged re-run that only reads, a create that fails with the LastUpdate error, and removal.

Runs in file order on the session emulator; the prerequisites come from
local_aws.mwaa_prerequisites() (boto3), so the test does not pay for the network role.
"""

import json
import os

import pytest
import yaml

from playbook_runner import ROOT, mutating, run_playbook

PLAYBOOK = str(ROOT / "tests" / "integration" / "mwaa_role" / "environments.yml")
PROJECT, ENV = "lineage", "local"
BLUE, GREEN = f"{PROJECT}-blue-{ENV}", f"{PROJECT}-green-{ENV}"
# Long enough that blue is still CREATING when its wait starts, after green's create (with its IAM
# propagation retries) on a loaded machine.
CREATE_DELAY = 12
API_KEY = f"test-only-{os.urandom(8).hex()}"


@pytest.fixture(scope="module")
def setup(local_aws, tmp_path_factory):
    local_aws.reset()
    work = tmp_path_factory.mktemp("mwaa_role")
    prereq = local_aws.mwaa_prerequisites(prefix="mwaarole", cidr="10.42.0.0/16")
    secret = local_aws.client("secretsmanager").create_secret(
        Name="lineage-local/marquez-api-key", SecretString=json.dumps({"api_key": API_KEY}))["ARN"]
    environments = [
        {"name": BLUE, "color": "blue", "window": "SUN:03:00", "secret_arn": secret, "secret_key": "api_key"},
        {"name": GREEN, "color": "green", "window": "WED:03:00"},
    ]
    extra = {
        "environments": environments,
        "outputs_file": str(work / "outputs.json"),
        "mwaa_execution_role_arn": prereq["ExecutionRoleArn"],
        "mwaa_source_bucket_arn": prereq["SourceBucketArn"],
        "mwaa_requirements_s3_path": "",
        "mwaa_subnet_ids": prereq["NetworkConfiguration"]["SubnetIds"],
        "mwaa_security_group_ids": prereq["NetworkConfiguration"]["SecurityGroupIds"],
        "mwaa_openlineage_url": "http://10.42.1.10:5000",
        "mwaa_wait_poll_interval": 1,
        "mwaa_wait_progress_interval": 2,
    }
    vars_file = work / "vars.yml"
    vars_file.write_text(yaml.safe_dump(extra))
    return {"vars": f"@{vars_file}", "outputs": work / "outputs.json", "prereq": prereq, "work": work}


def _run(local_aws, setup, *args):
    return run_playbook(local_aws, PLAYBOOK, "-v", "-e", setup["vars"], *args)


@pytest.fixture(scope="module")
def deployed(local_aws, setup):
    default_delay = local_aws.mwaa_settings()["create_delay"]
    local_aws.mwaa_settings(create_delay=CREATE_DELAY)
    try:
        result = _run(local_aws, setup)
    finally:
        local_aws.mwaa_settings(create_delay=default_delay)
    assert result.rc == 0, result
    return result


def test_both_creates_start_before_any_wait(deployed):
    out = deployed.output
    green_create = out.index(f"Create or update MWAA environment {GREEN}")
    first_blue_progress = out.index(f"mwaa {BLUE}: CREATING")
    assert green_create < first_blue_progress, "blue was waited on before green's create started"
    # Blue was still being created when its wait began: the two creates overlapped.
    assert f"mwaa {BLUE}: AVAILABLE" in out


def test_both_environments_are_available_with_their_own_settings(local_aws, setup, deployed):
    mwaa = local_aws.client("mwaa")
    outputs = json.loads(setup["outputs"].read_text())
    assert set(outputs) == {BLUE, GREEN}
    for name, color, window in ((BLUE, "blue", "SUN:03:00"), (GREEN, "green", "WED:03:00")):
        env = mwaa.get_environment(Name=name)["Environment"]
        assert env["Status"] == "AVAILABLE" and outputs[name]["status"] == "AVAILABLE"
        assert outputs[name]["arn"] == env["Arn"] and outputs[name]["name"] == name
        assert outputs[name]["webserver_url"] == f"https://{env['WebserverUrl']}"
        assert env["DagS3Path"] == f"{color}/dags"
        assert env["WeeklyMaintenanceWindowStart"] == window
        assert env["ExecutionRoleArn"] == setup["prereq"]["ExecutionRoleArn"]
        namespace = f"{PROJECT}-{color}-{ENV}"
        assert env["AirflowConfigurationOptions"]["openlineage.namespace"] == namespace
        assert outputs[name]["openlineage_namespace"] == namespace


def test_api_key_from_secrets_manager_reaches_mwaa_and_never_the_output(local_aws, deployed):
    mwaa = local_aws.client("mwaa")
    blue = json.loads(mwaa.get_environment(Name=BLUE)["Environment"]["AirflowConfigurationOptions"]
                      ["openlineage.transport"])
    green = json.loads(mwaa.get_environment(Name=GREEN)["Environment"]["AirflowConfigurationOptions"]
                       ["openlineage.transport"])
    assert blue["auth"] == {"type": "api_key", "apiKey": API_KEY}
    assert "auth" not in green
    assert API_KEY not in deployed.output


def test_converged_rerun_only_reads(local_aws, setup, deployed):
    local_aws.clear_calls()
    result = _run(local_aws, setup)
    assert result.rc == 0, result
    assert result.total("changed") == 0, result
    assert mutating(local_aws.calls()) == []
    assert {c["operation"] for c in local_aws.calls(service="airflow")} == {"GetEnvironment"}
    assert API_KEY not in result.output


def test_missing_secret_fails_naming_the_variable_before_any_write(local_aws, setup, deployed):
    broken = [{"name": f"{PROJECT}-broken-{ENV}", "color": "broken", "window": "MON:03:00",
               "secret_arn": "lineage-local/does-not-exist"}]
    local_aws.clear_calls()
    result = _run(local_aws, setup, "-e", json.dumps({"environments": broken}))
    assert result.rc != 0
    assert "mwaa_openlineage_api_key_secret_arn" in result.output and "does not exist" in result.output
    assert [c for c in mutating(local_aws.calls()) if c["service"] == "airflow"] == []


def test_failed_create_reports_the_last_update_error(local_aws, setup, deployed):
    name = f"{PROJECT}-broken-{ENV}"
    broken = [{"name": name, "color": "broken", "window": "MON:03:00"}]
    local_aws.inject_fault("create_failed", name=name, error_code="INCORRECT_CONFIGURATION",
                           error_message="test-injected: the subnets cannot reach the internet")
    result = _run(local_aws, setup, "-e", json.dumps({"environments": broken}))
    assert result.rc != 0
    assert (f"MWAA environment '{name}' is CREATE_FAILED: INCORRECT_CONFIGURATION: "
            "test-injected: the subnets cannot reach the internet") in result.output, result
    removed = _run(local_aws, setup, "-e", json.dumps({"environments": broken}), "-e", "remove=true")
    assert removed.rc == 0, removed


def test_remove_deletes_both_and_their_log_groups(local_aws, setup, deployed):
    result = _run(local_aws, setup, "-e", "remove=true")
    assert result.rc == 0, result
    assert json.loads(setup["outputs"].read_text()) == {}
    assert local_aws.client("mwaa").list_environments()["Environments"] == []
    logs = local_aws.client("logs").describe_log_groups(logGroupNamePrefix=f"airflow-{PROJECT}-")["logGroups"]
    assert logs == []
