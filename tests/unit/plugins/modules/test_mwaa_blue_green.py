"""Unit tests for dataplatform.mwaa_lineage.mwaa_blue_green.

The module runs through its real main(); SSM, MWAA and CloudWatch are botocore Stubbers
(which validate every request against the service models). The queued responses are the
exact calls expected, in order: a write that should not happen fails the test as an
unexpected call, and a planned call that did not happen fails assert_no_pending_responses.
"""

import datetime

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import blue_green as bg
from ansible_collections.dataplatform.mwaa_lineage.plugins.modules import mwaa_blue_green

from mwaa_harness import stub_clients

PARAM = "/mwaa/lineage/prod/blue-green/active-environment"
BLUE = "lineage-blue-prod"
GREEN = "lineage-green-prod"
ENVS = {"blue": BLUE, "green": GREEN}
NOW = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)


class Aws:
    """One Stubber per service, with helpers that queue exact expected calls."""

    def __init__(self):
        self.stubbers = {}
        self.clients = {}
        for service in ("ssm", "mwaa", "cloudwatch"):
            client = boto3.client(
                service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing",
            )
            self.clients[service] = client
            self.stubbers[service] = Stubber(client)

    # -- SSM
    def history(self, values, tier="Standard", ptype="String", description="Active color", name=PARAM):
        params = [
            {"Name": name, "Type": ptype, "Value": v, "Version": i + 1, "Tier": tier, "DataType": "text",
             **({"Description": description} if description else {})}
            for i, v in enumerate(values)
        ]
        self.stubbers["ssm"].add_response(
            "get_parameter_history", {"Parameters": params},
            {"Name": name, "MaxResults": 50, "WithDecryption": False},
        )

    def history_missing(self, name=PARAM):
        self.stubbers["ssm"].add_client_error(
            "get_parameter_history", service_error_code="ParameterNotFound", http_status_code=400,
            expected_params={"Name": name, "MaxResults": 50, "WithDecryption": False},
        )

    def put(self, value, version, tier="Standard", overwrite=True, description="Active color"):
        expected = {"Name": PARAM, "Value": value, "Type": "String", "Overwrite": overwrite, "Tier": tier}
        if overwrite:
            expected["DataType"] = "text"
            if description:
                expected["Description"] = description
        self.stubbers["ssm"].add_response("put_parameter", {"Version": version, "Tier": tier}, expected)

    # -- MWAA
    def env(self, name, status="AVAILABLE", error=None, mode="PRIVATE_ONLY"):
        environment = {"Name": name, "Status": status, "Arn": f"arn:aws:airflow:us-east-1:123456789012:environment/{name}",
                       "WebserverAccessMode": mode}
        if error:
            environment["LastUpdate"] = {"Status": "FAILED", "Error": {"ErrorCode": error[0], "ErrorMessage": error[1]}}
        self.stubbers["mwaa"].add_response("get_environment", {"Environment": environment}, {"Name": name})

    def env_missing(self, name):
        self.stubbers["mwaa"].add_client_error(
            "get_environment", service_error_code="ResourceNotFoundException", http_status_code=404,
            expected_params={"Name": name},
        )

    def list_dags(self, name, dags):
        self.stubbers["mwaa"].add_response(
            "invoke_rest_api",
            {"RestApiStatusCode": 200, "RestApiResponse": {
                "dags": [{"dag_id": d, "is_paused": p} for d, p in dags.items()], "total_entries": len(dags)}},
            {"Name": name, "Method": "GET", "Path": "/dags", "QueryParameters": {"limit": 100, "offset": 0}},
        )

    def list_dags_fails(self, name, status=503):
        self.stubbers["mwaa"].add_client_error(
            "invoke_rest_api", service_error_code="RestApiServerException", http_status_code=400,
            service_message="web server down", response_meta=None,
            modeled_fields={"RestApiStatusCode": status, "RestApiResponse": {"detail": "web server down"}},
            expected_params={"Name": name, "Method": "GET", "Path": "/dags", "QueryParameters": {"limit": 100, "offset": 0}},
        )

    def patch(self, name, dag_id, paused, fail_status=None):
        expected = {"Name": name, "Method": "PATCH", "Path": f"/dags/{dag_id}",
                    "QueryParameters": {"update_mask": "is_paused"}, "Body": {"is_paused": paused}}
        if fail_status:
            self.stubbers["mwaa"].add_client_error(
                "invoke_rest_api", service_error_code="RestApiClientException", http_status_code=400,
                modeled_fields={"RestApiStatusCode": fail_status, "RestApiResponse": {"detail": "Forbidden"}},
                expected_params=expected,
            )
        else:
            self.stubbers["mwaa"].add_response(
                "invoke_rest_api",
                {"RestApiStatusCode": 200, "RestApiResponse": {"dag_id": dag_id, "is_paused": paused}}, expected,
            )

    # -- CloudWatch
    def heartbeat(self, name, datapoints):
        self.stubbers["cloudwatch"].add_response(
            "get_metric_statistics",
            {"Label": "SchedulerHeartbeat", "Datapoints": datapoints},
            {
                "Namespace": "AmazonMWAA", "MetricName": "SchedulerHeartbeat",
                "Dimensions": [{"Name": "Function", "Value": "Scheduler"}, {"Name": "Environment", "Value": name}],
                "StartTime": ANY, "EndTime": ANY, "Period": 60, "Statistics": ["SampleCount", "Sum"],
            },
        )


