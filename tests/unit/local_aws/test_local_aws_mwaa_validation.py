"""Every MWAA validation rule: one failing request each, with the error code and the field named.

The client skips botocore's own validation (parameter_validation=False) so these prove what
the emulator itself rejects, as the real service would for any SDK.
"""

import copy
import json
import time

import pytest
from botocore.exceptions import ClientError


def _expect(call, code, *needles, status=400):
    with pytest.raises(ClientError) as excinfo:
        call()
    error = excinfo.value.response["Error"]
    assert error["Code"] == code, error
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    for needle in needles:
        assert needle.lower() in error["Message"].lower(), error["Message"]
    return error["Message"]


def _request(prereq, **changes):
    params = {"Name": "val-env", **copy.deepcopy(prereq)}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params


def _network(prereq, subnets=None, groups=None):
    net = copy.deepcopy(prereq["NetworkConfiguration"])
    if subnets is not None:
        net["SubnetIds"] = subnets
    if groups is not None:
        net["SecurityGroupIds"] = groups
    return net


@pytest.mark.parametrize("field", ["ExecutionRoleArn", "SourceBucketArn", "DagS3Path", "NetworkConfiguration"])
def test_required_create_fields(raw_mwaa, prereq, field):
    message = _expect(lambda: raw_mwaa.create_environment(**_request(prereq, **{field: None})),
                      "ValidationException", field, "must not be null")
    assert message.startswith("1 validation error detected: Value null at")


