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