@pytest.fixture
def aws(monkeypatch, clock):  # clock: AWSRetry backoff sleeps are instant
    stubs = Aws()
    with stub_clients(monkeypatch, stubs.clients, stubs.stubbers):
        yield stubs


def switch(target, **extra):
    return {"parameter_name": PARAM, "environments": ENVS, "target": target, **extra}


# --- query ---------------------------------------------------------------------------------


def test_query_reports_active_and_previous_without_writing(aws, run_module):
    aws.history(["blue", "green"])

    result = run_module(mwaa_blue_green, {"parameter_name": PARAM})

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert (result["active"], result["previous"], result["switched"]) == ("green", "blue", False)
    assert result["parameter"]["version"] == 2


def test_query_of_a_missing_parameter_reports_none_and_creates_nothing(aws, run_module):
    aws.history_missing()
    aws.env(BLUE)
    aws.env_missing(GREEN)

    result = run_module(mwaa_blue_green, {"parameter_name": PARAM, "environments": ENVS})

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert result["active"] is None
    assert "parameter" not in result
    assert result["environment_status"] == {BLUE: "AVAILABLE", GREEN: None}


def test_query_of_an_invalid_value_reports_no_active_color(aws, run_module):
    aws.history(["blue", "Green "])

    result = run_module(mwaa_blue_green, {"parameter_name": PARAM})

    assert result["active"] is None
    assert result["parameter"]["value"] == "Green "
    assert result["previous"] == "blue"


# --- switching -----------------------------------------------------------------------------


def test_switch_blue_to_green_is_one_overwrite_keeping_the_description(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN)
    aws.put("green", 2)

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert (result["before"], result["after"], result["active"], result["previous"]) == ("blue", "green", "green", "blue")
    assert result["switched"] is True
    assert result["active_environment"] == GREEN
    assert result["parameter"]["version"] == 2
    assert result["preflight"] == {"environment": GREEN, "status": "AVAILABLE", "problems": [], "forced": False}
    assert result["duration_ms"] > 0
    assert result["total_duration_ms"] >= result["duration_ms"]
    assert result["warnings"] == []


def test_switch_keeps_an_advanced_tier(aws, run_module):
    aws.history(["green"], tier="Advanced", description=None)
    aws.env(BLUE)
    aws.put("blue", 2, tier="Advanced", description=None)

    result = run_module(mwaa_blue_green, switch("blue"))

    assert result["rc"] == 0, result
    assert result["parameter"]["tier"] == "Advanced"


def test_switch_to_the_active_color_writes_nothing(aws, run_module):
    aws.history(["blue", "green"])
    aws.env(GREEN)
    # no put queued: a PutParameter call would fail the test

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert result["switched"] is False
    assert result["duration_ms"] == 0
    assert result["previous"] == "blue"


def test_switch_to_the_active_color_warns_instead_of_failing_when_it_is_unhealthy(aws, run_module):
    aws.history(["green"])
    aws.env(GREEN, "UPDATING")

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert any(f"'{GREEN}' is UPDATING" in w for w in result["warnings"]), result["warnings"]


