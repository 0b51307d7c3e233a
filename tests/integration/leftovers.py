"""What a deployment left in the emulator: used by the teardown tests of every site.yml mode."""

PROJECT, ENV = "lineage", "local"


def _named(names, prefix):
    return [n for n in names if n.startswith(prefix)]


def leftovers(local_aws, project=PROJECT, env=ENV):
    """Everything in the emulator that still carries this project's tags or names."""
    prefix = f"{project}-{env}"
    ec2 = local_aws.client("ec2")
    tag = [{"Name": "tag:Project", "Values": [project]}, {"Name": "tag:Environment", "Values": [env]}]
    found = {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=tag)["Vpcs"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=tag)["Subnets"]],
        "security_groups": [g["GroupId"] for g in ec2.describe_security_groups(Filters=tag)["SecurityGroups"]],
        "route_tables": [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=tag)["RouteTables"]],
        "internet_gateways": [i["InternetGatewayId"] for i in ec2.describe_internet_gateways(Filters=tag)["InternetGateways"]],
        "nat_gateways": [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=tag)["NatGateways"]
                         if n["State"] not in ("deleted", "deleting")],
        "elastic_ips": [a["AllocationId"] for a in ec2.describe_addresses(Filters=tag)["Addresses"]],
        "vpc_endpoints": [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=tag)["VpcEndpoints"]
                          if e["State"].lower() not in ("deleted", "deleting")],
        "launch_templates": _named([t["LaunchTemplateName"] for t in
                                    ec2.describe_launch_templates()["LaunchTemplates"]], prefix),
    }
    s3 = local_aws.client("s3")
    found["buckets"] = _named([b["Name"] for b in s3.list_buckets()["Buckets"]], f"{prefix}-")
    iam = local_aws.client("iam")
    found["roles"] = _named([r["RoleName"] for r in iam.list_roles()["Roles"]], f"{prefix}-")
    found["instance_profiles"] = _named([p["InstanceProfileName"] for p in
                                         iam.list_instance_profiles()["InstanceProfiles"]], f"{prefix}-")
    # Terminated instances and deleted NAT gateways stay visible (with their tags) for a while, on
    # AWS too; they are gone, also for the tagging API below.
    instances = [i for r in ec2.describe_instances(Filters=tag)["Reservations"] for i in r["Instances"]]
    gone = {i["InstanceId"] for i in instances if i["State"]["Name"] == "terminated"}
    gone |= {n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=tag)["NatGateways"]
             if n["State"] in ("deleted", "deleting")}
    found["instances"] = [i["InstanceId"] for i in instances if i["InstanceId"] not in gone]
    found["volumes"] = [v["VolumeId"] for v in ec2.describe_volumes(Filters=tag)["Volumes"]]
    mwaa = local_aws.client("mwaa")
    found["mwaa_environments"] = [n for n in mwaa.list_environments()["Environments"] if n.startswith(f"{project}-")]
    logs = local_aws.client("logs")
    found["log_groups"] = [g["logGroupName"] for g in logs.describe_log_groups(
        logGroupNamePrefix=f"airflow-{project}-")["logGroups"]]
    # The HA stack: database, load balancer, Auto Scaling Group, secrets.
    rds = local_aws.client("rds")
    found["db_instances"] = _named([d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]], prefix)
    found["db_clusters"] = _named([c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]], prefix)
    found["db_parameter_groups"] = _named([g["DBParameterGroupName"] for g in
                                           rds.describe_db_parameter_groups()["DBParameterGroups"]], prefix)
    found["db_cluster_parameter_groups"] = _named([g["DBClusterParameterGroupName"] for g in
                                                   rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]],
                                                  prefix)
    found["db_subnet_groups"] = _named([g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]],
                                       prefix)
    elbv2 = local_aws.client("elbv2")
    found["load_balancers"] = _named([b["LoadBalancerName"] for b in elbv2.describe_load_balancers()["LoadBalancers"]],
                                     prefix)
    found["target_groups"] = _named([g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]], prefix)
    autoscaling = local_aws.client("autoscaling")
    found["auto_scaling_groups"] = _named([g["AutoScalingGroupName"] for g in
                                           autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]], prefix)
    found["scaling_policies"] = _named([p["AutoScalingGroupName"] for p in autoscaling.describe_policies()["ScalingPolicies"]],
                                       prefix)
    secrets = local_aws.client("secretsmanager")
    # A secret scheduled for deletion (recovery window) is gone for every reader.
    found["secrets"] = _named([s["Name"] for s in secrets.list_secrets()["SecretList"] if "DeletedDate" not in s],
                              f"{prefix}/")
    ssm = local_aws.client("ssm")
    found["ssm_parameters"] = [p["Name"] for p in ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"/mwaa/{project}/{env}/"]}])["Parameters"]]
    tagging = local_aws.client("resourcegroupstaggingapi")
    found["tagged"] = [r["ResourceARN"] for r in tagging.get_resources(
        TagFilters=[{"Key": "Project", "Values": [project]}, {"Key": "Environment", "Values": [env]}]
    )["ResourceTagMappingList"] if r["ResourceARN"].rsplit("/", 1)[-1] not in gone]
    return {k: v for k, v in found.items() if v}
