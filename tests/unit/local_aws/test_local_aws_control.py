"""The emulator's control API: fault injection, delays, forced statuses, reset."""

import time

import pytest
from botocore.exceptions import ClientError


def _create(mwaa, prereq, name, **extra):
    return mwaa.create_environment(Name=name, **prereq, **extra)


def test_create_failed_for_one_named_environment(aws, mwaa, prereq, wait):
    aws.inject_fault("create_failed", name="ctl-fail", error_code="INCORRECT_CONFIGURATION",
                     error_message="subnets have no route to the internet")
    _create(mwaa, prereq, "ctl-other")
    _create(mwaa, prereq, "ctl-fail")
    assert wait(mwaa, "ctl-fail", {"CREATE_FAILED", "AVAILABLE"}) == "CREATE_FAILED"
    env = mwaa.get_environment(Name="ctl-fail")["Environment"]
    assert env["LastUpdate"]["Status"] == "FAILED"
    assert env["LastUpdate"]["Error"] == {
        "ErrorCode": "INCORRECT_CONFIGURATION", "ErrorMessage": "subnets have no route to the internet"}
    assert wait(mwaa, "ctl-other", {"CREATE_FAILED", "AVAILABLE"}) == "AVAILABLE"
    assert aws.control("GET", "mwaa/faults") == []  # used up
    # A failed environment cannot be updated but can be deleted, as on AWS.
    with pytest.raises(ClientError) as excinfo:
        mwaa.update_environment(Name="ctl-fail", MaxWorkers=2)
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    mwaa.delete_environment(Name="ctl-fail")
    assert wait(mwaa, "ctl-fail", {None}) is None


def test_create_failed_for_any_environment_uses_the_default_error(aws, mwaa, prereq, wait):
    aws.inject_fault("create_failed")
    _create(mwaa, prereq, "ctl-any")
    assert wait(mwaa, "ctl-any", {"CREATE_FAILED", "AVAILABLE"}) == "CREATE_FAILED"
    error = mwaa.get_environment(Name="ctl-any")["Environment"]["LastUpdate"]["Error"]
    assert error["ErrorCode"] == "INCORRECT_CONFIGURATION"
    assert "execution role" in error["ErrorMessage"]


def test_update_failed_rolls_back(aws, mwaa, prereq, wait):
    _create(mwaa, prereq, "ctl-upd", MaxWorkers=4)
    wait(mwaa, "ctl-upd", {"AVAILABLE"})
    aws.inject_fault("update_failed", name="ctl-upd", error_code="UPDATE_TIMEOUT", error_message="workers did not start")
    mwaa.update_environment(Name="ctl-upd", MaxWorkers=8, AirflowConfigurationOptions={"core.parallelism": "8"})
    assert mwaa.get_environment(Name="ctl-upd")["Environment"]["MaxWorkers"] == 8
    assert wait(mwaa, "ctl-upd", {"UPDATE_FAILED", "AVAILABLE"}) == "UPDATE_FAILED"
    env = mwaa.get_environment(Name="ctl-upd")["Environment"]
    assert env["LastUpdate"]["Status"] == "FAILED"
    assert env["LastUpdate"]["Error"] == {"ErrorCode": "UPDATE_TIMEOUT", "ErrorMessage": "workers did not start"}
    assert env["MaxWorkers"] == 4 and env["AirflowConfigurationOptions"] == {}  # previous configuration
    # UPDATE_FAILED environments accept the next update, which then succeeds.
    mwaa.update_environment(Name="ctl-upd", MaxWorkers=5)
    assert wait(mwaa, "ctl-upd", {"UPDATE_FAILED", "AVAILABLE"}) == "AVAILABLE"
    env = mwaa.get_environment(Name="ctl-upd")["Environment"]
    assert env["MaxWorkers"] == 5 and "Error" not in env["LastUpdate"]


