"""The moto fidelity fixes in tools/local_aws/moto_fixes.py behave like AWS."""

import json

import pytest
from botocore.exceptions import ClientError


def _tls_only_policy(bucket, extra=()):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            *extra,
        ],
    })


def test_tls_only_bucket_policy_does_not_deny_every_request(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="fixes-tls-only")
    s3.put_bucket_policy(Bucket="fixes-tls-only", Policy=_tls_only_policy("fixes-tls-only"))
    s3.put_object(Bucket="fixes-tls-only", Key="dags/a.py", Body=b"x")
    assert s3.get_object(Bucket="fixes-tls-only", Key="dags/a.py")["Body"].read() == b"x"


def test_unconditional_deny_still_denies(aws):
    s3 = aws.client("s3")
    bucket = "fixes-deny-put"
    s3.create_bucket(Bucket=bucket)
    deny_put = {"Sid": "DenyPut", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=_tls_only_policy(bucket, [deny_put]))
    with pytest.raises(ClientError) as err:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_aws_managed_policies_exist(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="fixes-ec2", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))
    for name in ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"):
        iam.attach_role_policy(RoleName="fixes-ec2", PolicyArn=f"arn:aws:iam::aws:policy/{name}")
    attached = {p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="fixes-ec2")["AttachedPolicies"]}
    assert attached == {"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"}


def test_nat_gateway_and_eip_tags_are_found_by_aws_resource_type(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.0.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    ec2.create_tags(Resources=[nat, eip], Tags=[{"Key": "Project", "Value": "fixes"}])
    for resource_type, resource_id in (("natgateway", nat), ("elastic-ip", eip)):
        tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": [resource_type]},
                                          {"Name": "resource-id", "Values": [resource_id]}])["Tags"]
        assert [(t["Key"], t["Value"]) for t in tags] == [("Project", "fixes")], resource_type


def test_rule_description_update_answers_return(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="fixes-desc", Description="d", VpcId=vpc)["GroupId"]
    rule = {"IpProtocol": "tcp", "FromPort": 5000, "ToPort": 5000, "IpRanges": [{"CidrIp": "10.78.0.0/16"}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[rule])
    rule["IpRanges"][0]["Description"] = "Marquez API from the VPC"
    assert ec2.update_security_group_rule_descriptions_ingress(GroupId=group, IpPermissions=[rule])["Return"] is True


@pytest.mark.parametrize(("ident", "size", "storage_type", "explicit", "expected"), [
    ("fixes-gp3-small", 20, "gp3", {}, (3000, 125)),
    ("fixes-gp3-large", 400, "gp3", {}, (12000, 500)),
    ("fixes-gp3-explicit", 500, "gp3", {"Iops": 15000, "StorageThroughput": 600}, (15000, 600)),
    ("fixes-gp2", 20, "gp2", {}, (None, None)),
])
def test_gp3_db_instance_reports_baseline_iops_and_throughput(aws, ident, size, storage_type, explicit, expected):
    # amazon.aws.rds_instance reads both keys of an existing gp3 instance (KeyError without them).
    rds = aws.client("rds")
    rds.create_db_instance(DBInstanceIdentifier=ident, DBInstanceClass="db.t3.small", Engine="postgres",
                           MasterUsername="fixes", MasterUserPassword="fixes-password-1",
                           AllocatedStorage=size, StorageType=storage_type, **explicit)
    try:
        instance = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        assert instance["StorageType"] == storage_type
        assert (instance.get("Iops"), instance.get("StorageThroughput")) == expected
    finally:
        rds.delete_db_instance(DBInstanceIdentifier=ident, SkipFinalSnapshot=True)


def test_alb_attributes_have_aws_defaults_and_protection_blocks_delete(aws):
    ec2, elbv2 = aws.client("ec2"), aws.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.79.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.79.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in ((0, "a"), (1, "b"))]
    arn = elbv2.create_load_balancer(Name="fixes-alb", Subnets=subnets, Scheme="internal")["LoadBalancers"][0][
        "LoadBalancerArn"]
    attrs = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attrs["idle_timeout.timeout_seconds"] == "60"
    assert attrs["routing.http2.enabled"] == "true"
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "false"
    assert attrs["access_logs.s3.enabled"] == "false"
    assert attrs["deletion_protection.enabled"] == "false"

    protect = [{"Key": "deletion_protection.enabled", "Value": "true"}]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=protect)
    with pytest.raises(ClientError) as err:
        elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert err.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert len(elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]) == 1

    protect[0]["Value"] = "false"
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=protect)
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    with pytest.raises(ClientError):
        elbv2.describe_load_balancers(Names=["fixes-alb"])


def test_unknown_db_parameter_group_is_not_found(aws):
    # amazon.aws.rds_instance_param_group creates the group on this error (an empty list crashes it).
    rds = aws.client("rds")
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        rds.describe_db_parameter_groups(DBParameterGroupName="fixes-missing")
    rds.create_db_parameter_group(DBParameterGroupName="fixes-pg", DBParameterGroupFamily="postgres16", Description="d")
    try:
        names = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups(DBParameterGroupName="fixes-pg")["DBParameterGroups"]]
        assert names == ["fixes-pg"]
        assert "fixes-pg" in [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    finally:
        rds.delete_db_parameter_group(DBParameterGroupName="fixes-pg")


def test_postgres_parameter_group_lists_force_ssl(aws):
    rds = aws.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="fixes-pg16", DBParameterGroupFamily="postgres16", Description="d")
    rds.create_db_parameter_group(DBParameterGroupName="fixes-mysql", DBParameterGroupFamily="mysql8.0", Description="d")
    try:
        params = rds.describe_db_parameters(DBParameterGroupName="fixes-pg16")["Parameters"]
        assert [(p["ParameterName"], p["Source"], p["IsModifiable"], "ParameterValue" in p) for p in params] == [
            ("rds.force_ssl", "engine-default", True, False)]
        rds.modify_db_parameter_group(DBParameterGroupName="fixes-pg16", Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
        (param,) = rds.describe_db_parameters(DBParameterGroupName="fixes-pg16")["Parameters"]
        assert (param["ParameterValue"], param["DataType"]) == ("1", "boolean")
        assert rds.describe_db_parameters(DBParameterGroupName="fixes-mysql")["Parameters"] == []
    finally:
        for name in ("fixes-pg16", "fixes-mysql"):
            rds.delete_db_parameter_group(DBParameterGroupName=name)


def test_secret_marked_for_deletion_answers_with_aws_message(aws):
    # The amazon.aws.secretsmanager_secret lookup's on_deleted=skip matches "marked for deletion".
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="fixes/deleted", SecretString="x")
    sm.delete_secret(SecretId="fixes/deleted", RecoveryWindowInDays=7)
    try:
        with pytest.raises(ClientError) as err:
            sm.get_secret_value(SecretId="fixes/deleted")
        assert err.value.response["Error"]["Code"] == "InvalidRequestException"
        assert "marked for deletion" in err.value.response["Error"]["Message"]
    finally:
        sm.delete_secret(SecretId="fixes/deleted", ForceDeleteWithoutRecovery=True)
