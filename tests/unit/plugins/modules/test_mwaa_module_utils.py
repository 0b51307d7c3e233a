"""Unit tests for plugins/module_utils/mwaa.py (shared with later MWAA modules)."""

import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import mwaa as mwaa_utils

from mwaa_harness import NAME


@pytest.fixture
def stubbed(clock):
    client = boto3.client("mwaa", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                          endpoint_url="https://api.airflow.us-east-1.amazonaws.com")
    stubber = Stubber(client)
    with stubber:
        # What get_mwaa_client returns: calls accept aws_retry=True.
        yield RetryingBotoClientWrapper(client, mwaa_utils.mwaa_retry()), stubber
        stubber.assert_no_pending_responses()


def _status(stubber, status, **extra):
    env = {"Name": NAME, "Status": status}
    env.update(extra)
    stubber.add_response("get_environment", {"Environment": env}, {"Name": NAME})


def test_progress_is_reported_on_every_poll_and_interval_is_capped(stubbed, clock):
    client, stubber = stubbed
    for _ in range(6):
        _status(stubber, "CREATING")
    _status(stubber, "AVAILABLE")
    seen = []

    env = mwaa_utils.wait_for_environment(
        client, NAME, {"AVAILABLE"}, timeout=3600, delay=5, max_delay=30,
        progress=lambda name, status, elapsed, environment: seen.append((name, status, elapsed)),
    )

    assert env["Status"] == "AVAILABLE"
    assert clock.sleeps == [5, 10, 20, 30, 30, 30]
    assert [s for _, s, _ in seen] == ["CREATING"] * 6 + ["AVAILABLE"]
    assert [e for _, _, e in seen] == [0, 5, 15, 35, 65, 95, 125]
    assert {n for n, _, _ in seen} == {NAME}


def test_failed_status_raises_with_last_update_error(stubbed):
    client, stubber = stubbed
    _status(stubber, "UPDATING")
    _status(stubber, "UPDATE_FAILED", LastUpdate={"Status": "FAILED", "Error": {"ErrorCode": "C", "ErrorMessage": "m"}})

    with pytest.raises(mwaa_utils.MWAAEnvironmentFailed) as exc:
        mwaa_utils.wait_for_environment(client, NAME, {"AVAILABLE"}, failed_statuses=mwaa_utils.FAILED_STATUSES)

    assert exc.value.message == f"MWAA environment '{NAME}' is UPDATE_FAILED: C: m"
    assert exc.value.environment["Status"] == "UPDATE_FAILED"


def test_absent_ok_returns_none_when_gone(stubbed):
    client, stubber = stubbed
    _status(stubber, "DELETING")
    stubber.add_client_error("get_environment", "ResourceNotFoundException", http_status_code=404,
                             expected_params={"Name": NAME})

    assert mwaa_utils.wait_for_environment(client, NAME, (), absent_ok=True) is None


def test_disappearing_environment_is_an_error(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("get_environment", "ResourceNotFoundException", http_status_code=404,
                             expected_params={"Name": NAME})

    with pytest.raises(mwaa_utils.MWAAWaitError, match="disappeared"):
        mwaa_utils.wait_for_environment(client, NAME, {"AVAILABLE"})


def test_other_client_errors_propagate(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("get_environment", "AccessDeniedException", http_status_code=403,
                             expected_params={"Name": NAME})

    with pytest.raises(Exception, match="AccessDeniedException"):
        mwaa_utils.get_environment(client, NAME)


def test_status_sets_partition_every_status():
    assert mwaa_utils.TRANSITIONAL_STATUSES | mwaa_utils.SETTLED_STATUSES == mwaa_utils.ALL_STATUSES
    assert not mwaa_utils.TRANSITIONAL_STATUSES & mwaa_utils.SETTLED_STATUSES
    model = boto3.client("mwaa", region_name="us-east-1").meta.service_model
    assert set(model.shape_for("EnvironmentStatus").enum) == mwaa_utils.ALL_STATUSES
    assert mwaa_utils.STABLE_STATUSES == {"AVAILABLE", "UPDATE_FAILED"}
    assert mwaa_utils.PENDING in mwaa_utils.SETTLED_STATUSES


def test_environment_to_snake_keeps_data_keys():
    env = {
        "Name": "n",
        "CreatedAt": datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc),
        "AirflowConfigurationOptions": {"core.load_examples": "false", "openlineage.Transport_X": "y"},
        "Tags": {"CostCenter": "42"},
        "Teams": {"TeamA": {"SourceBucketArn": "arn:aws:s3:::b", "DagS3Path": "dags/a"}},
        "LastUpdate": {"Error": {"ErrorCode": "E"}},
    }

    snake = mwaa_utils.environment_to_snake(env)

    assert snake == {
        "name": "n",
        "created_at": "2025-01-01T00:00:00+00:00",
        "airflow_configuration_options": {"core.load_examples": "false", "openlineage.Transport_X": "y"},
        "tags": {"CostCenter": "42"},
        "teams": {"TeamA": {"source_bucket_arn": "arn:aws:s3:::b", "dag_s3_path": "dags/a"}},
        "last_update": {"error": {"error_code": "E"}},
    }


@pytest.mark.parametrize(
    "value, expected",
    [(True, "true"), (False, "false"), (5, "5"), (2.5, "2.5"), ("x", "x"), ({"a": [1, True]}, '{"a":[1,true]}')],
)
def test_airflow_option_value(value, expected):
    text, warning = mwaa_utils.airflow_option_value("core.k", value)
    assert text == expected
    assert (warning is not None) == isinstance(value, bool)


def test_secret_values_finds_credentials_only():
    options = {
        "openlineage.transport": '{"type":"http","url":"http://h:5000","auth":{"type":"api_key","apiKey":"key-123456"}}',
        "core.fernet_key": "fernet-abcdef",
        "webserver.secret_key": "flask-secret",
        "smtp.smtp_password": "pw-123",
        "core.load_examples": "false",
        "secrets.backend_kwargs": '{"connections_prefix":"airflow/connections"}',
        "api.auth_token_ttl": "3600",
    }

    assert mwaa_utils.secret_values(options) == {"key-123456", "fernet-abcdef", "flask-secret", "pw-123"}
