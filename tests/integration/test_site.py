"""site.yml end to end against the local emulator: deploy, converge, check mode, teardown.

The tests run in file order on one private emulator: each step starts from the
state the previous one left. A real Airflow 3 runs behind the MWAA environment (the MWAA stand-in,
tests/integration/airflow/mwaa_stand_in.py) with the Marquez double behind the Marquez address, so
site.yml waits for the lineage heartbeat as on AWS: confirmed while the double answers, a failed run
quoting the task log once it is stopped.
"""

import datetime
import json
import re
import sys
from pathlib import Path

import pytest

from leftovers import leftovers as _leftovers
from playbook_runner import playbook_calls, run_playbook, run_without_writes

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("doubles", "integration/airflow")]

from mwaa_stand_in import stand_in_with_marquez_double  # noqa: E402

PROJECT, ENV = "lineage", "local"
NAME = f"{PROJECT}-{ENV}"
# inventories/local turns the wait off (make demo has no Airflow); here the stand-in runs the DAG.
# The first run waits for the stand-in's Airflow to start, parse and run the DAG.
HEARTBEAT = ("-e", "lineage_heartbeat_wait=true", "-e", "lineage_heartbeat_poll_interval=2",
             "-e", "lineage_heartbeat_timeout=240")
HEARTBEAT_PROGRESS = re.compile(
    rf"^lineage heartbeat {NAME}: (?P<status>.+), (?P<m>\d+)m(?P<s>\d\d)s elapsed$", re.M)


@pytest.fixture(scope="module")
def summary_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("outputs")


# The emulator's MWAA create takes CREATE_DELAY seconds; with a 1 s poll and a 2 s progress
# interval the first run must print progress lines while the environment is CREATING.
CREATE_DELAY = 12
PROGRESS = re.compile(rf"^mwaa {PROJECT}-{ENV}: (?P<status>[A-Z_]+), (?P<m>\d+)m(?P<s>\d\d)s elapsed$", re.M)


@pytest.fixture(scope="module")
def stand_in(local_aws, tmp_path_factory):
    local_aws.reset()
    with stand_in_with_marquez_double(local_aws, tmp_path_factory.mktemp("mwaa-stand-in")) as running:
        yield running


@pytest.fixture(scope="module")
def deployed(local_aws, stand_in, summary_dir):
    default_delay = local_aws.mwaa_settings()["create_delay"]
    local_aws.mwaa_settings(create_delay=CREATE_DELAY)
    try:
        result = run_playbook(local_aws, "site.yml", *HEARTBEAT, "-e", f"deployment_summary_dir={summary_dir}",
                              "-e", "mwaa_wait_poll_interval=1", "-e", "mwaa_wait_progress_interval=2")
    finally:
        local_aws.mwaa_settings(create_delay=default_delay)
    assert result.rc == 0, result
    return result


def test_first_run_creates_the_stack(deployed):
    assert deployed.total("failed") == 0
    assert deployed.total("changed") > 0


def test_first_run_shows_mwaa_progress_while_waiting(deployed):
    lines = [m.groupdict() for m in PROGRESS.finditer(deployed.output)]
    assert any(line["status"] == "CREATING" for line in lines), deployed
    assert lines[-1]["status"] == "AVAILABLE", lines
    # The emulator's create takes CREATE_DELAY s; progress every 2 s means several lines.
    assert len([line for line in lines if line["status"] == "CREATING"]) >= 2, lines


def test_second_run_changes_nothing_and_writes_nothing(local_aws, deployed, summary_dir):
    # It waits for the heartbeat too (a datapoint newer than its own start), and still changes nothing.
    result = run_without_writes(local_aws, "site.yml", *HEARTBEAT, "-e", f"deployment_summary_dir={summary_dir}")
    assert playbook_calls(local_aws), "the journal saw no call at all: the playbook did not reach the emulator"
    # MWAA: the converged environment is only read, and nothing waits on it.
    # The preflight lists the region's environments once (MWAA answers there); the rest only reads them.
    assert {c["operation"] for c in playbook_calls(local_aws, service="airflow")} == {
        "GetEnvironment", "ListEnvironments"}
    assert PROGRESS.search(result.output) is None, result
    assert {c["operation"] for c in playbook_calls(local_aws, service="monitoring")} == {"GetMetricData"}


def test_check_mode_on_converged_stack(local_aws, deployed, summary_dir):
    run_without_writes(local_aws, "site.yml", "--check", *HEARTBEAT, "-e", f"deployment_summary_dir={summary_dir}")