def test_previous_rolls_back_to_the_color_before_the_current_one(aws, run_module):
    aws.history(["blue", "green", "green"])  # a redeploy repeated green
    aws.env(BLUE)
    aws.put("blue", 4)

    result = run_module(mwaa_blue_green, switch("previous"))

    assert result["rc"] == 0, result
    assert (result["before"], result["after"], result["previous"]) == ("green", "blue", "green")


def test_previous_without_history_fails_before_any_other_call(aws, run_module):
    aws.history(["blue", "blue"])

    result = run_module(mwaa_blue_green, switch("previous"))

    assert result["rc"] == 1
    assert "no previous color is recorded" in result["msg"]
    assert result["active"] == "blue"


@pytest.mark.parametrize("status", ["CREATING", "UPDATING", "UPDATE_FAILED", "CREATE_FAILED", "MAINTENANCE",
                                    "UNAVAILABLE", "DELETING", "PENDING"])
def test_target_not_available_is_refused_naming_environment_and_status(aws, run_module, status):
    aws.history(["blue"])
    aws.env(GREEN, status, error=("INCORRECT_CONFIGURATION", "bad subnet") if status.endswith("FAILED") else None)

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 1
    assert f"MWAA environment '{GREEN}' is {status}, not AVAILABLE" in result["msg"]
    assert "Nothing was changed" in result["msg"]
    assert result["preflight"]["status"] == status
    if status.endswith("FAILED"):
        assert "INCORRECT_CONFIGURATION: bad subnet" in result["msg"]


def test_missing_target_is_refused(aws, run_module):
    aws.history(["blue"])
    aws.env_missing(GREEN)

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 1
    assert f"MWAA environment '{GREEN}' does not exist" in result["msg"]


def test_force_switches_anyway_with_a_warning(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, "UPDATING")
    aws.put("green", 2)

    result = run_module(mwaa_blue_green, switch("green", force=True))

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["preflight"]["forced"] is True
    assert any(w.startswith("force: true, switching anyway") and "UPDATING" in w for w in result["warnings"])


def test_check_mode_reads_only_and_shows_the_diff(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN)

    result = run_module(mwaa_blue_green, switch("green"), check_mode=True, diff=True)

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["switched"] is True
    assert result["duration_ms"] == 0
    assert result["diff"]["before"]["active"] == "blue"
    assert result["diff"]["after"]["active"] == "green"


def test_missing_parameter_is_refused_when_switching(aws, run_module):
    aws.history_missing()

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 1
    assert "does not exist" in result["msg"] and "force: true" in result["msg"]


def test_missing_parameter_is_created_with_force(aws, run_module):
    aws.history_missing()
    aws.env(GREEN)
    aws.put("green", 1, overwrite=False)

    result = run_module(mwaa_blue_green, switch("green", force=True))

    assert result["rc"] == 0, result
    assert (result["before"], result["after"]) == (None, "green")


def test_secure_string_parameter_is_refused(aws, run_module):
    aws.history(["blue"], ptype="SecureString")

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 1
    assert "must be a String parameter" in result["msg"]


def test_a_concurrent_writer_is_reported(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN)
    aws.put("green", 5)  # someone else wrote versions 2-4 meanwhile

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 0, result
    assert any("another writer" in w for w in result["warnings"])


# --- heartbeat -----------------------------------------------------------------------------


def test_heartbeat_required_and_absent_is_refused(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN)
    aws.heartbeat(GREEN, [])

    result = run_module(mwaa_blue_green, switch("green", require_heartbeat=True, heartbeat_max_age=15))

    assert result["rc"] == 1
    assert "sent no SchedulerHeartbeat metric" in result["msg"] and "last 15 minutes" in result["msg"]
    assert result["preflight"]["heartbeat"] == {"seen": False, "datapoints": 0, "last_seen": None, "window_minutes": 15}


