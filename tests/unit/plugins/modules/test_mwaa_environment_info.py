"""Unit tests for dataplatform.mwaa_lineage.mwaa_environment_info."""

import datetime

from ansible_collections.dataplatform.mwaa_lineage.plugins.modules import mwaa_environment_info

from mwaa_harness import ARN, NAME

CREATED = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


def env(name=NAME, status="AVAILABLE", **extra):
    environment = {
        "Name": name,
        "Arn": ARN.replace(NAME, name),
        "Status": status,
        "CreatedAt": CREATED,
        "AirflowVersion": "3.0.6",
        "Tags": {"Project": "lineage"},
        "AirflowConfigurationOptions": {"core.load_examples": "false"},
    }
    environment.update(extra)
    return environment


def test_one_environment_by_name(mwaa, run_module):
    mwaa.get(env(status="UPDATE_FAILED", LastUpdate={"Status": "FAILED", "Error": {"ErrorCode": "E", "ErrorMessage": "m"}}))

    result = run_module(mwaa_environment_info, {"name": NAME})

    assert result["rc"] == 0, result
    assert result["changed"] is False
    [environment] = result["environments"]
    assert environment["name"] == NAME
    assert environment["status"] == "UPDATE_FAILED"
    assert environment["last_update"]["error"] == {"error_code": "E", "error_message": "m"}
    # Data keys stay verbatim.
    assert environment["tags"] == {"Project": "lineage"}
    assert environment["airflow_configuration_options"] == {"core.load_examples": "false"}


def test_missing_name_returns_empty_list(mwaa, run_module):
    mwaa.get_missing()

    result = run_module(mwaa_environment_info, {"name": NAME})

    assert result["rc"] == 0, result
    assert result["environments"] == []


def test_all_environments_follow_pagination(mwaa, run_module):
    mwaa.list(["a-blue", "a-green"], next_token="page2")
    mwaa.list(["b-dev"], expected={"NextToken": "page2"})
    mwaa.get(env("a-blue"), name="a-blue")
    mwaa.get_missing(name="a-green")  # deleted between the list and the describe
    mwaa.get(env("b-dev", status="CREATING"), name="b-dev")

    result = run_module(mwaa_environment_info, {})

    assert result["rc"] == 0, result
    assert [(e["name"], e["status"]) for e in result["environments"]] == [("a-blue", "AVAILABLE"), ("b-dev", "CREATING")]


def test_check_mode_is_supported(mwaa, run_module):
    mwaa.get(env())

    result = run_module(mwaa_environment_info, {"name": NAME}, check_mode=True)

    assert result["rc"] == 0, result
    assert len(result["environments"]) == 1


def test_credentials_are_masked(mwaa, run_module):
    transport = '{"type":"http","url":"http://10.0.0.5:5000","auth":{"type":"api_key","apiKey":"topsecretkey"}}'
    mwaa.get(env(AirflowConfigurationOptions={"openlineage.transport": transport, "core.fernet_key": "fernet-value-123"}))

    result = run_module(mwaa_environment_info, {"name": NAME})

    assert "topsecretkey" not in result["raw"]
    assert "fernet-value-123" not in result["raw"]
    assert "http://10.0.0.5:5000" in result["environments"][0]["airflow_configuration_options"]["openlineage.transport"]


def test_api_error_fails_cleanly(mwaa, run_module):
    mwaa.error("list_environments", "AccessDeniedException", 403)

    result = run_module(mwaa_environment_info, {})

    assert result["rc"] == 1
    assert "Failed to describe MWAA environments" in result["msg"]
    assert "AccessDeniedException" in result["msg"]
