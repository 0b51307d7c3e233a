"""Bad inventory input fails before any AWS write, with a message naming the variable."""

import shutil

import pytest
import yaml

from playbook_runner import ROOT, mutating, run_playbook

CASES = {
    # id: (extra vars, text the failure must contain)
    "malformed_cidr": ({"vpc_cidr": "10.0.0.0/33"}, "vpc_cidr"),
    "cidr_not_an_address": ({"vpc_cidr": "not-a-cidr"}, "vpc_cidr"),
    "vpc_too_large": ({"vpc_cidr": "10.0.0.0/8"}, "vpc_cidr"),
    "subnet_outside_vpc": (
        {"network_private_subnet_cidrs": ["10.0.128.0/20", "192.168.0.0/24"]},
        "network_private_subnet_cidrs",
    ),
    "unknown_deployment_mode": ({"deployment_mode": "bogus"}, "deployment_mode"),
    "env_name_rejected_by_aws": ({"env_name": "Prod_1!"}, "env_name"),
    "project_name_uppercase": ({"project_name": "Lineage"}, "project_name"),
    "name_prefix_too_long": ({"project_name": "a-very-long-project-name"}, "project_name"),
    "bad_region": ({"aws_region": "mars-north-1"}, "aws_region"),
    "bad_endpoint": ({"aws_endpoint_url": "127.0.0.1:4566/path"}, "aws_endpoint_url"),
    "unknown_environment_class": ({"mwaa_environment_class": "mw1.huge"}, "mwaa_environment_class"),
    "unsupported_airflow_version": ({"airflow_version": "2.0.2"}, "airflow_version"),
    "unpinned_marquez": ({"marquez_version": "latest"}, "marquez_version"),
    "blue_green_not_bool": ({"blue_green_enabled": "maybe"}, "blue_green_enabled"),
    # Without NAT the Marquez hosts cannot pull images and MWAA cannot install its requirements.
    "nat_none": ({"network_nat_gateway_mode": "none"}, "network_nat_gateway_mode"),
    # The emulator's account is 123456789012: credentials for another account are refused.
    "credentials_of_another_account": ({"aws_account_id": "999999999999"}, "999999999999"),
    "marquez_connection_unknown": ({"marquez_instance_configured_by": "inventory", "marquez_instance_connection": "ssh"},
                                   "marquez_instance_connection"),
    "mwaa_kms_key_alias": ({"mwaa_kms_key": "alias/mwaa"}, "mwaa_kms_key"),
    # deployment_mode=ha: the HA roles' static checks run in the preflight play.
    "ha_db_storage_above_its_maximum": (
        {"deployment_mode": "ha", "marquez_db_allocated_storage": 200}, "marquez_db_allocated_storage"),
    "ha_db_instance_class": ({"deployment_mode": "ha", "marquez_db_instance_class": "m5.large"},
                             "marquez_db_instance_class"),
    "ha_alb_health_check_interval": ({"deployment_mode": "ha", "marquez_alb_health_check_interval": 1},
                                     "marquez_alb_health_check_interval"),
    # A first boot takes minutes: a grace shorter than the boot's own health wait replaces instances in a loop.
    "ha_asg_grace_shorter_than_the_boot": ({"deployment_mode": "ha", "marquez_asg_health_check_grace_period": 300},
                                           "marquez_asg_health_check_grace_period"),
    # The admin port listens on the host's loopback and no security group opens it.
    "ha_alb_health_check_on_the_admin_port": ({"deployment_mode": "ha", "marquez_alb_api_health_check_port": "5001"},
                                              "marquez_alb_api_health_check_port"),
    "ha_asg_min_above_desired": ({"deployment_mode": "ha", "marquez_asg_min_size": 3}, "marquez_asg_min_size"),
    "ha_asg_unpinned_marquez_image": (
        {"deployment_mode": "ha", "marquez_host_api_image": "marquezproject/marquez:latest"},
        "marquez_host_api_image"),
    "mwaa_name_rejected_by_aws": ({"mwaa_name": "1-starts-with-a-digit"}, "mwaa_name"),
    "mwaa_maintenance_window": ({"mwaa_weekly_maintenance_window_start": "SUNDAY:03:15"},
                                "mwaa_weekly_maintenance_window_start"),
    "mwaa_lineage_url_with_path": ({"mwaa_openlineage_url": "http://marquez:5000/api/v1/lineage"},
                                   "mwaa_openlineage_url"),
    "mwaa_log_level": ({"mwaa_logging": {"task_logs": {"enabled": True, "log_level": "LOUD"}}}, "mwaa_logging"),
    "blue_green_same_maintenance_window": (
        {"blue_green_enabled": True, "blue_green_maintenance_windows": {"blue": "SUN:03:00", "green": "SUN:03:00"}},
        "blue_green_maintenance_windows",
    ),
    "blue_green_windows_too_close": (
        {"blue_green_enabled": True, "blue_green_maintenance_windows": {"blue": "SUN:23:00", "green": "MON:01:00"}},
        "blue_green_maintenance_window_min_gap_hours",
    ),
    "blue_green_reserved_parameter": (
        {"blue_green_enabled": True, "blue_green_parameter_name_override": "/aws/service/active"},
        "blue_green_parameter_name",
    ),
    "blue_green_parameter_unreadable_by_mwaa": (
        {"blue_green_enabled": True, "blue_green_parameter_name_override": "/elsewhere/active-environment"},
        "iam_blue_green_parameter_prefix",
    ),
}