# (description, changes to a valid request, expected code, words the message must contain)
CREATE_CASES = [
    ("name pattern", {"Name": "1-starts-with-digit"}, "ValidationException", ["'name'", "regular expression"]),
    ("name characters", {"Name": "bad.name"}, "ValidationException", ["'name'", "regular expression"]),
    ("name length", {"Name": "n" * 81}, "ValidationException", ["'name'", "less than or equal to 80"]),
    ("environment class", {"EnvironmentClass": "mw1.huge"}, "ValidationException", ["EnvironmentClass", "mw1.micro"]),
    ("access mode enum", {"WebserverAccessMode": "OPEN"}, "ValidationException",
     ["webserverAccessMode", "enum value set"]),
    ("endpoint management enum", {"EndpointManagement": "BOTH"}, "ValidationException",
     ["endpointManagement", "enum value set"]),
    ("log level enum", {"LoggingConfiguration": {"TaskLogs": {"Enabled": True, "LogLevel": "TRACE"}}},
     "ValidationException", ["loggingConfiguration.taskLogs.logLevel", "enum value set"]),
    ("log module needs Enabled", {"LoggingConfiguration": {"WorkerLogs": {"LogLevel": "INFO"}}},
     "ValidationException", ["loggingConfiguration.workerLogs.enabled", "must not be null"]),
    ("unsupported airflow version", {"AirflowVersion": "2.6.3"}, "ValidationException",
     ["AirflowVersion", "2.6.3", "3.0.6"]),
    ("airflow version pattern", {"AirflowVersion": "v2!"}, "ValidationException", ["airflowVersion", "regular expression"]),
    ("one subnet", "subnets:1", "ValidationException", ["networkConfiguration.subnetIds", "greater than or equal to 2"]),
    ("three subnets", "subnets:3", "ValidationException", ["networkConfiguration.subnetIds", "less than or equal to 2"]),
    ("no security group", "groups:0", "ValidationException",
     ["networkConfiguration.securityGroupIds", "greater than or equal to 1"]),
    ("six security groups", "groups:6", "ValidationException",
     ["networkConfiguration.securityGroupIds", "less than or equal to 5"]),
    ("subnet id pattern", "subnet-pattern", "ValidationException", ["networkConfiguration.subnetIds.1.member", "subnet-"]),
    ("security group id pattern", "group-pattern", "ValidationException",
     ["networkConfiguration.securityGroupIds.1.member", "sg-"]),
    ("config key pattern", {"AirflowConfigurationOptions": {"Core.Parallelism": "4"}}, "ValidationException",
     ["airflowConfigurationOptions", "Map keys", "regular expression"]),
    ("config key length", {"AirflowConfigurationOptions": {"core." + "x" * 60: "4"}}, "ValidationException",
     ["airflowConfigurationOptions", "Map keys", "less than or equal to 64"]),
    ("config value empty", {"AirflowConfigurationOptions": {"core.parallelism": ""}}, "ValidationException",
     ["airflowConfigurationOptions", "Map value", "greater than or equal to 1"]),
    ("config value not a string", {"AirflowConfigurationOptions": {"core.parallelism": 4}}, "SerializationException",
     ["airflowConfigurationOptions", "string"]),
    ("role arn format", {"ExecutionRoleArn": "my-role"}, "ValidationException", ["executionRoleArn", "regular expression"]),
    ("bucket arn format", {"SourceBucketArn": "s3://my-bucket"}, "ValidationException",
     ["sourceBucketArn", "regular expression"]),
    ("kms key format", {"KmsKey": "not-a-key"}, "ValidationException", ["kmsKey", "regular expression"]),
    ("max workers minimum", {"MaxWorkers": 0}, "ValidationException", ["maxWorkers", "greater than or equal to 1"]),
    ("max workers limit", {"MaxWorkers": 26}, "ValidationException", ["MaxWorkers", "25"]),
    ("min above max workers", {"MinWorkers": 5, "MaxWorkers": 2}, "ValidationException", ["MinWorkers", "MaxWorkers"]),
    ("schedulers maximum", {"Schedulers": 6}, "ValidationException", ["schedulers", "less than or equal to 5"]),
    ("one scheduler on small", {"Schedulers": 1}, "ValidationException", ["Schedulers", "between 2 and 5"]),
    ("micro schedulers", {"EnvironmentClass": "mw1.micro", "Schedulers": 2}, "ValidationException",
     ["Schedulers", "mw1.micro"]),
    ("micro workers", {"EnvironmentClass": "mw1.micro", "MaxWorkers": 3}, "ValidationException",
     ["mw1.micro", "MaxWorkers"]),
    ("one webserver on small", {"MinWebservers": 1}, "ValidationException", ["MinWebservers", "between 2 and 5"]),
    ("min above max webservers", {"MinWebservers": 4, "MaxWebservers": 3}, "ValidationException",
     ["MinWebservers", "MaxWebservers"]),
    ("maintenance window half hours", {"WeeklyMaintenanceWindowStart": "TUE:03:15"}, "ValidationException",
     ["weeklyMaintenanceWindowStart", "regular expression"]),
    ("maintenance window day", {"WeeklyMaintenanceWindowStart": "XYZ:03:00"}, "ValidationException",
     ["weeklyMaintenanceWindowStart", "regular expression"]),
    ("reserved tag prefix", {"Tags": {"aws:owner": "me"}}, "ValidationException", ["tags", "aws:"]),
    ("tag value length", {"Tags": {"Owner": "x" * 257}}, "ValidationException",
     ["tags", "Map value", "less than or equal to 256"]),
    ("public and private on 3.0", {"WebserverAccessMode": "PUBLIC_AND_PRIVATE"}, "ValidationException",
     ["WebserverAccessMode", "3.2"]),
    ("teams need identity center", {"Teams": {"data": {"SourceBucketArn": "arn:aws:s3:::b", "DagS3Path": "d"}}},
     "ValidationException", ["Teams", "IdentityCenterConfiguration"]),
    ("max workers wrong type", {"MaxWorkers": "ten"}, "SerializationException", ["maxWorkers", "integer"]),
]


