"""The slice of the network role's VPC the load balancer needs, made fast with boto3 (test helper).

create: a VPC tagged like the network role's, its two private subnets (one per AZ) and one public
subnet in the first AZ (for the one-AZ refusal test); prints their IDs as JSON. The security groups
come from the network role itself (prepare.yml). delete: removes every VPC tagged with the
deployment's Project/Environment and what is in it (security groups, subnets). The full network
role (NAT, route tables, endpoints) takes over a minute each way and adds nothing the ALB uses.

Usage: network.py create|delete PROJECT ENV [VPC_CIDR]
"""

import ipaddress
import json
import sys

import boto3


def _spec(kind, project, env, name):
    return [{"ResourceType": kind, "Tags": [
        {"Key": "Project", "Value": project}, {"Key": "Environment", "Value": env},
        {"Key": "ManagedBy", "Value": "dataplatform.mwaa_lineage"}, {"Key": "Name", "Value": name}]}]


def create(ec2, project, env, cidr):
    prefix = f"{project}-{env}"
    azs = sorted(z["ZoneName"] for z in ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"])[:2]
    blocks = list(ipaddress.ip_network(cidr).subnets(new_prefix=ipaddress.ip_network(cidr).prefixlen + 4))
    vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_spec("vpc", project, env, f"{prefix}-vpc"))["Vpc"]["VpcId"]

    def subnet(block, az, tier):
        return ec2.create_subnet(VpcId=vpc, CidrBlock=str(block), AvailabilityZone=az, TagSpecifications=_spec(
            "subnet", project, env, f"{prefix}-{tier}-{az}"))["Subnet"]["SubnetId"]

    return {
        "vpc_id": vpc,
        "vpc_cidr": cidr,
        "availability_zones": azs,
        "public_subnet_ids": [subnet(blocks[0], azs[0], "public")],
        "private_subnet_ids": [subnet(blocks[2], azs[0], "private"), subnet(blocks[3], azs[1], "private")],
    }


def delete(ec2, project, env):
    tags = [{"Name": "tag:Project", "Values": [project]}, {"Name": "tag:Environment", "Values": [env]}]
    for vpc in ec2.describe_vpcs(Filters=tags)["Vpcs"]:
        in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
        groups = [g for g in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"] if g["GroupName"] != "default"]
        for group in groups:  # cross references (ALB and Marquez rules name the MWAA group) block deletion
            if group["IpPermissions"]:
                ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        for group in groups:
            ec2.delete_security_group(GroupId=group["GroupId"])
        for subnet in ec2.describe_subnets(Filters=in_vpc)["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        ec2.delete_vpc(VpcId=vpc["VpcId"])
        print(vpc["VpcId"])


def main(action, project, env, cidr="10.0.0.0/16"):
    ec2 = boto3.client("ec2")
    if action == "create":
        print(json.dumps(create(ec2, project, env, cidr)))
    else:
        delete(ec2, project, env)


if __name__ == "__main__":
    main(*sys.argv[1:])
