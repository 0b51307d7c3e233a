"""The request journal names operations and tells reads from writes for every protocol.

Integration tests rely on it to prove "the second run makes no write call", so each
protocol family is checked: query (ec2, iam, sts), rest-xml (s3), json (ssm,
secretsmanager, kms), rest-json (mwaa). moto still answers behind the same endpoint.
"""

import json

import pytest


def _journal(aws, calls):
    """Run calls after clearing the journal; return [(service, operation, mutating)]."""
    aws.clear_calls()
    for call in calls:
        call()
    return [(c["service"], c["operation"], c["mutating"]) for c in aws.calls()]


def test_ec2_query_protocol(aws):
    ec2 = aws.client("ec2")
    out = {}
    seen = _journal(aws, [
        lambda: out.update(vpc=ec2.create_vpc(
            CidrBlock="10.90.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Project", "Value": "journal"}]}],
        )["Vpc"]["VpcId"]),
        lambda: out.update(found=ec2.describe_vpcs(Filters=[{"Name": "tag:Project", "Values": ["journal"]}])),
        lambda: ec2.create_tags(Resources=[out["vpc"]], Tags=[{"Key": "Env", "Value": "test"}]),
        lambda: ec2.describe_subnets(),
        lambda: ec2.delete_vpc(VpcId=out["vpc"]),
    ])
    assert seen == [
        ("ec2", "CreateVpc", True), ("ec2", "DescribeVpcs", False), ("ec2", "CreateTags", True),
        ("ec2", "DescribeSubnets", False), ("ec2", "DeleteVpc", True),
    ]
    # Reading the form body for the journal left it intact for moto: the tags arrived.
    assert [v["VpcId"] for v in out["found"]["Vpcs"]] == [out["vpc"]]


def test_ec2_dry_run_is_not_a_write(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="journal-dry", Description="x", VpcId=vpc)["GroupId"]
    rule = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    aws.clear_calls()
    with pytest.raises(ec2.exceptions.ClientError) as excinfo:
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[rule], DryRun=True)
    assert excinfo.value.response["Error"]["Code"] == "DryRunOperation"
    # moto ignores DryRun on CreateVpc and really creates it: that stays a write.
    ec2.create_vpc(CidrBlock="10.92.0.0/16", DryRun=True)
    assert [(c["operation"], c["mutating"], c.get("detail"), c["status"]) for c in aws.calls()] == [
        ("AuthorizeSecurityGroupEgress", False, "DryRun", 412), ("CreateVpc", True, "DryRun", 200)]
    egress = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissionsEgress"]
    assert rule["FromPort"] not in [p.get("FromPort") for p in egress]


def test_iam_and_sts_query_protocol(aws):
    iam = aws.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    seen = _journal(aws, [
        lambda: iam.create_role(RoleName="journal-role", AssumeRolePolicyDocument=trust),
        lambda: iam.get_role(RoleName="journal-role"),
        lambda: iam.list_roles(),
        lambda: iam.put_role_policy(RoleName="journal-role", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})),
        lambda: iam.list_role_policies(RoleName="journal-role"),
        lambda: aws.client("sts").get_caller_identity(),
        lambda: aws.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/journal-role",
                                              RoleSessionName="journal"),
    ])
    assert seen == [
        ("iam", "CreateRole", True), ("iam", "GetRole", False), ("iam", "ListRoles", False),
        ("iam", "PutRolePolicy", True), ("iam", "ListRolePolicies", False),
        ("sts", "GetCallerIdentity", False), ("sts", "AssumeRole", False),
    ]


