"""Unit tests for dataplatform.mwaa_lineage.mwaa_environment (main() against a botocore Stubber)."""

import datetime
import json

import pytest
from botocore.config import Config

from ansible_collections.dataplatform.mwaa_lineage.plugins.modules import mwaa_environment

from mwaa_harness import ARN, NAME

ROLE = "arn:aws:iam::123456789012:role/lineage-dev-mwaa"
BUCKET = "arn:aws:s3:::lineage-dev-dags"
SUBNETS = ["subnet-0aaa0000000000001", "subnet-0bbb0000000000002"]
SGS = ["sg-0ccc0000000000003"]
CREATED = datetime.datetime(2025, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)

ARGS = {
    "name": NAME,
    "execution_role_arn": ROLE,
    "source_bucket_arn": BUCKET,
    "dag_s3_path": "dags",
    "environment_class": "mw1.small",
    "max_workers": 2,
    "network_configuration": {"subnet_ids": SUBNETS, "security_group_ids": SGS},
}


def env(status="AVAILABLE", **overrides):
    """An Environment as GetEnvironment returns it, including defaults the user never set."""
    environment = {
        "Name": NAME,
        "Arn": ARN,
        "Status": status,
        "CreatedAt": CREATED,
        "WebserverUrl": "https://abc.c1.us-east-1.airflow.amazonaws.com",
        "ExecutionRoleArn": ROLE,
        "ServiceRoleArn": "arn:aws:iam::123456789012:role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA",
        "AirflowVersion": "3.0.6",
        "SourceBucketArn": BUCKET,
        "DagS3Path": "dags",
        "EnvironmentClass": "mw1.small",
        "MaxWorkers": 2,
        "MinWorkers": 1,
        "Schedulers": 2,
        "MinWebservers": 2,
        "MaxWebservers": 2,
        "NetworkConfiguration": {"SubnetIds": list(reversed(SUBNETS)), "SecurityGroupIds": list(SGS)},
        "LoggingConfiguration": {
            "TaskLogs": {
                "Enabled": True,
                "LogLevel": "INFO",
                "CloudWatchLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:airflow-lineage-dev-Task",
            },
            "SchedulerLogs": {"Enabled": False, "LogLevel": "INFO"},
        },
        "WeeklyMaintenanceWindowStart": "SUN:03:00",
        "WebserverAccessMode": "PRIVATE_ONLY",
        "EndpointManagement": "SERVICE",
        "AirflowConfigurationOptions": {},
        "Tags": {"Project": "lineage"},
        "LastUpdate": {"Status": "SUCCESS", "CreatedAt": CREATED, "Source": "customer"},
    }
    environment.update(overrides)
    return environment


def failed_update(code, message):
    return {"Status": "FAILED", "CreatedAt": CREATED, "Error": {"ErrorCode": code, "ErrorMessage": message}}


@pytest.fixture(autouse=True)
def _fake_time(monkeypatch, clock):
    monkeypatch.setattr(mwaa_environment, "time", clock)


def create_request(**extra):
    request = {
        "Name": NAME,
        "AirflowVersion": "3.0.6",
        "EnvironmentClass": "mw1.small",
        "ExecutionRoleArn": ROLE,
        "SourceBucketArn": BUCKET,
        "DagS3Path": "dags",
        "MaxWorkers": 2,
        "WebserverAccessMode": "PRIVATE_ONLY",
        "NetworkConfiguration": {"SubnetIds": SUBNETS, "SecurityGroupIds": SGS},
    }
    request.update(extra)
    return request


# --- create ----------------------------------------------------------------------------------


def test_create_sends_every_given_field_and_waits_with_backoff(mwaa, run_module, clock):
    mwaa.get_missing()
    mwaa.create(
        create_request(
            RequirementsS3Path="requirements.txt",
            RequirementsS3ObjectVersion="v1",
            LoggingConfiguration={"TaskLogs": {"Enabled": True, "LogLevel": "WARNING"}},
            KmsKey="alias/lineage",
            EndpointManagement="SERVICE",
            WeeklyMaintenanceWindowStart="TUE:03:30",
            Tags={"Project": "lineage", "Environment": "dev"},
        )
    )
    for _ in range(3):
        mwaa.get(env("CREATING"))
    mwaa.get(env("AVAILABLE"))

    result = run_module(
        mwaa_environment,
        dict(
            ARGS,
            requirements_s3_path="requirements.txt",
            requirements_s3_object_version="v1",
            logging_configuration={"task_logs": {"log_level": "WARNING"}},
            kms_key="alias/lineage",
            endpoint_management="SERVICE",
            weekly_maintenance_window_start="TUE:03:30",
            tags={"Project": "lineage", "Environment": "dev"},
        ),
    )

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["environment"]["status"] == "AVAILABLE"
    assert result["environment"]["arn"] == ARN
    assert result["environment"]["created_at"] == "2025-01-01T12:00:00+00:00"
    # Capped exponential backoff: 2, 4, 8 between the four polls.
    assert clock.sleeps == [2, 4, 8]