def test_heartbeat_required_and_present_switches(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN)
    aws.heartbeat(GREEN, [{"Timestamp": NOW, "SampleCount": 12.0, "Sum": 12.0, "Unit": "Count"}])
    aws.put("green", 2)

    result = run_module(mwaa_blue_green, switch("green", require_heartbeat=True))

    assert result["rc"] == 0, result
    assert result["preflight"]["heartbeat"]["seen"] is True
    assert result["preflight"]["heartbeat"]["last_seen"] == NOW.isoformat()


def test_heartbeat_window_is_the_requested_age():
    seen = {}

    class FakeCloudWatch:
        def get_metric_statistics(self, **kwargs):
            seen.update(kwargs)
            return {"Datapoints": []}

    bg.heartbeat(FakeCloudWatch(), GREEN, 7, now=NOW)
    assert seen["EndTime"] - seen["StartTime"] == datetime.timedelta(minutes=7)
    assert seen["EndTime"] == NOW


# --- pause / unpause -------------------------------------------------------------------------


def test_pause_old_and_unpause_new_after_the_flip(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"sales": True, "lineage": True, "manual_only": False})
    aws.list_dags(BLUE, {"sales": False, "lineage": False, "manual_only": True})
    aws.put("green", 2)
    aws.patch(BLUE, "lineage", True)
    aws.patch(BLUE, "sales", True)
    aws.patch(GREEN, "lineage", False)
    aws.patch(GREEN, "sales", False)

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["rc"] == 0, result
    assert result["paused"] == ["lineage", "sales"]
    assert result["unpaused"] == ["lineage", "sales"]


def test_pause_dags_converges_even_when_the_color_is_already_active(aws, run_module):
    aws.history(["green"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"sales": True})
    aws.list_dags(BLUE, {"sales": True})
    aws.patch(GREEN, "sales", False)

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["rc"] == 0, result
    assert result["changed"] is True
    assert result["switched"] is False
    assert (result["paused"], result["unpaused"]) == ([], ["sales"])


def test_pause_dags_converged_is_no_change(aws, run_module):
    aws.history(["green"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"sales": False})
    aws.list_dags(BLUE, {"sales": True})

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["changed"] is False


def test_pause_dags_check_mode_lists_without_patching(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"a": True, "b": True})
    aws.list_dags(BLUE, {"a": False, "b": False})

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True, dag_ids=["b"]), check_mode=True, diff=True)

    assert result["rc"] == 0, result
    assert (result["paused"], result["unpaused"]) == (["b"], ["b"])
    assert result["diff"]["after"]["dags"] == {BLUE: {"b": "paused"}, GREEN: {"b": "unpaused"}}


def test_dag_missing_in_target_is_refused_before_the_flip(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"a": True})
    aws.list_dags(BLUE, {"a": False, "b": False})

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True, dag_ids=["a", "b"]))

    assert result["rc"] == 1
    assert "does not have the DAGs ['b']" in result["msg"]


def test_target_api_unreachable_is_refused(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags_fails(GREEN)
    # Another status than below: ansible-core drops a warning identical to one already shown in this process.
    aws.list_dags_fails(BLUE, status=502)

    refused = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert refused["rc"] == 1
    assert f"cannot list the DAGs of MWAA environment '{GREEN}'" in refused["msg"]
    assert "HTTP 503" in refused["msg"]


def test_old_api_unreachable_only_warns(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"a": True})
    aws.list_dags_fails(BLUE)
    aws.put("green", 2)
    aws.patch(GREEN, "a", False)

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["rc"] == 0, result
    assert (result["paused"], result["unpaused"]) == ([], ["a"])
    assert any(f"Not pausing DAGs in MWAA environment '{BLUE}'" in w for w in result["warnings"]), result["raw"]