@pytest.mark.parametrize("changes,code,needles", [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_rejects(raw_mwaa, prereq, changes, code, needles):
    subnets = prereq["NetworkConfiguration"]["SubnetIds"]
    group = prereq["NetworkConfiguration"]["SecurityGroupIds"][0]
    special = {
        "subnets:1": _network(prereq, subnets=subnets[:1]),
        "subnets:3": _network(prereq, subnets=subnets + ["subnet-0abc"]),
        "groups:0": _network(prereq, groups=[]),
        "groups:6": _network(prereq, groups=[group] * 6),
        "subnet-pattern": _network(prereq, subnets=["sub-123", subnets[1]]),
        "group-pattern": _network(prereq, groups=["group-1"]),
    }
    if isinstance(changes, str):
        changes = {"NetworkConfiguration": special[changes]}
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, **changes)), code, *needles)
    assert "val-env" not in raw_mwaa.list_environments()["Environments"]


def test_several_errors_are_reported_together(raw_mwaa, prereq):
    message = _expect(
        lambda: raw_mwaa.create_environment(**_request(prereq, DagS3Path=None, WebserverAccessMode="OPEN")),
        "ValidationException", "dagS3Path", "webserverAccessMode")
    assert message.startswith("2 validation errors detected:")


def test_sensitive_values_are_not_echoed(raw_mwaa, prereq):
    message = _expect(
        lambda: raw_mwaa.create_environment(
            **_request(prereq, AirflowConfigurationOptions={"Bad.Key": "hunter2-secret"})),
        "ValidationException", "airflowConfigurationOptions")
    assert "hunter2-secret" not in message
    assert "Sensitive Data Redacted" in message


# ------------------------------------------------------------ references to other resources
def test_role_must_exist(raw_mwaa, prereq):
    _expect(lambda: raw_mwaa.create_environment(
        **_request(prereq, ExecutionRoleArn="arn:aws:iam::123456789012:role/nope")),
        "ValidationException", "arn:aws:iam::123456789012:role/nope", "airflow-env.amazonaws.com")


def test_role_must_trust_mwaa(aws, raw_mwaa, prereq):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = aws.client("iam").create_role(RoleName="val-ec2-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, ExecutionRoleArn=arn)),
            "ValidationException", "Failed to assume role", "airflow-env.amazonaws.com")


def test_bucket_must_exist(raw_mwaa, prereq):
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, SourceBucketArn="arn:aws:s3:::val-missing")),
            "ValidationException", "val-missing")


def test_bucket_must_block_public_access(aws, raw_mwaa, prereq):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="val-public")
    s3.put_bucket_versioning(Bucket="val-public", VersioningConfiguration={"Status": "Enabled"})
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, SourceBucketArn="arn:aws:s3:::val-public")),
            "ValidationException", "BlockPublicAccess", "val-public")


def test_bucket_must_be_versioned(aws, raw_mwaa, prereq):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="val-unversioned")
    s3.put_public_access_block(Bucket="val-unversioned", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, SourceBucketArn="arn:aws:s3:::val-unversioned")),
            "ValidationException", "versioning", "val-unversioned")


def test_subnets_must_exist(raw_mwaa, prereq):
    subnets = prereq["NetworkConfiguration"]["SubnetIds"]
    _expect(lambda: raw_mwaa.create_environment(
        **_request(prereq, NetworkConfiguration=_network(prereq, subnets=[subnets[0], "subnet-0123456789abcdef0"]))),
        "ValidationException", "SubnetIds", "subnet-0123456789abcdef0")


def test_subnets_must_be_in_two_azs(aws, raw_mwaa, prereq):
    ec2 = aws.client("ec2")
    first = ec2.describe_subnets(SubnetIds=prereq["NetworkConfiguration"]["SubnetIds"][:1])["Subnets"][0]
    same_az = ec2.create_subnet(VpcId=first["VpcId"], CidrBlock="10.42.9.0/24",
                                AvailabilityZone=first["AvailabilityZone"])["Subnet"]["SubnetId"]
    _expect(lambda: raw_mwaa.create_environment(
        **_request(prereq, NetworkConfiguration=_network(prereq, subnets=[first["SubnetId"], same_az]))),
        "ValidationException", "SubnetIds", "different Availability Zones")