def test_s3_rest_xml(aws):
    s3 = aws.client("s3")
    got = {}
    seen = _journal(aws, [
        lambda: s3.create_bucket(Bucket="journal-bucket"),
        lambda: s3.head_bucket(Bucket="journal-bucket"),
        lambda: s3.put_bucket_versioning(Bucket="journal-bucket", VersioningConfiguration={"Status": "Enabled"}),
        lambda: s3.get_bucket_versioning(Bucket="journal-bucket"),
        lambda: s3.put_object(Bucket="journal-bucket", Key="dags/a.py", Body=b"print(1)"),
        lambda: s3.head_object(Bucket="journal-bucket", Key="dags/a.py"),
        lambda: got.update(body=s3.get_object(Bucket="journal-bucket", Key="dags/a.py")["Body"].read()),
        lambda: s3.list_objects_v2(Bucket="journal-bucket", Prefix="dags/"),
        lambda: s3.copy_object(Bucket="journal-bucket", Key="dags/b.py", CopySource="journal-bucket/dags/a.py"),
        lambda: s3.put_bucket_tagging(
            Bucket="journal-bucket", Tagging={"TagSet": [{"Key": "Project", "Value": "journal"}]}),
        lambda: s3.get_bucket_location(Bucket="journal-bucket"),
        lambda: s3.delete_objects(Bucket="journal-bucket", Delete={"Objects": [{"Key": "dags/b.py"}]}),
        lambda: s3.delete_object(Bucket="journal-bucket", Key="dags/a.py"),
        lambda: s3.list_buckets(),
    ])
    assert seen == [
        ("s3", "CreateBucket", True), ("s3", "HeadBucket", False),
        ("s3", "PutBucketVersioning", True), ("s3", "GetBucketVersioning", False),
        ("s3", "PutObject", True), ("s3", "HeadObject", False), ("s3", "GetObject", False),
        ("s3", "ListObjectsV2", False), ("s3", "CopyObject", True), ("s3", "PutBucketTagging", True),
        ("s3", "GetBucketLocation", False), ("s3", "DeleteObjects", True), ("s3", "DeleteObject", True),
        ("s3", "ListBuckets", False),
    ]
    assert got["body"] == b"print(1)"


def test_json_protocol_services(aws):
    ssm = aws.client("ssm")
    secrets = aws.client("secretsmanager")
    kms = aws.client("kms")
    got = {}
    seen = _journal(aws, [
        lambda: ssm.put_parameter(Name="/journal/color", Value="blue", Type="String"),
        lambda: got.update(color=ssm.get_parameter(Name="/journal/color")["Parameter"]["Value"]),
        lambda: ssm.describe_parameters(),
        lambda: ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/journal/color",
                                         Tags=[{"Key": "k", "Value": "v"}]),
        lambda: secrets.create_secret(Name="journal/db", SecretString="pw"),
        lambda: secrets.describe_secret(SecretId="journal/db"),
        lambda: got.update(secret=secrets.get_secret_value(SecretId="journal/db")["SecretString"]),
        lambda: secrets.list_secrets(),
        lambda: secrets.put_secret_value(SecretId="journal/db", SecretString="pw2"),
        lambda: got.update(key=kms.create_key()["KeyMetadata"]["KeyId"]),
        lambda: kms.encrypt(KeyId=got["key"], Plaintext=b"x"),
        lambda: kms.describe_key(KeyId=got["key"]),
    ])
    assert seen == [
        ("ssm", "PutParameter", True), ("ssm", "GetParameter", False), ("ssm", "DescribeParameters", False),
        ("ssm", "AddTagsToResource", True),
        ("secretsmanager", "CreateSecret", True), ("secretsmanager", "DescribeSecret", False),
        ("secretsmanager", "GetSecretValue", False), ("secretsmanager", "ListSecrets", False),
        ("secretsmanager", "PutSecretValue", True),
        ("kms", "CreateKey", True), ("kms", "Encrypt", False), ("kms", "DescribeKey", False),
    ]
    assert got["color"] == "blue" and got["secret"] == "pw"