def test_create_without_wait_returns_creating_status(mwaa, run_module, clock):
    mwaa.get_missing()
    mwaa.create(create_request())
    mwaa.get(env("CREATING"))

    result = run_module(mwaa_environment, dict(ARGS, wait=False))

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["environment"]["status"] == "CREATING"
    assert clock.sleeps == []


def test_create_needs_the_creation_fields_and_writes_nothing(mwaa, run_module):
    mwaa.get_missing()

    result = run_module(mwaa_environment, {"name": NAME, "max_workers": 3})

    assert result["rc"] == 1
    assert result.get("failed") is True
    for option in ("execution_role_arn", "source_bucket_arn", "dag_s3_path", "network_configuration"):
        assert option in result["msg"]


def test_create_failed_reports_last_update_error(mwaa, run_module):
    mwaa.get_missing()
    mwaa.create(create_request())
    mwaa.get(env("CREATING"))
    mwaa.get(
        env(
            "CREATE_FAILED",
            LastUpdate=failed_update("INCORRECT_CONFIGURATION", "You may need to check the execution role"),
        )
    )

    result = run_module(mwaa_environment, ARGS)

    assert result["rc"] == 1
    assert "CREATE_FAILED" in result["msg"]
    assert "INCORRECT_CONFIGURATION: You may need to check the execution role" in result["msg"]
    assert result["last_update_error"] == "INCORRECT_CONFIGURATION: You may need to check the execution role"
    assert result["status"] == "CREATE_FAILED"


def test_existing_create_failed_environment_is_not_updated(mwaa, run_module):
    mwaa.get(env("CREATE_FAILED", LastUpdate=failed_update("VPC_ERROR", "No route to S3")))

    result = run_module(mwaa_environment, dict(ARGS, max_workers=4))

    assert result["rc"] == 1
    assert "VPC_ERROR: No route to S3" in result["msg"]
    assert "state=absent" in result["msg"]


def test_create_stops_at_pending_with_warning(mwaa, run_module):
    pending = env(
        "PENDING",
        EndpointManagement="CUSTOMER",
        WebserverVpcEndpointService="com.amazonaws.vpce.us-east-1.vpce-svc-0web",
        DatabaseVpcEndpointService="com.amazonaws.vpce.us-east-1.vpce-svc-0db",
    )
    mwaa.get_missing()
    mwaa.create(create_request(EndpointManagement="CUSTOMER"))
    mwaa.get(env("CREATING"))
    mwaa.get(pending)

    result = run_module(mwaa_environment, dict(ARGS, endpoint_management="CUSTOMER"))

    assert result["rc"] == 0, result
    assert result["environment"]["status"] == "PENDING"
    assert any("vpce-svc-0web" in w and "PENDING" in w for w in result["warnings"]), result["raw"]


def test_wait_timeout_fails_with_last_status(mwaa, run_module, clock):
    mwaa.get_missing()
    mwaa.create(create_request())
    # Polls at t=0, 2, 6 and 10 s; the deadline is 10 s.
    for _ in range(4):
        mwaa.get(env("CREATING"))

    result = run_module(mwaa_environment, dict(ARGS, wait_timeout=10))

    assert result["rc"] == 1
    assert "Timed out after 10s" in result["msg"]
    assert "still CREATING" in result["msg"]
    assert sum(clock.sleeps) == 10


def test_deleting_environment_is_awaited_then_created(mwaa, run_module):
    mwaa.get(env("DELETING"))
    mwaa.get(env("DELETING"))
    mwaa.get_missing()
    mwaa.create(create_request())
    mwaa.get(env("AVAILABLE"))

    result = run_module(mwaa_environment, ARGS)

    assert result["rc"] == 0, result
    assert result["changed"] is True


# --- idempotency and updates -------------------------------------------------------------------