def test_subnets_must_share_a_vpc(aws, raw_mwaa, prereq):
    ec2 = aws.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.77.2.0/24", AvailabilityZone="us-east-1b")
    subnets = [prereq["NetworkConfiguration"]["SubnetIds"][0], other["Subnet"]["SubnetId"]]
    _expect(lambda: raw_mwaa.create_environment(
        **_request(prereq, NetworkConfiguration=_network(prereq, subnets=subnets))),
        "ValidationException", "SubnetIds", "same VPC")


def test_security_group_must_exist(raw_mwaa, prereq):
    _expect(lambda: raw_mwaa.create_environment(
        **_request(prereq, NetworkConfiguration=_network(prereq, groups=["sg-0123456789abcdef0"]))),
        "ValidationException", "SecurityGroupIds", "sg-0123456789abcdef0")


def test_security_group_must_be_in_the_vpc(aws, raw_mwaa, prereq):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="val-foreign", Description="x", VpcId=vpc)["GroupId"]
    _expect(lambda: raw_mwaa.create_environment(
        **_request(prereq, NetworkConfiguration=_network(prereq, groups=[foreign]))),
        "ValidationException", "SecurityGroupIds", foreign)


ASSUME_FAILED = (
    "Failed to assume role {arn}. This could be due to the role's trust policy. Please ensure your role is "
    "assumable by 'airflow-env.amazonaws.com' Service Principal and try again."
)


def _mwaa_role(aws, name):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "airflow-env.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    return aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]


def test_a_new_role_is_refused_until_iam_has_propagated(aws, raw_mwaa, prereq):
    aws.mwaa_settings(iam_propagation_delay=2.0)
    try:
        role = _mwaa_role(aws, "val-fresh-role")
        created_by = time.monotonic()  # the role exists from before this moment on
        message = _expect(lambda: raw_mwaa.create_environment(
            **_request(prereq, Name="val-fresh", ExecutionRoleArn=role["Arn"])), "ValidationException")
        assert message == ASSUME_FAILED.format(arn=role["Arn"])
        assert "val-fresh" not in raw_mwaa.list_environments()["Environments"]
        # Once the role is older than the delay (moto's CreateDate), the same request works.
        time.sleep(max(0.0, created_by + 2.1 - time.monotonic()))
        raw_mwaa.create_environment(**_request(prereq, Name="val-fresh", ExecutionRoleArn=role["Arn"]))
    finally:
        aws.mwaa_settings(iam_propagation_delay=0.0)
    assert "val-fresh" in raw_mwaa.list_environments()["Environments"]


def test_iam_propagation_is_a_reference_check(aws, raw_mwaa, prereq):
    aws.mwaa_settings(iam_propagation_delay=60.0, reference_checks=False)
    try:
        role = _mwaa_role(aws, "val-fresh-unchecked")
        raw_mwaa.create_environment(**_request(prereq, Name="val-fresh-unchecked", ExecutionRoleArn=role["Arn"]))
    finally:
        aws.mwaa_settings(iam_propagation_delay=0.0, reference_checks=True)
    assert "val-fresh-unchecked" in raw_mwaa.list_environments()["Environments"]


def test_kms_key_must_exist(aws, raw_mwaa, prereq):
    missing = "0d6fd7c2-9f0a-4c4f-8f2c-6a3b1d2e3f4a"
    for key in (missing, f"key/{missing}", f"arn:aws:kms:us-east-1:123456789012:key/{missing}",
                "alias/val-missing", "arn:aws:kms:us-east-1:123456789012:alias/val-missing"):
        _expect(lambda k=key: raw_mwaa.create_environment(**_request(prereq, KmsKey=k)),
                "ValidationException", "KmsKey", key, "does not exist")
    assert "val-env" not in raw_mwaa.list_environments()["Environments"]


def test_kms_key_in_another_region_is_refused(aws, raw_mwaa, prereq):
    arn = aws.client("kms", region="eu-west-1").create_key()["KeyMetadata"]["Arn"]
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, KmsKey=arn)),
            "ValidationException", "KmsKey", "eu-west-1", "us-east-1")