def test_a_failed_patch_after_the_flip_fails_and_says_the_parameter_changed(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.list_dags(GREEN, {"a": True})
    aws.list_dags(BLUE, {"a": False})
    aws.put("green", 2)
    aws.patch(BLUE, "a", True, fail_status=403)
    aws.patch(GREEN, "a", False)

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["rc"] == 1
    assert f"'{PARAM}' now says green" in result["msg"]
    assert "HTTP 403" in result["msg"] and "Run the same switch again" in result["msg"]
    assert result["changed"] is True
    assert (result["paused"], result["unpaused"]) == ([], ["a"])


@pytest.mark.parametrize(
    "green_mode, blue_mode, named",
    [("PRIVATE_ONLY", "PUBLIC_ONLY", [GREEN]), ("PUBLIC_ONLY", "PRIVATE_ONLY", [BLUE]),
     ("PRIVATE_ONLY", "PRIVATE_ONLY", [GREEN, BLUE])],
)
@pytest.mark.parametrize("check_mode", [False, True])
def test_pause_dags_with_a_private_webserver_is_refused_before_any_rest_call(
    aws, run_module, green_mode, blue_mode, named, check_mode
):
    # Only reads are queued: a PutParameter or an InvokeRestApi would be an unexpected call.
    aws.history(["blue"])
    aws.env(GREEN, mode=green_mode)
    aws.env(BLUE, mode=blue_mode)

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True), check_mode=check_mode)

    assert result["rc"] == 1
    assert result["msg"].startswith("pause_dags=true cannot work for the MWAA environments ")
    for name in named:
        assert f"'{name}' (WebserverAccessMode PRIVATE_ONLY)" in result["msg"]
    assert "outside the VPC" in result["msg"] and "gate DAGs" in result["msg"]
    assert "Nothing was changed" in result["msg"]
    assert (result["active"], result["before"]) == ("blue", "blue")


def test_private_webservers_without_pause_dags_still_switch(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PRIVATE_ONLY")
    aws.put("green", 2)

    result = run_module(mwaa_blue_green, switch("green"))

    assert result["rc"] == 0, result
    assert result["switched"] is True


def test_a_missing_old_environment_does_not_block_pause_dags(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env_missing(BLUE)
    aws.list_dags(GREEN, {"a": True})
    aws.list_dags_fails(BLUE, status=404)
    aws.put("green", 2)
    aws.patch(GREEN, "a", False)

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["rc"] == 0, result
    assert (result["paused"], result["unpaused"]) == ([], ["a"])


def test_access_denied_from_invoke_rest_api_is_explained(aws, run_module):
    aws.history(["blue"])
    aws.env(GREEN, mode="PUBLIC_ONLY")
    aws.env(BLUE, mode="PUBLIC_ONLY")
    aws.stubbers["mwaa"].add_client_error(
        "invoke_rest_api", service_error_code="AccessDeniedException", http_status_code=403,
        service_message="User is not authorized to perform airflow:InvokeRestApi",
        expected_params={"Name": GREEN, "Method": "GET", "Path": "/dags", "QueryParameters": {"limit": 100, "offset": 0}},
    )
    aws.list_dags(BLUE, {"a": False})

    result = run_module(mwaa_blue_green, switch("green", pause_dags=True))

    assert result["rc"] == 1
    assert f"cannot list the DAGs of MWAA environment '{GREEN}'" in result["msg"]
    assert ("MWAA denied InvokeRestApi (AccessDeniedException: User is not authorized to perform "
            "airflow:InvokeRestApi)") in result["msg"]
    assert "PRIVATE_ONLY web server" in result["msg"]


# --- input validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (switch("green", dag_ids=["d" * 59]), "at most 64 characters"),
        ({"parameter_name": PARAM, "environments": {"blue": BLUE, "green": BLUE}, "target": "blue"}, "must differ"),
        ({"parameter_name": PARAM, "pause_dags": True}, "pause_dags=true needs target"),
        ({"parameter_name": PARAM, "require_heartbeat": True}, "require_heartbeat=true needs target"),
        ({"parameter_name": "bad name!"}, "parameter_name 'bad name!' is not a valid"),
        (switch("green", heartbeat_max_age=0), "heartbeat_max_age must be between 1 and 1440"),
        ({"parameter_name": PARAM, "environments": {"blue": "9blue", "green": GREEN}}, "environments.blue '9blue'"),
        ({"parameter_name": PARAM, "target": "green"}, "environments"),
    ],
)
def test_bad_input_fails_before_any_call(aws, run_module, args, message):
    result = run_module(mwaa_blue_green, args)

    assert result["rc"] == 1
    assert message in result["msg"]


def test_dag_path_limit():
    assert bg.dag_path("d" * 58) == "/dags/" + "d" * 58
    with pytest.raises(ValueError):
        bg.dag_path("d" * 59)