def test_no_change_makes_no_write_call(mwaa, run_module):
    # The environment carries defaults the user did not set (MinWorkers, Schedulers, ...).
    mwaa.get(env())

    result = run_module(mwaa_environment, dict(ARGS, tags={"Project": "lineage"}), diff=True)

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["environment"]["network_configuration"]["security_group_ids"] == SGS


def test_partial_update_sends_only_the_changed_field(mwaa, run_module, clock):
    mwaa.get(env())
    mwaa.update({"Name": NAME, "MaxWorkers": 5})
    mwaa.get(env("UPDATING", MaxWorkers=5))
    mwaa.get(env("AVAILABLE", MaxWorkers=5))

    result = run_module(mwaa_environment, dict(ARGS, max_workers=5), diff=True)

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["diff"] == {"before": {"max_workers": 2}, "after": {"max_workers": 5}}
    assert result["environment"]["max_workers"] == 5
    assert clock.sleeps == [2]


def test_update_can_carry_worker_replacement_strategy(mwaa, run_module):
    mwaa.get(env())
    mwaa.update({"Name": NAME, "DagS3Path": "dags/v2", "WorkerReplacementStrategy": "GRACEFUL"})
    mwaa.get(env(DagS3Path="dags/v2"))

    result = run_module(
        mwaa_environment, dict(ARGS, dag_s3_path="dags/v2", worker_replacement_strategy="GRACEFUL", wait=False)
    )

    assert result["rc"] == 0, result
    assert result["changed"] is True


def test_worker_replacement_strategy_alone_changes_nothing(mwaa, run_module):
    mwaa.get(env())

    result = run_module(mwaa_environment, dict(ARGS, worker_replacement_strategy="FORCED"))

    assert result["changed"] is False


def test_security_groups_change_in_place(mwaa, run_module):
    new_sgs = ["sg-0ccc0000000000003", "sg-0ddd0000000000004"]
    mwaa.get(env())
    mwaa.update({"Name": NAME, "NetworkConfiguration": {"SecurityGroupIds": new_sgs}})
    mwaa.get(env(NetworkConfiguration={"SubnetIds": SUBNETS, "SecurityGroupIds": new_sgs}))

    result = run_module(
        mwaa_environment,
        dict(ARGS, network_configuration={"subnet_ids": SUBNETS, "security_group_ids": new_sgs}),
        diff=True,
    )

    assert result["rc"] == 0, result
    assert result["diff"]["before"] == {"network_configuration": {"security_group_ids": SGS}}
    assert result["diff"]["after"] == {"network_configuration": {"security_group_ids": new_sgs}}