def test_kms_key_forms_the_model_allows(aws, raw_mwaa, prereq):
    kms = aws.client("kms")
    meta = kms.create_key(Description="val-key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/val-key", TargetKeyId=meta["KeyId"])
    forms = [meta["KeyId"], f"key/{meta['KeyId']}", meta["Arn"], "alias/val-key",
             "arn:aws:kms:us-east-1:123456789012:alias/val-key"]
    for i, key in enumerate(forms):
        raw_mwaa.create_environment(**_request(prereq, Name=f"val-kms-{i}", KmsKey=key))
        assert raw_mwaa.get_environment(Name=f"val-kms-{i}")["Environment"]["KmsKey"] == key


@pytest.fixture(scope="module")
def dag_files(aws, prereq):
    """Two versions of requirements.txt, one of plugins.zip and startup.sh in the source bucket."""
    s3 = aws.client("s3")
    bucket = prereq["SourceBucketArn"].split(":::")[1]
    put = lambda key, body: s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]  # noqa: E731
    return {
        "bucket": bucket,
        "requirements": [put("val/requirements.txt", b"a\n"), put("val/requirements.txt", b"b\n")],
        "plugins": put("val/plugins.zip", b"PK"),
        "startup": put("val/startup.sh", b"#!/bin/sh\n"),
    }


FILE_CASES = [
    ("requirements path", {"RequirementsS3Path": "val/nope.txt"}, ["RequirementsS3Path", "val/nope.txt"]),
    ("plugins path", {"PluginsS3Path": "val/nope.zip"}, ["PluginsS3Path", "val/nope.zip"]),
    ("startup script path", {"StartupScriptS3Path": "val/nope.sh"}, ["StartupScriptS3Path", "val/nope.sh"]),
    ("requirements version", {"RequirementsS3Path": "val/requirements.txt", "RequirementsS3ObjectVersion": "v1"},
     ["RequirementsS3ObjectVersion", "'v1'", "val/requirements.txt"]),
    ("plugins version", {"PluginsS3Path": "val/plugins.zip", "PluginsS3ObjectVersion": "v1"},
     ["PluginsS3ObjectVersion", "'v1'", "val/plugins.zip"]),
    ("startup script version", {"StartupScriptS3Path": "val/startup.sh", "StartupScriptS3ObjectVersion": "v1"},
     ["StartupScriptS3ObjectVersion", "'v1'", "val/startup.sh"]),
    ("version of another object", {"PluginsS3Path": "val/plugins.zip", "PluginsS3ObjectVersion": "requirements:0"},
     ["PluginsS3ObjectVersion", "val/plugins.zip"]),
]


@pytest.mark.parametrize("changes,needles", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_files_and_versions_must_exist_in_the_bucket(raw_mwaa, prereq, dag_files, changes, needles):
    changes = {k: dag_files["requirements"][0] if v == "requirements:0" else v for k, v in changes.items()}
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, **changes)),
            "ValidationException", *needles, "does not exist", dag_files["bucket"])
    assert "val-env" not in raw_mwaa.list_environments()["Environments"]


