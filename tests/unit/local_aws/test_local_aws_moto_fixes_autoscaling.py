"""moto fixes for the marquez_asg role: launch template tags and instance refreshes behave like AWS."""

import pytest
from botocore.exceptions import ClientError


def _subnets(ec2, cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"), AvailabilityZone="us-east-1a")[
        "Subnet"]["SubnetId"]


def test_launch_template_tags_are_not_launch_data(aws):
    ec2 = aws.client("ec2")
    data = {"InstanceType": "t3.medium",
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "i"}]}]}
    template = ec2.create_launch_template(
        LaunchTemplateName="fixes-lt-tags", LaunchTemplateData=data,
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Project", "Value": "p"}]}],
    )["LaunchTemplate"]
    version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])[
        "LaunchTemplateVersions"][0]
    # The data is what was sent; the template itself carries the tag.
    assert version["LaunchTemplateData"] == data
    described = ec2.describe_launch_templates(LaunchTemplateIds=[template["LaunchTemplateId"]])["LaunchTemplates"][0]
    assert {"Key": "Project", "Value": "p"} in described["Tags"]


def test_launch_template_tags_without_data_tags(aws):
    ec2 = aws.client("ec2")
    template = ec2.create_launch_template(
        LaunchTemplateName="fixes-lt-tags-only", LaunchTemplateData={"InstanceType": "t3.small"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "Project", "Value": "p"}]}],
    )["LaunchTemplate"]
    version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])[
        "LaunchTemplateVersions"][0]
    assert version["LaunchTemplateData"] == {"InstanceType": "t3.small"}


def test_instance_refresh_start_describe_cancel(aws):
    ec2, autoscaling = aws.client("ec2"), aws.client("autoscaling")
    subnet = _subnets(ec2, "10.78.0.0/16")
    template = ec2.create_launch_template(LaunchTemplateName="fixes-refresh", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})["LaunchTemplate"]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="fixes-refresh", MinSize=0, MaxSize=1, DesiredCapacity=0, VPCZoneIdentifier=subnet,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "1"})
    assert autoscaling.describe_instance_refreshes(AutoScalingGroupName="fixes-refresh")["InstanceRefreshes"] == []

    first = autoscaling.start_instance_refresh(
        AutoScalingGroupName="fixes-refresh", Strategy="Rolling",
        Preferences={"MinHealthyPercentage": 50, "SkipMatching": True})["InstanceRefreshId"]
    second = autoscaling.start_instance_refresh(AutoScalingGroupName="fixes-refresh")["InstanceRefreshId"]
    refreshes = autoscaling.describe_instance_refreshes(AutoScalingGroupName="fixes-refresh")["InstanceRefreshes"]
    assert [r["InstanceRefreshId"] for r in refreshes] == [second, first]
    assert refreshes[1]["Preferences"]["MinHealthyPercentage"] == 50
    assert refreshes[1]["Preferences"]["SkipMatching"] is True
    assert refreshes[0]["Preferences"]["MinHealthyPercentage"] == 90
    assert {r["Status"] for r in refreshes} == {"Successful"}
    only_first = autoscaling.describe_instance_refreshes(AutoScalingGroupName="fixes-refresh",
                                                         InstanceRefreshIds=[first])["InstanceRefreshes"]
    assert [r["InstanceRefreshId"] for r in only_first] == [first]

    # Nothing is in progress in the emulator, so there is nothing to cancel.
    with pytest.raises(ClientError) as err:
        autoscaling.cancel_instance_refresh(AutoScalingGroupName="fixes-refresh")
    assert err.value.response["Error"]["Code"] == "ValidationError"


def test_instance_refresh_of_unknown_group_fails(aws):
    with pytest.raises(ClientError) as err:
        aws.client("autoscaling").start_instance_refresh(AutoScalingGroupName="fixes-no-such-group")
    assert err.value.response["Error"]["Code"] == "ValidationError"


def test_delete_launch_template_versions(aws):
    ec2 = aws.client("ec2")
    template_id = ec2.create_launch_template(LaunchTemplateName="fixes-lt-versions", LaunchTemplateData={
        "InstanceType": "t3.micro"})["LaunchTemplate"]["LaunchTemplateId"]
    for size in ("t3.small", "t3.medium"):
        ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": size})
    answer = ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=["2", "1", "9"])
    assert [v["VersionNumber"] for v in answer["SuccessfullyDeletedLaunchTemplateVersions"]] == [2]
    failed = {v["VersionNumber"]: v["ResponseError"]["Code"] for v in answer["UnsuccessfullyDeletedLaunchTemplateVersions"]}
    assert failed == {1: "launchTemplateVersionIsDefault", 9: "launchTemplateVersionDoesNotExist"}
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=template_id)["LaunchTemplateVersions"]
    assert sorted(v["VersionNumber"] for v in versions) == [1, 3]
    # Lookups go by number, and numbers are never reused.
    three = ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=["3"])["LaunchTemplateVersions"]
    assert three[0]["LaunchTemplateData"] == {"InstanceType": "t3.medium"}
    ec2.delete_launch_template_versions(LaunchTemplateId=template_id, Versions=["3"])
    new = ec2.create_launch_template_version(LaunchTemplateId=template_id, LaunchTemplateData={"InstanceType": "t3.large"})
    assert new["LaunchTemplateVersion"]["VersionNumber"] == 4
    ec2.delete_launch_template(LaunchTemplateId=template_id)


def test_recreated_group_has_no_refresh_history(aws):
    ec2, autoscaling = aws.client("ec2"), aws.client("autoscaling")
    subnet = _subnets(ec2, "10.79.0.0/16")
    template = ec2.create_launch_template(LaunchTemplateName="fixes-refresh-again", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})["LaunchTemplate"]
    group = dict(AutoScalingGroupName="fixes-refresh-again", MinSize=0, MaxSize=1, DesiredCapacity=0,
                 VPCZoneIdentifier=subnet, LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"]})
    autoscaling.create_auto_scaling_group(**group)
    autoscaling.start_instance_refresh(AutoScalingGroupName="fixes-refresh-again")
    autoscaling.delete_auto_scaling_group(AutoScalingGroupName="fixes-refresh-again", ForceDelete=True)
    autoscaling.create_auto_scaling_group(**group)
    assert autoscaling.describe_instance_refreshes(AutoScalingGroupName="fixes-refresh-again")["InstanceRefreshes"] == []