@pytest.mark.parametrize(
    "override, option",
    [
        ({"network_configuration": {"subnet_ids": [SUBNETS[0], "subnet-0eee0000000000005"]}}, "network_configuration.subnet_ids"),
        ({"kms_key": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"}, "kms_key"),
        ({"endpoint_management": "CUSTOMER"}, "endpoint_management"),
    ],
)
def test_immutable_field_change_fails_naming_the_option(mwaa, run_module, override, option):
    mwaa.get(env())

    result = run_module(mwaa_environment, dict(ARGS, max_workers=9, **override))

    assert result["rc"] == 1
    assert f"Cannot change {option} of the existing MWAA environment '{NAME}'" in result["msg"]
    assert result["immutable_options"] == [option]


def test_kms_key_given_as_id_matches_the_reported_arn(mwaa, run_module):
    key_id = "11111111-2222-3333-4444-555555555555"
    mwaa.get(env(KmsKey=f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"))

    result = run_module(mwaa_environment, dict(ARGS, kms_key=key_id))

    assert result["rc"] == 0, result
    assert result["changed"] is False


def test_update_waits_for_an_update_in_progress(mwaa, run_module, clock):
    mwaa.get(env("UPDATING"))
    mwaa.get(env("UPDATING"))
    mwaa.get(env("AVAILABLE"))
    mwaa.update({"Name": NAME, "EnvironmentClass": "mw1.medium"})
    mwaa.get(env("AVAILABLE", EnvironmentClass="mw1.medium"))

    result = run_module(mwaa_environment, dict(ARGS, environment_class="mw1.medium"))

    assert result["rc"] == 0, result
    assert result["environment"]["environment_class"] == "mw1.medium"
    assert clock.sleeps == [2]


def test_in_progress_update_that_already_applied_the_change_is_not_repeated(mwaa, run_module):
    mwaa.get(env("MAINTENANCE"))
    mwaa.get(env("AVAILABLE", MaxWorkers=6))

    result = run_module(mwaa_environment, dict(ARGS, max_workers=6))

    assert result["rc"] == 0, result
    assert result["changed"] is False


def test_update_failed_reports_last_update_error(mwaa, run_module):
    mwaa.get(env())
    mwaa.update({"Name": NAME, "MaxWorkers": 50})
    mwaa.get(env("UPDATING"))
    mwaa.get(env("ROLLING_BACK"))
    mwaa.get(
        env("UPDATE_FAILED", LastUpdate=failed_update("WORKER_LIMIT", "MaxWorkers exceeds the account quota"))
    )

    result = run_module(mwaa_environment, dict(ARGS, max_workers=50))

    assert result["rc"] == 1
    assert "UPDATE_FAILED" in result["msg"]
    assert "WORKER_LIMIT: MaxWorkers exceeds the account quota" in result["msg"]
    assert "rolled back" in result["msg"]


def test_update_failed_environment_is_updated_again(mwaa, run_module):
    mwaa.get(env("UPDATE_FAILED", LastUpdate=failed_update("X", "earlier failure")))
    mwaa.update({"Name": NAME, "MaxWorkers": 3})
    mwaa.get(env("AVAILABLE", MaxWorkers=3))

    result = run_module(mwaa_environment, dict(ARGS, max_workers=3))

    assert result["rc"] == 0, result
    assert result["changed"] is True


def test_update_failed_environment_matching_settings_only_warns(mwaa, run_module):
    mwaa.get(env("UPDATE_FAILED", LastUpdate=failed_update("X", "earlier failure")))

    result = run_module(mwaa_environment, ARGS)

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert any("X: earlier failure" in w for w in result["warnings"])


def test_pending_environment_refuses_updates(mwaa, run_module):
    mwaa.get(env("PENDING", EndpointManagement="CUSTOMER"))

    result = run_module(mwaa_environment, dict(ARGS, max_workers=4))

    assert result["rc"] == 1
    assert "PENDING" in result["msg"]
    assert "VPC endpoints" in result["msg"]


def test_unavailable_environment_without_changes_fails_when_waiting(mwaa, run_module):
    mwaa.get(env("UNAVAILABLE", LastUpdate=failed_update("SCHEDULER_DOWN", "Schedulers did not start")))

    result = run_module(mwaa_environment, ARGS)

    assert result["rc"] == 1
    assert "SCHEDULER_DOWN: Schedulers did not start" in result["msg"]


def test_logging_change_sends_all_components(mwaa, run_module):
    mwaa.get(env())
    mwaa.update(
        {
            "Name": NAME,
            "LoggingConfiguration": {
                "SchedulerLogs": {"Enabled": True, "LogLevel": "WARNING"},
                "TaskLogs": {"Enabled": True, "LogLevel": "INFO"},
            },
        }
    )
    mwaa.get(env())

    result = run_module(
        mwaa_environment,
        dict(ARGS, logging_configuration={"scheduler_logs": {"log_level": "WARNING"}}, wait=False),
        diff=True,
    )

    assert result["rc"] == 0, result
    assert result["diff"]["before"] == {"logging_configuration": {"scheduler_logs": {"enabled": False, "log_level": "INFO"}}}
    assert result["diff"]["after"] == {"logging_configuration": {"scheduler_logs": {"enabled": True, "log_level": "WARNING"}}}


# --- airflow configuration options -----------------------------------------------------------------


def test_boolean_options_are_lowercased_with_a_warning(mwaa, run_module):
    mwaa.get_missing()
    mwaa.create(
        create_request(
            AirflowConfigurationOptions={
                "core.load_examples": "false",
                "openlineage.disabled": "true",
                "core.parallelism": "32",
                "openlineage.transport": '{"type":"http","url":"http://10.0.0.5:5000"}',
            }
        )
    )
    mwaa.get(env())

    result = run_module(
        mwaa_environment,
        dict(
            ARGS,
            airflow_configuration_options={
                "core.load_examples": False,
                "openlineage.disabled": True,
                "core.parallelism": 32,
                "openlineage.transport": {"type": "http", "url": "http://10.0.0.5:5000"},
            },
        ),
    )

    assert result["rc"] == 0, result
    warnings = result["warnings"]
    assert any("core.load_examples" in w and "'false'" in w for w in warnings)
    assert any("openlineage.disabled" in w and "'true'" in w for w in warnings)
    assert not any("core.parallelism" in w for w in warnings)


def test_option_change_replaces_the_map_and_diffs_changed_keys_only(mwaa, run_module):
    current = {"core.load_examples": "false", "openlineage.namespace": "lineage-dev", "core.old": "1"}
    wanted = {"core.load_examples": "false", "openlineage.namespace": "lineage-blue-dev"}
    mwaa.get(env(AirflowConfigurationOptions=current))
    mwaa.update({"Name": NAME, "AirflowConfigurationOptions": wanted})
    mwaa.get(env(AirflowConfigurationOptions=wanted))

    result = run_module(mwaa_environment, dict(ARGS, airflow_configuration_options=wanted), diff=True)

    assert result["rc"] == 0, result
    assert result["diff"]["before"] == {
        "airflow_configuration_options": {"core.old": "1", "openlineage.namespace": "lineage-dev"}
    }
    assert result["diff"]["after"] == {"airflow_configuration_options": {"openlineage.namespace": "lineage-blue-dev"}}
    # Option keys stay verbatim in the snake_case output.
    assert result["environment"]["airflow_configuration_options"] == wanted


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"Core.Load": "x"}, "key 'Core.Load' is invalid"),
        ({"core.load_examples": None}, "is null"),
        ({"core.x": ""}, "is empty"),
        ({"core.x": "line1\nline2"}, "printable ASCII"),
        ({"a" * 65: "x"}, "at most 64"),
    ],
)
def test_invalid_options_fail_before_any_call(mwaa, run_module, options, fragment):
    result = run_module(mwaa_environment, dict(ARGS, airflow_configuration_options=options))

    assert result["rc"] == 1
    assert fragment in result["msg"]