def _assert_refused(local_aws, result, needle):
    assert result.rc != 0, result
    assert needle in result.output, result
    assert mutating(local_aws.calls()) == [], "a write reached AWS before validation failed"


@pytest.mark.parametrize("extra, needle", CASES.values(), ids=CASES.keys())
def test_bad_input_fails_before_any_write(local_aws, tmp_path, extra, needle):
    vars_file = tmp_path / "bad.yml"
    vars_file.write_text(yaml.safe_dump(extra))
    local_aws.clear_calls()
    result = run_playbook(local_aws, "site.yml", "-e", f"@{vars_file}")
    _assert_refused(local_aws, result, needle)


def test_missing_project_name_is_named(local_aws, tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventories" / "local", inventory)
    group_vars = inventory / "group_vars" / "all.yml"
    data = yaml.safe_load(group_vars.read_text())
    del data["project_name"]
    group_vars.write_text(yaml.safe_dump(data))
    local_aws.clear_calls()
    result = run_playbook(local_aws, "site.yml", inventory=inventory)
    _assert_refused(local_aws, result, "project_name")


def test_too_few_elastic_ips_for_the_nat_gateways_is_refused(local_aws, tmp_path):
    """per_az needs two addresses: with the region's quota (5) used up by others, nothing is written."""
    ec2 = local_aws.client("ec2")
    quota = int(ec2.describe_account_attributes(AttributeNames=["vpc-max-elastic-ips"])
                ["AccountAttributes"][0]["AttributeValues"][0]["AttributeValue"])
    taken = [ec2.allocate_address(Domain="vpc")["AllocationId"]
             for _ in range(quota - len(ec2.describe_addresses()["Addresses"]) - 1)]
    try:
        vars_file = tmp_path / "nat.yml"
        vars_file.write_text(yaml.safe_dump({"network_nat_gateway_mode": "per_az"}))
        local_aws.clear_calls()
        result = run_playbook(local_aws, "site.yml", "-e", f"@{vars_file}")
        _assert_refused(local_aws, result, "network_nat_gateway_mode=per_az needs 2")
    finally:
        for allocation_id in taken:
            ec2.release_address(AllocationId=allocation_id)


def test_ssm_without_the_session_manager_plugin_is_refused(local_aws, tmp_path):
    """The hosts: marquez play would reach the host through the plugin only after everything else exists."""
    missing = tmp_path / "no-such-dir" / "session-manager-plugin"
    local_aws.clear_calls()
    result = run_playbook(local_aws, "site.yml", "-e", "marquez_instance_configured_by=inventory",
                          extra_env={"AWS_SESSION_MANAGER_PLUGIN": str(missing)})
    _assert_refused(local_aws, result, f"no session-manager-plugin at {missing}")
    assert "marquez_instance_connection=custom" in result.output, result
