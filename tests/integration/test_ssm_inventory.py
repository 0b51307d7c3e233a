"""inventories/{dev,prod}/aws_ec2.yml against the emulator: the running standard Marquez host of the
inventory's project and environment joins group marquez, named by instance id, with the aws_ssm
connection, its region and the transfer bucket that roles/ssm_transfer_bucket creates; other instances
do not."""

import json
import os
import subprocess

import pytest
import yaml

from playbook_runner import BIN, ROOT, run_playbook

PROJECT = "lineage"
PLAYBOOK = str(ROOT / "tests" / "integration" / "ssm_inventory" / "transfer_bucket.yml")


def _inventory_settings(env):
    return yaml.safe_load((ROOT / "inventories" / env / "group_vars" / "all.yml").read_text())


def _ami(ec2):
    return ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]


def _launch(ec2, ami, tags):
    return ec2.run_instances(
        ImageId=ami, InstanceType="t3.medium", MinCount=1, MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}],
    )["Instances"][0]["InstanceId"]


def _plain(value):
    """ansible-inventory marks values that came from AWS as unsafe: {"__ansible_unsafe": value}."""
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if value.keys() == {"__ansible_unsafe"} else {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _ansible_inventory(local_aws, env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(
        # boto3 honours AWS_ENDPOINT_URL: the inventory file stays the one shipped for AWS.
        AWS_ENDPOINT_URL=local_aws.endpoint_url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
    )
    proc = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", f"inventories/{env}/aws_ec2.yml", "--list"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return _plain(json.loads(proc.stdout))


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_marquez_host_is_reached_over_ssm_through_the_transfer_bucket(local_aws, tmp_path, env):
    local_aws.reset()
    settings = _inventory_settings(env)
    assert settings["project_name"] == PROJECT and settings["env_name"] == env
    region = settings["aws_region"]
    ec2 = local_aws.client("ec2", region)
    ami = _ami(ec2)
    marquez_tags = {"Project": PROJECT, "Environment": env, "ManagedBy": "dataplatform.mwaa_lineage",
                    "Name": f"{PROJECT}-{env}-marquez", "Role": "marquez"}
    host = _launch(ec2, ami, marquez_tags)
    others = {
        "other_environment": _launch(ec2, ami, {**marquez_tags, "Environment": "staging"}),
        "other_project": _launch(ec2, ami, {**marquez_tags, "Project": "billing"}),
        "other_role": _launch(ec2, ami, {**marquez_tags, "Role": "bastion"}),
        "stopped": _launch(ec2, ami, marquez_tags),
    }
    ec2.stop_instances(InstanceIds=[others["stopped"]])
    # HA instances carry the same tags (and aws:autoscaling:groupName) but configure themselves at boot.
    template = ec2.create_launch_template(LaunchTemplateName=f"{PROJECT}-{env}-marquez", LaunchTemplateData={
        "ImageId": ami, "InstanceType": "t3.medium"})["LaunchTemplate"]["LaunchTemplateId"]
    autoscaling = local_aws.client("autoscaling", region)
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=f"{PROJECT}-{env}-marquez", MinSize=1, MaxSize=1, DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "1"}, AvailabilityZones=[f"{region}a"],
        Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in marquez_tags.items()])
    others["auto_scaling"] = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
    scaled = ec2.describe_instances(InstanceIds=[others["auto_scaling"]])["Reservations"][0]["Instances"][0]
    scaled_tags = {t["Key"]: t["Value"] for t in scaled["Tags"]}
    assert scaled["State"]["Name"] == "running" and scaled_tags["Role"] == "marquez", scaled
    assert "aws:autoscaling:groupName" in scaled_tags, scaled_tags
    # The same tags in another region than the inventory's.
    elsewhere = local_aws.client("ec2", "eu-west-1")
    others["other_region"] = _launch(elsewhere, _ami(elsewhere), marquez_tags)

    inventory = _ansible_inventory(local_aws, env)

    assert inventory["marquez"]["hosts"] == [host], (others, inventory)
    hostvars = inventory["_meta"]["hostvars"][host]
    assert hostvars["ansible_connection"] == "amazon.aws.aws_ssm"
    assert hostvars["ansible_aws_ssm_region"] == region
    # The bucket the role creates for the same project and environment.
    outputs_file = tmp_path / "outputs.json"
    result = run_playbook(local_aws, PLAYBOOK, "-e", f"env_name={env}", "-e", f"outputs_file={outputs_file}")
    assert result.rc == 0, result
    bucket = json.loads(outputs_file.read_text())["name"]
    assert hostvars["ansible_aws_ssm_bucket_name"] == bucket
    assert bucket in {b["Name"] for b in local_aws.client("s3").list_buckets()["Buckets"]}