def test_credentials_in_options_are_masked_in_output_and_diff(mwaa, run_module):
    secret = "s3cr3t-api-key-value"
    transport = {"type": "http", "url": "http://10.0.0.5:5000", "auth": {"type": "api_key", "apiKey": secret}}
    mwaa.get(env(AirflowConfigurationOptions={"openlineage.transport": "{}"}))
    mwaa.update({"Name": NAME, "AirflowConfigurationOptions": {"openlineage.transport": json.dumps(transport, separators=(",", ":"))}})
    mwaa.get(env(AirflowConfigurationOptions={"openlineage.transport": json.dumps(transport)}))

    result = run_module(mwaa_environment, dict(ARGS, airflow_configuration_options={"openlineage.transport": transport}), diff=True)

    assert result["rc"] == 0, result
    assert secret not in result["raw"]
    assert "********" in result["diff"]["after"]["airflow_configuration_options"]["openlineage.transport"]


# --- tags ---------------------------------------------------------------------------------------


def test_tags_are_added_and_purged(mwaa, run_module):
    mwaa.get(env(Tags={"Project": "lineage", "Old": "x", "aws:cloudformation:stack-name": "s"}))
    mwaa.untag(["Old"])
    mwaa.tag({"Owner": "data"})
    mwaa.get(env(Tags={"Project": "lineage", "Owner": "data", "aws:cloudformation:stack-name": "s"}))

    result = run_module(mwaa_environment, dict(ARGS, tags={"Project": "lineage", "Owner": "data"}), diff=True)

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["diff"]["after"]["tags"] == {
        "Project": "lineage",
        "Owner": "data",
        "aws:cloudformation:stack-name": "s",
    }
    assert result["environment"]["tags"]["Owner"] == "data"


def test_tags_without_purge_only_add(mwaa, run_module):
    mwaa.get(env(Tags={"Project": "lineage", "Old": "x"}))
    mwaa.tag({"Owner": "data"})
    mwaa.get(env(Tags={"Project": "lineage", "Old": "x", "Owner": "data"}))

    result = run_module(mwaa_environment, dict(ARGS, tags={"Owner": "data"}, purge_tags=False))

    assert result["rc"] == 0, result
    assert result["changed"] is True


# --- check mode ----------------------------------------------------------------------------------


def test_check_mode_create_makes_no_write_call(mwaa, run_module):
    mwaa.get_missing()

    result = run_module(mwaa_environment, dict(ARGS, tags={"Project": "lineage"}), check_mode=True, diff=True)

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["environment"] == {}
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["name"] == NAME
    assert result["diff"]["after"]["network_configuration"] == {"subnet_ids": SUBNETS, "security_group_ids": SGS}
    assert result["diff"]["after"]["tags"] == {"Project": "lineage"}
    assert result["attempts"] == 0


