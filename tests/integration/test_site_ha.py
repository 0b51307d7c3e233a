"""site.yml with deployment_mode=ha end to end against the local emulator.

On one private emulator, in file order: deploy with -vvv, a converged re-run with -vvv (changed=0,
no write call), the emulator's own view of what was built (RDS, ALB, Auto Scaling Group, launch
template, MWAA wired to the ALB), teardown and a second teardown that writes nothing. The
generated database password is read back from Secrets Manager and must appear in no output.
Both deployments wait for the lineage heartbeat: a real Airflow 3 runs behind the MWAA environment (the
MWAA stand-in, tests/integration/airflow/mwaa_stand_in.py), and the internal ALB's address leads to the
Marquez double.
"""

import base64
import json
import sys
from pathlib import Path

import pytest

from leftovers import leftovers
from playbook_runner import run_playbook, run_without_writes

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("doubles", "integration/airflow")]

from mwaa_stand_in import stand_in_with_marquez_double  # noqa: E402

PROJECT, ENV = "lineage", "local"
PREFIX = f"{PROJECT}-{ENV}"
# inventories/local turns the wait off (make demo has no Airflow); here the stand-in runs the DAG.
HA = ("-e", "deployment_mode=ha", "-e", "lineage_heartbeat_wait=true", "-e", "lineage_heartbeat_poll_interval=2",
      "-e", "lineage_heartbeat_timeout=240")


@pytest.fixture(scope="module")
def summary_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("outputs-ha")


@pytest.fixture(scope="module")
def stand_in(local_aws, tmp_path_factory):
    local_aws.reset()
    with stand_in_with_marquez_double(local_aws, tmp_path_factory.mktemp("mwaa-stand-in-ha")) as running:
        yield running


@pytest.fixture(scope="module")
def deployed(local_aws, stand_in, summary_dir):
    result = run_playbook(local_aws, "site.yml", *HA, "-vvv", "-e", f"deployment_summary_dir={summary_dir}")
    assert result.rc == 0, result
    return result


@pytest.fixture(scope="module")
def summary(deployed, summary_dir):
    return json.loads((summary_dir / f"{PREFIX}.json").read_text())


@pytest.fixture(scope="module")
def db_secret(local_aws, deployed):
    value = local_aws.client("secretsmanager").get_secret_value(SecretId=f"{PREFIX}/marquez/db")["SecretString"]
    secret = json.loads(value)
    assert len(secret["password"]) >= 16
    return secret


def test_first_run_creates_and_never_prints_the_password(deployed, db_secret):
    assert deployed.total("changed") > 0
    # -vvv really was verbose: module arguments and results are in the output.
    assert "<127.0.0.1> EXEC" in deployed.output or "ESTABLISH LOCAL CONNECTION" in deployed.output
    assert db_secret["password"] not in deployed.output


def test_second_run_changes_nothing_writes_nothing_and_hides_the_password(local_aws, deployed, db_secret, summary_dir):
    result = run_without_writes(local_aws, "site.yml", *HA, "-vvv", "-e", f"deployment_summary_dir={summary_dir}")
    assert db_secret["password"] not in result.output
    # The password was set once, at create time.
    assert [c for c in local_aws.calls(service="rds") if c["operation"].startswith("Modify")] == []


def test_database_is_multi_az_encrypted_and_forces_ssl(local_aws, summary, db_secret):
    rds = local_aws.client("rds")
    db = rds.describe_db_instances(DBInstanceIdentifier=summary["marquez_db"]["instance_id"])["DBInstances"][0]
    assert db["MultiAZ"] is True and db["StorageEncrypted"] is True and db["PubliclyAccessible"] is False
    assert db["StorageType"] == "gp3" and db["AllocatedStorage"] == 20 and db["MaxAllocatedStorage"] == 100
    assert db["BackupRetentionPeriod"] == 7
    assert db["Engine"] == "postgres"
    assert db["Endpoint"]["Address"] == summary["marquez_db"]["endpoint"] == db_secret["host"]
    group = db["DBParameterGroups"][0]["DBParameterGroupName"]
    params = rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    assert {p["ParameterName"]: p.get("ParameterValue") for p in params}["rds.force_ssl"] == "1"
    subnets = {s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]}
    assert subnets == set(summary["network"]["private_subnet_ids"])
    # PostgreSQL is reachable from the Marquez instances' security group only.
    ec2 = local_aws.client("ec2")
    sg_ids = [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]]
    rules = ec2.describe_security_groups(GroupIds=sg_ids)["SecurityGroups"][0]["IpPermissions"]
    assert [(r["FromPort"], r["ToPort"]) for r in rules] == [(5432, 5432)]
    assert rules[0]["IpRanges"] == []
    assert [p["GroupId"] for p in rules[0]["UserIdGroupPairs"]] == [summary["network"]["security_group_ids"]["marquez"]]


