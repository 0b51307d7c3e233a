"""Every MWAA validation rule: one failing request each, with the error code and the field named.

The client skips botocore's own validation (parameter_validation=False) so these prove what
the emulator itself rejects, as the real service would for any SDK.
"""

import copy
import json

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
            "ValidationException", "AirflowVersion", "major")
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