def test_mwaa_rest_json(aws, prereq, wait):
    mwaa = aws.client("mwaa")
    aws.set_airflow_target("journal-env", responses={"*": {"status": 200, "body": {"ok": True}}})
    arn = "arn:aws:airflow:us-east-1:123456789012:environment/journal-env"
    seen = _journal(aws, [
        lambda: mwaa.create_environment(Name="journal-env", WebserverAccessMode="PUBLIC_ONLY", **prereq),
        lambda: mwaa.get_environment(Name="journal-env"),
        lambda: mwaa.list_environments(),
        lambda: mwaa.list_tags_for_resource(ResourceArn=arn),
        lambda: mwaa.tag_resource(ResourceArn=arn, Tags={"a": "b"}),
        lambda: mwaa.untag_resource(ResourceArn=arn, tagKeys=["a"]),
        lambda: mwaa.create_cli_token(Name="journal-env"),
        lambda: mwaa.create_web_login_token(Name="journal-env"),
        lambda: wait(mwaa, "journal-env", {"AVAILABLE"}),
        lambda: mwaa.invoke_rest_api(Name="journal-env", Path="/dags", Method="GET"),
        lambda: mwaa.invoke_rest_api(Name="journal-env", Path="/dags/x", Method="PATCH", Body={"is_paused": True}),
        lambda: mwaa.update_environment(Name="journal-env", MaxWorkers=3),
    ])
    seen = [s for s in seen if s[1] != "GetEnvironment"]  # wait() polls
    assert seen == [
        ("airflow", "CreateEnvironment", True), ("airflow", "ListEnvironments", False),
        ("airflow", "ListTagsForResource", False), ("airflow", "TagResource", True),
        ("airflow", "UntagResource", True), ("airflow", "CreateCliToken", False),
        ("airflow", "CreateWebLoginToken", False), ("airflow", "InvokeRestApi", False),
        ("airflow", "InvokeRestApi", True), ("airflow", "UpdateEnvironment", True),
    ]
    invokes = [c for c in aws.calls(service="airflow") if c["operation"] == "InvokeRestApi"]
    assert [c["detail"] for c in invokes] == ["GET /dags", "PATCH /dags/x"]
    wait(mwaa, "journal-env", {"AVAILABLE"})
    aws.clear_calls()
    mwaa.delete_environment(Name="journal-env")
    assert [(c["operation"], c["mutating"], c["status"]) for c in aws.calls()] == [("DeleteEnvironment", True, 200)]


def test_failed_calls_are_journaled_with_status(aws):
    ssm = aws.client("ssm")
    aws.clear_calls()
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name="/journal/missing")
    with pytest.raises(aws.client("mwaa").exceptions.ResourceNotFoundException):
        aws.client("mwaa").delete_environment(Name="journal-missing")
    calls = aws.calls()
    assert [(c["operation"], c["mutating"], c["status"]) for c in calls] == [
        ("GetParameter", False, 400), ("DeleteEnvironment", True, 404)]
    assert calls[0]["method"] == "POST" and calls[1]["path"] == "/environments/journal-missing"


def test_journal_filters(aws):
    ssm = aws.client("ssm")
    aws.clear_calls()
    ssm.put_parameter(Name="/journal/filter", Value="1", Type="String", Overwrite=True)
    ssm.get_parameter(Name="/journal/filter")
    aws.client("sts").get_caller_identity()
    assert [c["operation"] for c in aws.calls(mutating=True)] == ["PutParameter"]
    assert [c["operation"] for c in aws.calls(mutating=False)] == ["GetParameter", "GetCallerIdentity"]
    assert [c["operation"] for c in aws.calls(service="sts")] == ["GetCallerIdentity"]
    aws.clear_calls()
    assert aws.calls() == []


def test_each_entry_names_the_signing_access_key(aws):
    """Tests tell the playbook's calls from another caller's (the execution role of an environment) by it."""
    import boto3
    from botocore.config import Config

    other = boto3.client("sts", endpoint_url=aws.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="AKIAOTHERCALLER00001", aws_secret_access_key="secret",
                         config=Config(inject_host_prefix=False))
    aws.clear_calls()
    aws.client("sts").get_caller_identity()
    other.get_caller_identity()
    assert [(c["operation"], c["access_key"]) for c in aws.calls()] == [
        ("GetCallerIdentity", "testing"), ("GetCallerIdentity", "AKIAOTHERCALLER00001")]
    assert "secret" not in json.dumps(aws.calls())