def test_load_balancer_is_internal_with_health_checked_target_groups(local_aws, summary):
    elbv2 = local_aws.client("elbv2")
    alb = elbv2.describe_load_balancers(LoadBalancerArns=[summary["marquez_alb"]["arn"]])["LoadBalancers"][0]
    assert alb["Scheme"] == "internal"
    assert sorted(z["SubnetId"] for z in alb["AvailabilityZones"]) == sorted(summary["network"]["private_subnet_ids"])
    assert alb["SecurityGroups"] == [summary["network"]["security_group_ids"]["alb"]]
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    forwards = {lst["Port"]: lst["DefaultActions"][0]["TargetGroupArn"] for lst in listeners}
    tgs = summary["marquez_alb"]["target_group_arns"]
    assert forwards == {5000: tgs["api"], 3000: tgs["web"]}
    health = {g["TargetGroupArn"]: g for g in elbv2.describe_target_groups(TargetGroupArns=list(tgs.values()))["TargetGroups"]}
    assert health[tgs["api"]]["HealthCheckPath"] == "/api/v1/namespaces"
    assert health[tgs["web"]]["HealthCheckPath"] == "/"
    for group in health.values():
        assert (group["HealthCheckIntervalSeconds"], group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) \
            == (30, 2, 3)
    # Nothing on the internet can reach the load balancer.
    ec2 = local_aws.client("ec2")
    for rule in ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"][0]["IpPermissions"]:
        assert {r["CidrIp"] for r in rule["IpRanges"]} <= {"10.0.0.0/16"}, rule


def test_auto_scaling_group_spans_both_subnets_behind_the_alb(local_aws, summary, db_secret):
    autoscaling = local_aws.client("autoscaling")
    asg = autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[summary["marquez_asg"]["asg_name"]])["AutoScalingGroups"][0]
    assert (asg["MinSize"], asg["MaxSize"], asg["DesiredCapacity"]) == (2, 4, 2)
    assert asg["HealthCheckType"] == "ELB"
    assert sorted(asg["VPCZoneIdentifier"].split(",")) == sorted(summary["network"]["private_subnet_ids"])
    assert sorted(asg["TargetGroupARNs"]) == sorted(summary["marquez_alb"]["target_group_arns"].values())
    policies = autoscaling.describe_policies(AutoScalingGroupName=asg["AutoScalingGroupName"])["ScalingPolicies"]
    tracking = [p["TargetTrackingConfiguration"] for p in policies if p["PolicyType"] == "TargetTrackingScaling"]
    assert len(tracking) == 1 and tracking[0]["TargetValue"] == 70.0
    assert tracking[0]["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    ec2 = local_aws.client("ec2")
    version = ec2.describe_launch_template_versions(
        LaunchTemplateId=summary["marquez_asg"]["launch_template_id"],
        Versions=[str(summary["marquez_asg"]["launch_template_version"])])["LaunchTemplateVersions"][0]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert all(m["Ebs"]["Encrypted"] for m in data["BlockDeviceMappings"])
    assert data["IamInstanceProfile"]["Arn"] == summary["iam"]["marquez_instance_profile_arn"]
    user_data = base64.b64decode(data["UserData"]).decode()
    assert db_secret["password"] not in user_data
    assert summary["marquez_db"]["endpoint"] in user_data


def test_mwaa_sends_lineage_to_the_load_balancer(local_aws, summary):
    environment = local_aws.client("mwaa").get_environment(Name=summary["mwaa"]["name"])["Environment"]
    transport = json.loads(environment["AirflowConfigurationOptions"]["openlineage.transport"])
    dns = summary["marquez_alb"]["dns_name"]
    assert transport["url"] == f"http://{dns}:5000" == summary["marquez"]["api_url"]


def test_lineage_heartbeat_confirmed_through_the_load_balancer(stand_in, summary):
    assert summary["lineage_heartbeat"] == {
        "status": "confirmed", "reason": "", "metric": "MWAALineage/LineageHeartbeat",
        "environments": {PREFIX: {"status": "confirmed"}},
    }
    # The DAG posted to the ALB's address, the transport URL MWAA was configured with.
    assert f"POST http://{summary['marquez_alb']['dns_name']}:5000/api/v1/lineage" in stand_in.route.routed


def test_summary_has_the_endpoints_but_not_the_password(summary, db_secret):
    marquez = summary["marquez"]
    assert marquez["deployment_mode"] == "ha"
    assert marquez["alb_dns_name"] == summary["marquez_alb"]["dns_name"]
    assert marquez["web_url"] == f"http://{marquez['alb_dns_name']}:3000"
    assert marquez["db_endpoint"] == db_secret["host"]
    assert marquez["db_secret_arn"].startswith("arn:aws:secretsmanager:")
    assert db_secret["password"] not in json.dumps(summary)


def test_teardown_removes_everything(local_aws, deployed, summary_dir):
    before = leftovers(local_aws)
    assert {"db_instances", "load_balancers", "target_groups", "auto_scaling_groups", "launch_templates",
            "secrets", "db_parameter_groups", "db_subnet_groups"} <= before.keys(), before
    result = run_playbook(local_aws, "playbooks/teardown.yml", "-e", f"deployment_summary_dir={summary_dir}")
    assert result.rc == 0, result
    assert leftovers(local_aws) == {}


def test_teardown_again_is_a_no_op(local_aws, deployed, summary_dir):
    run_without_writes(local_aws, "playbooks/teardown.yml", "-e", f"deployment_summary_dir={summary_dir}")