def test_api_error_fault(aws, mwaa, prereq):
    aws.inject_fault("api_error", operation="CreateEnvironment", error_code="ServiceUnavailableException",
                     error_message="try later", http_status=503, count=1)
    strict = aws.client("mwaa", retries={"total_max_attempts": 1, "mode": "standard"})
    with pytest.raises(ClientError) as excinfo:
        _create(strict, prereq, "ctl-api")
    assert excinfo.value.response["Error"] == {"Code": "ServiceUnavailableException", "Message": "try later"}
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    _create(strict, prereq, "ctl-api")  # the fault was used once
    assert mwaa.get_environment(Name="ctl-api")["Environment"]["Status"] == "CREATING"


def test_forced_status_and_delays(aws, mwaa, prereq, wait):
    aws.mwaa_settings(create_delay=30)
    try:
        _create(mwaa, prereq, "ctl-slow")
        time.sleep(0.5)
        assert mwaa.get_environment(Name="ctl-slow")["Environment"]["Status"] == "CREATING"
        forced = aws.set_mwaa_status("ctl-slow", "AVAILABLE")
        assert forced["Status"] == "AVAILABLE"
    finally:
        aws.mwaa_settings(create_delay=0.3)
    aws.set_mwaa_status("ctl-slow", "MAINTENANCE", source="MAINTENANCE_WINDOW")
    env = mwaa.get_environment(Name="ctl-slow")["Environment"]
    assert env["Status"] == "MAINTENANCE" and env["LastUpdate"]["Source"] == "MAINTENANCE_WINDOW"
    aws.set_mwaa_status("ctl-slow", "UNAVAILABLE", error_code="INTERNAL_ERROR", error_message="scheduler down")
    env = mwaa.get_environment(Name="ctl-slow")["Environment"]
    assert env["Status"] == "UNAVAILABLE"
    assert env["LastUpdate"]["Error"] == {"ErrorCode": "INTERNAL_ERROR", "ErrorMessage": "scheduler down"}
    with pytest.raises(ClientError):
        mwaa.update_environment(Name="ctl-slow", MaxWorkers=2)
    with pytest.raises(AssertionError, match="status must be one of"):
        aws.set_mwaa_status("ctl-slow", "BROKEN")
    with pytest.raises(AssertionError, match="404"):
        aws.set_mwaa_status("ctl-nope", "AVAILABLE")


def test_settings_validation(aws):
    with pytest.raises(AssertionError, match="unknown setting"):
        aws.mwaa_settings(create_speed=1)
    with pytest.raises(AssertionError, match="iam_propagation_delay must be >= 0"):
        aws.mwaa_settings(iam_propagation_delay=-1)
    with pytest.raises(AssertionError, match="default_airflow_version"):
        aws.mwaa_settings(default_airflow_version="1.10.12")
    with pytest.raises(AssertionError, match="type must be one of"):
        aws.inject_fault("explode")


def test_default_airflow_version_setting(aws, mwaa, prereq):
    aws.mwaa_settings(default_airflow_version="2.10.3")
    try:
        _create(mwaa, prereq, "ctl-default-version")
    finally:
        aws.mwaa_settings(default_airflow_version="3.0.6")
    assert mwaa.get_environment(Name="ctl-default-version")["Environment"]["AirflowVersion"] == "2.10.3"


def test_reset_empties_everything(aws, mwaa, prereq):
    _create(mwaa, prereq, "ctl-reset")
    aws.inject_fault("update_failed")
    aws.mwaa_settings(update_delay=9)
    aws.set_vpc_callers("ctl-reset", source_cidrs=["127.0.0.1/32"])
    aws.client("ssm").put_parameter(Name="/ctl/reset", Value="x", Type="String")
    aws.reset()
    assert mwaa.list_environments()["Environments"] == []
    assert aws.control("GET", "mwaa/faults") == []
    assert aws.mwaa_settings()["update_delay"] == 2.0  # start-up value
    assert aws.client("ssm").describe_parameters()["Parameters"] == []
    with pytest.raises(AssertionError, match="404"):
        aws.control("GET", "mwaa/environments/ctl-reset/vpc-callers")
    assert [c["operation"] for c in aws.calls()] == ["ListEnvironments", "DescribeParameters"]
    assert aws.mwaa_settings()["iam_propagation_delay"] == 3.0  # start-up value
    aws.mwaa_settings(create_delay=0.3, update_delay=0.3, delete_delay=0.2, iam_propagation_delay=0.0)