def test_existing_files_and_versions_are_accepted_and_updates_are_checked(aws, raw_mwaa, prereq, dag_files, wait):
    old, new = dag_files["requirements"]
    raw_mwaa.create_environment(**_request(
        prereq, Name="val-files", RequirementsS3Path="val/requirements.txt", RequirementsS3ObjectVersion=old,
        PluginsS3Path="val/plugins.zip", PluginsS3ObjectVersion=dag_files["plugins"],
        StartupScriptS3Path="val/startup.sh"))  # a path alone: its latest version
    wait(raw_mwaa, "val-files", {"AVAILABLE"})
    _expect(lambda: raw_mwaa.update_environment(Name="val-files", RequirementsS3ObjectVersion="nope"),
            "ValidationException", "RequirementsS3ObjectVersion", "'nope'", "val/requirements.txt")
    _expect(lambda: raw_mwaa.update_environment(Name="val-files", StartupScriptS3Path="val/gone.sh"),
            "ValidationException", "StartupScriptS3Path", "val/gone.sh")
    assert raw_mwaa.get_environment(Name="val-files")["Environment"]["Status"] == "AVAILABLE"
    raw_mwaa.update_environment(Name="val-files", RequirementsS3ObjectVersion=new)
    wait(raw_mwaa, "val-files", {"AVAILABLE"})
    env = raw_mwaa.get_environment(Name="val-files")["Environment"]
    assert env["RequirementsS3ObjectVersion"] == new
    # A deleted object (its latest version is a delete marker) is gone for a path given alone.
    aws.client("s3").delete_object(Bucket=dag_files["bucket"], Key="val/startup.sh")
    _expect(lambda: raw_mwaa.update_environment(Name="val-files", StartupScriptS3Path="val/startup.sh"),
            "ValidationException", "StartupScriptS3Path", "val/startup.sh", "does not exist")


def test_reference_checks_can_be_switched_off(aws, raw_mwaa, prereq):
    aws.mwaa_settings(reference_checks=False)
    try:
        raw_mwaa.create_environment(**_request(prereq, Name="val-unchecked",
                                               ExecutionRoleArn="arn:aws:iam::123456789012:role/ghost"))
    finally:
        aws.mwaa_settings(reference_checks=True)
    assert "val-unchecked" in raw_mwaa.list_environments()["Environments"]


# ------------------------------------------------------------ other operations
def test_duplicate_name(raw_mwaa, prereq):
    raw_mwaa.create_environment(**_request(prereq, Name="val-dup"))
    _expect(lambda: raw_mwaa.create_environment(**_request(prereq, Name="val-dup")),
            "ValidationException", "val-dup", "already exists")


def test_update_rules(raw_mwaa, prereq, wait):
    raw_mwaa.create_environment(**_request(prereq, Name="val-upd", AirflowVersion="2.10.3"))
    _expect(lambda: raw_mwaa.update_environment(Name="val-upd", MaxWorkers=3),
            "ValidationException", "val-upd", "CREATING")
    wait(raw_mwaa, "val-upd", {"AVAILABLE"})
    _expect(lambda: raw_mwaa.update_environment(Name="val-upd", AirflowVersion="3.0.6"),
            "ValidationException", "AirflowVersion", "2.10.3", "2.11.x")
    _expect(lambda: raw_mwaa.update_environment(Name="val-upd", NetworkConfiguration={"SecurityGroupIds": []}),
            "ValidationException", "networkConfiguration.securityGroupIds")
    _expect(lambda: raw_mwaa.update_environment(Name="val-upd", NetworkConfiguration={}),
            "ValidationException", "networkConfiguration.securityGroupIds", "must not be null")
    _expect(lambda: raw_mwaa.update_environment(Name="val-upd", WorkerReplacementStrategy="NOW"),
            "ValidationException", "workerReplacementStrategy", "enum")
    _expect(lambda: raw_mwaa.update_environment(Name="val-upd", MinWorkers=9, MaxWorkers=3),
            "ValidationException", "MinWorkers")
    _expect(lambda: raw_mwaa.update_environment(Name="val-nope", MaxWorkers=3),
            "ResourceNotFoundException", "val-nope", status=404)
    # Rejected updates leave the environment untouched and AVAILABLE.
    env = raw_mwaa.get_environment(Name="val-upd")["Environment"]
    assert env["Status"] == "AVAILABLE" and env["AirflowVersion"] == "2.10.3" and env["MaxWorkers"] == 10


# (from, to, refused?) per the MWAA user guide, "Changing the Apache Airflow version".
VERSION_CHANGES = [
    ("2.11.0", "3.0.6", False),
    ("2.11.2", "3.0.6", False),
    ("3.0.6", "2.11.0", False),
    ("3.0.6", "2.11.2", False),
    ("2.10.3", "2.11.0", False),
    ("2.11.0", "2.10.1", False),
    ("2.11.0", "2.11.2", False),
    ("2.10.3", "3.0.6", True),
    ("2.7.2", "3.0.6", True),
    ("3.0.6", "2.10.3", True),
]