def test_check_mode_update_makes_no_write_call_and_does_not_wait(mwaa, run_module, clock):
    mwaa.get(env("UPDATING"))

    result = run_module(
        mwaa_environment, dict(ARGS, max_workers=4, tags={"New": "tag"}), check_mode=True, diff=True
    )

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {"max_workers": 2, "tags": {"Project": "lineage"}}
    assert result["diff"]["after"] == {"max_workers": 4, "tags": {"New": "tag"}}
    assert clock.sleeps == []


def test_check_mode_delete_makes_no_write_call(mwaa, run_module):
    mwaa.get(env())

    result = run_module(mwaa_environment, {"name": NAME, "state": "absent"}, check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["diff"]["before"]["name"] == NAME
    assert result["diff"]["after"] == {}


# --- delete ------------------------------------------------------------------------------------------


def test_delete_waits_until_gone(mwaa, run_module, clock):
    mwaa.get(env())
    mwaa.delete()
    mwaa.get(env("DELETING"))
    mwaa.get(env("DELETED"))

    result = run_module(mwaa_environment, {"name": NAME, "state": "absent"})

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["environment"] == {}
    assert clock.sleeps == [2]


def test_absent_when_missing_changes_nothing(mwaa, run_module):
    mwaa.get_missing()

    result = run_module(mwaa_environment, {"name": NAME, "state": "absent"})

    assert result["rc"] == 0, result
    assert result["changed"] is False


def test_delete_waits_for_running_operation_first(mwaa, run_module):
    mwaa.get(env("CREATING"))
    mwaa.get(env("AVAILABLE"))
    mwaa.delete()

    result = run_module(mwaa_environment, {"name": NAME, "state": "absent", "wait": False})

    assert result["rc"] == 0, result
    assert result["changed"] is True


def test_already_deleting_is_not_a_change(mwaa, run_module):
    mwaa.get(env("DELETING"))
    mwaa.get_missing()

    result = run_module(mwaa_environment, {"name": NAME, "state": "absent"})

    assert result["changed"] is False


def test_delete_of_vanished_environment_is_not_a_change(mwaa, run_module):
    mwaa.get(env())
    mwaa.error("delete_environment", "ResourceNotFoundException", 404, {"Name": NAME})

    result = run_module(mwaa_environment, {"name": NAME, "state": "absent"})

    assert result["rc"] == 0, result
    assert result["changed"] is False


# --- input validation, errors, client -----------------------------------------------------------------


@pytest.mark.parametrize(
    "override, fragment",
    [
        ({"name": "1bad"}, "name '1bad' is invalid"),
        ({"network_configuration": {"subnet_ids": SUBNETS[:1], "security_group_ids": SGS}}, "exactly 2"),
        ({"network_configuration": {"subnet_ids": SUBNETS, "security_group_ids": [f"sg-{i}" for i in range(6)]}}, "1 to 5"),
        ({"source_bucket_arn": "lineage-dev-dags"}, "not an S3 bucket ARN"),
        ({"execution_role_arn": "lineage-role"}, "not an IAM role ARN"),
        ({"min_workers": 5, "max_workers": 2}, "min_workers (5) must not be greater than max_workers (2)"),
        ({"weekly_maintenance_window_start": "SUN:03:15"}, "weekly_maintenance_window_start"),
        ({"schedulers": 6}, "schedulers must be between 1 and 5"),
    ],
)
def test_bad_input_fails_before_any_aws_call(mwaa, run_module, override, fragment):
    result = run_module(mwaa_environment, dict(ARGS, **override))

    assert result["rc"] == 1
    assert fragment in result["msg"]


def test_object_version_requires_its_path(mwaa, run_module):
    result = run_module(mwaa_environment, {"name": NAME, "plugins_s3_object_version": "v1"})

    assert result["rc"] == 1
    assert "plugins_s3_path" in result["msg"]


def test_throttling_is_retried(mwaa, run_module, clock):
    mwaa.error("get_environment", "ThrottlingException", 400, {"Name": NAME})
    mwaa.error("get_environment", "InternalServerException", 500, {"Name": NAME})
    mwaa.get(env())

    result = run_module(mwaa_environment, ARGS)

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert len(clock.sleeps) == 2


def test_validation_error_is_reported_with_the_operation(mwaa, run_module):
    mwaa.get(env())
    mwaa.error("update_environment", "ValidationException", 400)

    result = run_module(mwaa_environment, dict(ARGS, airflow_version="2.10.3"))

    assert result["rc"] == 1
    # Without a new execution role, an update's ValidationException is not an IAM delay.
    assert result["attempts"] == 1
    assert f"Failed to update MWAA environment '{NAME}': An error occurred (ValidationException)" in result["msg"]
    assert "ValidationException" in result["msg"]


def test_client_disables_host_prefix_only_with_endpoint_url(mwaa, run_module, client_calls):
    mwaa.get(env())
    mwaa.get(env())

    run_module(mwaa_environment, ARGS)
    run_module(mwaa_environment, dict(ARGS, endpoint_url="http://127.0.0.1:4573"))

    assert client_calls[0]["service"] == "mwaa"
    assert "config" not in client_calls[0]
    config = client_calls[1]["config"]
    assert isinstance(config, Config)
    assert config.inject_host_prefix is False
    assert client_calls[0]["retry_decorator"] is not None


def test_every_create_environment_field_has_an_option():
    """Each CreateEnvironment member of the installed botocore model maps to a module option."""
    import boto3
    import yaml
    from ansible.module_utils.common.dict_transformations import _camel_to_snake

    members = boto3.client("mwaa", region_name="us-east-1").meta.service_model.operation_model(
        "CreateEnvironment"
    ).input_shape.members
    # tags/purge_tags come from the amazon.aws.tags doc fragment.
    options = set(yaml.safe_load(mwaa_environment.DOCUMENTATION)["options"]) | {"tags"}
    assert [m for m in members if _camel_to_snake(m) not in options] == []


# --- unset options are not compared (defaults apply on create only) -------------------------------


def test_unset_version_and_access_mode_are_not_sent_to_an_existing_environment(mwaa, run_module):
    # An Airflow 2.11 environment with a public web server: a task that sets only max_workers must
    # not upgrade it to the create default 3.0.6 nor make its web server private.
    existing = env(AirflowVersion="2.11.0", WebserverAccessMode="PUBLIC_ONLY")
    mwaa.get(existing)
    mwaa.update({"Name": NAME, "MaxWorkers": 4})
    mwaa.get(dict(existing, MaxWorkers=4))

    result = run_module(mwaa_environment, {"name": NAME, "max_workers": 4, "wait": False}, diff=True)

    assert result["rc"] == 0, result
    assert result["diff"] == {"before": {"max_workers": 2}, "after": {"max_workers": 4}}
    assert result["environment"]["airflow_version"] == "2.11.0"


def test_unset_version_and_access_mode_alone_change_nothing(mwaa, run_module):
    mwaa.get(env(AirflowVersion="2.11.0", WebserverAccessMode="PUBLIC_ONLY"))

    result = run_module(mwaa_environment, {"name": NAME, "max_workers": 2})

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert result["attempts"] == 0


def test_set_version_and_access_mode_are_compared(mwaa, run_module):
    mwaa.get(env(AirflowVersion="2.11.0", WebserverAccessMode="PUBLIC_ONLY"))
    mwaa.update({"Name": NAME, "AirflowVersion": "3.0.6", "WebserverAccessMode": "PRIVATE_ONLY"})
    mwaa.get(env("UPDATING"))

    result = run_module(
        mwaa_environment,
        {"name": NAME, "airflow_version": "3.0.6", "webserver_access_mode": "PRIVATE_ONLY", "wait": False},
    )

    assert result["rc"] == 0, result
    assert result["changed"] is True


def test_create_sends_the_given_version_and_access_mode(mwaa, run_module):
    mwaa.get_missing()
    mwaa.create(create_request(AirflowVersion="2.11.0", WebserverAccessMode="PUBLIC_ONLY"))
    mwaa.get(env("CREATING"))

    result = run_module(
        mwaa_environment, dict(ARGS, airflow_version="2.11.0", webserver_access_mode="PUBLIC_ONLY", wait=False)
    )

    assert result["rc"] == 0, result
    assert result["attempts"] == 1


@pytest.mark.parametrize("value, word", [(None, "null"), ("", "empty")])
def test_empty_tag_value_is_refused_naming_the_key_before_any_call(mwaa, run_module, value, word):
    result = run_module(mwaa_environment, dict(ARGS, tags={"Project": "lineage", "Owner": value}))

    assert result["rc"] == 1
    assert f"tags['Owner'] is {word}" in result["msg"]
    assert "Project" not in result["msg"]


# --- IAM propagation -------------------------------------------------------------------------------

ASSUME_ROLE_MESSAGE = (
    f"Failed to assume role {ROLE}. This could be due to the role's trust policy. Please ensure your role is "
    "assumable by 'airflow-env.amazonaws.com' Service Principal and try again."
)


def test_create_is_repeated_while_the_new_role_propagates(mwaa, run_module, clock):
    mwaa.get_missing()
    mwaa.error("create_environment", "ValidationException", expected=create_request(), message=ASSUME_ROLE_MESSAGE)
    mwaa.create(create_request())
    mwaa.get(env("CREATING"))

    result = run_module(mwaa_environment, dict(ARGS, wait=False))

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["attempts"] == 2
    assert clock.sleeps == [5]


def test_create_fails_with_the_last_message_when_the_time_is_up(mwaa, run_module, clock):
    mwaa.get_missing()
    for _ in range(2):
        mwaa.error("create_environment", "ValidationException", message=ASSUME_ROLE_MESSAGE)

    result = run_module(mwaa_environment, dict(ARGS, iam_propagation_timeout=1))

    assert result["rc"] == 1
    assert result["attempts"] == 2
    assert f"Failed to create MWAA environment '{NAME}' after 2 attempts in 1 s (iam_propagation_timeout=1)" in result["msg"]
    assert result["msg"].endswith(ASSUME_ROLE_MESSAGE)
    assert clock.sleeps == [1]


def test_any_validation_error_is_retried_within_the_bound(mwaa, run_module, clock):
    # MWAA cannot tell a propagating role from a wrong input, so a genuinely bad input costs the
    # whole iam_propagation_timeout (5 s doubling to 30 s, the last wait cut to the deadline).
    mwaa.get_missing()
    for _ in range(7):
        mwaa.error("create_environment", "ValidationException", message="Invalid AirflowVersion: 9.9.9")

    result = run_module(mwaa_environment, dict(ARGS, airflow_version="9.9.9"))

    assert result["rc"] == 1
    assert result["attempts"] == 7
    assert clock.sleeps == [5, 10, 20, 30, 30, 25]
    assert sum(clock.sleeps) == 120
    assert "after 7 attempts in 120 s" in result["msg"]
    assert result["msg"].endswith("Invalid AirflowVersion: 9.9.9")


def test_zero_timeout_makes_one_attempt(mwaa, run_module, clock):
    mwaa.get_missing()
    mwaa.error("create_environment", "ValidationException", message=ASSUME_ROLE_MESSAGE)

    result = run_module(mwaa_environment, dict(ARGS, iam_propagation_timeout=0))

    assert result["rc"] == 1
    assert result["attempts"] == 1
    assert result["msg"] == (
        f"Failed to create MWAA environment '{NAME}': An error occurred (ValidationException) when calling the "
        f"CreateEnvironment operation: {ASSUME_ROLE_MESSAGE}"
    )
    assert clock.sleeps == []


def test_other_error_codes_are_not_retried_as_propagation(mwaa, run_module, clock):
    mwaa.get_missing()
    mwaa.error("create_environment", "AccessDeniedException", status=403, message="not authorized to perform")

    result = run_module(mwaa_environment, ARGS)

    assert result["rc"] == 1
    assert result["attempts"] == 1
    assert clock.sleeps == []


def test_update_to_a_new_role_is_repeated_while_it_propagates(mwaa, run_module, clock):
    new_role = "arn:aws:iam::123456789012:role/lineage-dev-mwaa-v2"
    request = {"Name": NAME, "ExecutionRoleArn": new_role}
    mwaa.get(env())
    mwaa.error("update_environment", "ValidationException", expected=request, message=ASSUME_ROLE_MESSAGE)
    mwaa.update(request)
    mwaa.get(env("UPDATING", ExecutionRoleArn=new_role))

    result = run_module(mwaa_environment, dict(ARGS, execution_role_arn=new_role, wait=False))

    assert result["rc"] == 0, result
    assert result["attempts"] == 2
    assert clock.sleeps == [5]


def test_negative_iam_propagation_timeout_is_refused(mwaa, run_module):
    result = run_module(mwaa_environment, dict(ARGS, iam_propagation_timeout=-1))

    assert result["rc"] == 1
    assert "iam_propagation_timeout must not be negative" in result["msg"]