def test_summary_describes_real_resources(local_aws, deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    assert summary["project_name"] == PROJECT and summary["env_name"] == ENV
    ec2 = local_aws.client("ec2")
    net = summary["network"]
    vpc = ec2.describe_vpcs(VpcIds=[net["vpc_id"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    subnets = ec2.describe_subnets(SubnetIds=net["private_subnet_ids"] + net["public_subnet_ids"])["Subnets"]
    assert len(subnets) == 4 and {s["VpcId"] for s in subnets} == {net["vpc_id"]}
    s3 = local_aws.client("s3")
    bucket = summary["dags_bucket"]["bucket_name"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    iam = local_aws.client("iam")
    role = iam.get_role(RoleName=summary["iam"]["mwaa_execution_role_name"])["Role"]
    assert role["Arn"] == summary["iam"]["mwaa_execution_role_arn"]
    assert "password" not in json.dumps(summary).lower()


def test_summary_has_the_marquez_host(local_aws, deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    marquez = summary["marquez"]
    assert marquez["deployment_mode"] == "standard"
    instance = local_aws.client("ec2").describe_instances(
        InstanceIds=[marquez["instance_id"]])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "running"
    assert instance["PrivateIpAddress"] == marquez["private_ip"]
    assert "PublicIpAddress" not in instance and "KeyName" not in instance
    assert instance["SubnetId"] == summary["network"]["private_subnet_ids"][0]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert instance["IamInstanceProfile"]["Arn"] == summary["iam"]["marquez_instance_profile_arn"]
    assert {t["Key"]: t["Value"] for t in instance["Tags"]}["Role"] == "marquez"
    assert marquez["api_url"] == f"http://{instance['PrivateIpAddress']}:5000"
    assert marquez["web_url"] == f"http://{instance['PrivateIpAddress']}:3000"


def test_summary_has_the_mwaa_environment(local_aws, deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    mwaa = summary["mwaa"]
    environment = local_aws.client("mwaa").get_environment(Name=mwaa["name"])["Environment"]
    assert mwaa["name"] == f"{PROJECT}-{ENV}"
    assert mwaa["arn"] == environment["Arn"]
    assert mwaa["status"] == environment["Status"] == "AVAILABLE"
    assert mwaa["webserver_url"] == f"https://{environment['WebserverUrl']}"
    assert mwaa["airflow_version"] == environment["AirflowVersion"] == "3.0.6"
    assert mwaa["openlineage_namespace"] == f"{PROJECT}-{ENV}"
    # Wired to the Marquez host: MWAA's OpenLineage transport posts to its private address.
    transport = json.loads(environment["AirflowConfigurationOptions"]["openlineage.transport"])
    assert transport["url"] == summary["marquez"]["api_url"] == mwaa["openlineage_url"]
    assert environment["ExecutionRoleArn"] == summary["iam"]["mwaa_execution_role_arn"]
    assert environment["SourceBucketArn"] == summary["dags_bucket"]["bucket_arn"]
    assert environment["RequirementsS3ObjectVersion"] == summary["dags_bucket"]["requirements_s3_object_version"]
    assert sorted(environment["NetworkConfiguration"]["SubnetIds"]) == sorted(summary["network"]["private_subnet_ids"])
    assert environment["WebserverAccessMode"] == "PRIVATE_ONLY"


def test_summary_says_the_lineage_heartbeat_is_confirmed(deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    # No datapoint time in the file: it is new on every run that waits (the run's output shows it).
    assert summary["lineage_heartbeat"] == {
        "status": "confirmed",
        "reason": "",
        "metric": "MWAALineage/LineageHeartbeat",
        "environments": {NAME: {"status": "confirmed"}},
    }


def test_heartbeat_went_through_the_products_marquez_address(local_aws, stand_in, deployed, summary_dir):
    """What confirmed it: the product's DAG posted to the transport URL MWAA was configured with (the
    instance's private address, routed to the double), and published 1 to the emulator's CloudWatch."""
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    api_url = summary["marquez"]["api_url"]
    assert f"POST {api_url}/api/v1/lineage" in stand_in.route.routed, stand_in.route.routed
    probes = [e for e in stand_in.marquez.events() if e.get("job", {}).get("name") == "lineage_heartbeat_probe"]
    assert probes and {e["job"]["namespace"] for e in probes} == {NAME}
    confirmed = re.findall(rf"^lineage heartbeat {NAME}: confirmed at (\S+), ", deployed.output, re.M)
    assert confirmed, deployed
    assert 1.0 in _datapoints(local_aws, datetime.datetime.fromisoformat(confirmed[-1])), confirmed


def _datapoints(local_aws, since):
    response = local_aws.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "h", "MetricStat": {
            "Metric": {"Namespace": "MWAALineage", "MetricName": "LineageHeartbeat",
                       "Dimensions": [{"Name": "Environment", "Value": NAME}]},
            "Period": 1, "Stat": "Maximum"}}],
        StartTime=since, EndTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60))
    return response["MetricDataResults"][0]["Values"]


def test_heartbeat_dag_is_shipped_ungated(local_aws, deployed, summary_dir):
    summary = json.loads((summary_dir / f"{PROJECT}-{ENV}.json").read_text())
    bucket = summary["dags_bucket"]["bucket_name"]
    keys = {o["Key"] for o in local_aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="dags/")["Contents"]}
    assert "dags/lineage_heartbeat.py" in keys, keys


def test_marquez_down_fails_the_run_quoting_the_task_log(local_aws, stand_in, deployed, summary_dir):
    stand_in.marquez.stop()
    result = run_playbook(local_aws, "site.yml", "-e", "lineage_heartbeat_wait=true",
                          "-e", "lineage_heartbeat_poll_interval=2", "-e", "lineage_heartbeat_timeout=45",
                          "-e", f"deployment_summary_dir={summary_dir}")
    assert result.rc != 0, result
    assert f"No successful lineage heartbeat (MWAALineage/LineageHeartbeat=1, Environment={NAME}) since" \
        in result.output, result
    assert "is 0 (the DAG ran and the round trip failed)" in result.output, result
    # The wait showed what it saw while it waited.
    lines = [m["status"] for m in HEARTBEAT_PROGRESS.finditer(result.output)]
    assert any(line.startswith("latest datapoint 0 at ") for line in lines), lines
    # The DAG's own words, quoted from the task log in airflow-<env>-Task.
    assert f"Latest task log of DAG lineage_heartbeat (dag_id=lineage_heartbeat/" in result.output, result
    assert f"Lineage heartbeat FAILED in {NAME}: POST http://" in result.output, result
    assert "PLAY [Deployment summary]" not in result.output


def test_a_marquez_host_that_nothing_configures_fails_the_run(local_aws, deployed, summary_dir, tmp_path):
    """The inventory has no source that puts the launched instance into group marquez."""
    s3 = local_aws.client("s3")
    transfer_bucket = f"{PROJECT}-{ENV}-ssm-{local_aws.client('sts').get_caller_identity()['Account']}"
    # inventories/local says nothing configures Marquez (marquez_instance_configured_by: none): no SSM, no bucket.
    assert transfer_bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    # The default connection is SSM; the preflight looks for the plugin (never started: the group stays empty).
    plugin = tmp_path / "session-manager-plugin"
    plugin.write_text("#!/bin/sh\nexit 1\n")
    plugin.chmod(0o755)
    result = run_playbook(local_aws, "site.yml", "-e", f"deployment_summary_dir={summary_dir}",
                          "-e", "marquez_instance_configured_by=inventory",
                          extra_env={"AWS_SESSION_MANAGER_PLUGIN": str(plugin)})
    assert result.rc != 0, result
    # The SSM connection's transfer bucket was created before the check; the teardown below removes it.
    assert transfer_bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}, result
    assert "marquez_instance_configured_by" in result.output, result
    assert "Check that the Marquez instance is in group marquez" in result.output, result
    assert "PLAY [MWAA environment with OpenLineage to Marquez]" not in result.output


def test_teardown_removes_everything(local_aws, deployed, summary_dir):
    before = _leftovers(local_aws)
    assert {"instances", "volumes", "mwaa_environments", "log_groups"} <= before.keys(), (
        "the leftover check cannot see the Marquez host, its volume, the MWAA environment or its log groups", before)
    result = run_playbook(local_aws, "playbooks/teardown.yml", "-e", f"deployment_summary_dir={summary_dir}")
    assert result.rc == 0, result
    assert _leftovers(local_aws) == {}
    assert not (summary_dir / f"{PROJECT}-{ENV}.json").exists()


def test_teardown_again_is_a_no_op(local_aws, deployed, summary_dir):
    run_without_writes(local_aws, "playbooks/teardown.yml", "-e", f"deployment_summary_dir={summary_dir}")