@pytest.mark.parametrize("current,wanted,refused", VERSION_CHANGES,
                         ids=[f"{c}->{w}" for c, w, _ in VERSION_CHANGES])
def test_airflow_version_changes_in_place(raw_mwaa, prereq, wait, current, wanted, refused):
    name = "val-ver-" + current.replace(".", "") + "-" + wanted.replace(".", "")
    raw_mwaa.create_environment(**_request(prereq, Name=name, AirflowVersion=current))
    wait(raw_mwaa, name, {"AVAILABLE"})
    if refused:
        message = _expect(lambda: raw_mwaa.update_environment(Name=name, AirflowVersion=wanted),
                          "ValidationException", "AirflowVersion", current, wanted, "2.11.x")
        assert "new environment" in message or "downgraded in place" in message
        assert raw_mwaa.get_environment(Name=name)["Environment"]["AirflowVersion"] == current
    else:
        raw_mwaa.update_environment(Name=name, AirflowVersion=wanted)
        wait(raw_mwaa, name, {"AVAILABLE"})
        assert raw_mwaa.get_environment(Name=name)["Environment"]["AirflowVersion"] == wanted


def test_get_and_delete_rules(raw_mwaa, prereq):
    _expect(lambda: raw_mwaa.get_environment(Name="val-nope"), "ResourceNotFoundException", "val-nope", status=404)
    _expect(lambda: raw_mwaa.get_environment(Name="9lives"), "ValidationException", "'name'")
    _expect(lambda: raw_mwaa.delete_environment(Name="val-nope"), "ResourceNotFoundException", status=404)
    raw_mwaa.create_environment(**_request(prereq, Name="val-del"))
    _expect(lambda: raw_mwaa.delete_environment(Name="val-del"), "ValidationException", "val-del", "CREATING")


def test_list_rules(raw_mwaa):
    _expect(lambda: raw_mwaa.list_environments(MaxResults=0), "ValidationException", "maxResults")
    _expect(lambda: raw_mwaa.list_environments(MaxResults=26), "ValidationException", "maxResults")
    _expect(lambda: raw_mwaa.list_environments(NextToken="garbage"), "ValidationException", "NextToken")


def test_tag_rules(raw_mwaa, prereq):
    arn = raw_mwaa.create_environment(**_request(prereq, Name="val-tag"))["Arn"]
    _expect(lambda: raw_mwaa.tag_resource(ResourceArn="arn:aws:s3:::bucket", Tags={"a": "b"}),
            "ValidationException", "resourceArn")
    _expect(lambda: raw_mwaa.tag_resource(ResourceArn=arn, Tags={}), "ValidationException", "tags")
    _expect(lambda: raw_mwaa.tag_resource(ResourceArn=arn, Tags={f"k{i}": "v" for i in range(51)}),
            "ValidationException", "tags", "less than or equal to 50")
    _expect(lambda: raw_mwaa.untag_resource(ResourceArn=arn), "ValidationException", "tagKeys", "must not be null")
    _expect(lambda: raw_mwaa.tag_resource(ResourceArn=arn.replace("val-tag", "val-gone"), Tags={"a": "b"}),
            "ResourceNotFoundException", status=404)


def test_invoke_rest_api_rules(raw_mwaa):
    _expect(lambda: raw_mwaa.invoke_rest_api(Name="val-tag", Path="/" + "p" * 64, Method="GET"),
            "ValidationException", "'path'", "less than or equal to 64")
    _expect(lambda: raw_mwaa.invoke_rest_api(Name="val-tag", Path="/dags", Method="HEAD"),
            "ValidationException", "'method'", "enum")
    _expect(lambda: raw_mwaa.invoke_rest_api(Name="val-nope", Path="/dags", Method="GET"),
            "ResourceNotFoundException", status=404)
