"""Unit tests for dataplatform.mwaa_lineage.lineage_heartbeat_info (CloudWatch and Logs stubbed).

The wait around it (cadence, timeout, progress) is the action plugin's: tests/unit/plugins/action."""

import datetime
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.dataplatform.mwaa_lineage.plugins.modules import lineage_heartbeat_info

from mwaa_harness import FakeClock, stub_clients

UTC = datetime.timezone.utc
NAME = "lineage-dev"
SINCE = datetime.datetime(2026, 12, 7, 15, 0, 0, tzinfo=UTC)
NOW = datetime.datetime(2026, 12, 7, 15, 10, 0, tzinfo=UTC)
QUERY = {
    "Id": "heartbeat",
    "MetricStat": {
        "Metric": {"Namespace": "MWAALineage", "MetricName": "LineageHeartbeat",
                   "Dimensions": [{"Name": "Environment", "Value": NAME}]},
        "Period": 1,
        "Stat": "Maximum",
    },
    "ReturnData": True,
}


class Aws:
    def __init__(self, clock):
        self.clock = clock
        kwargs = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        self.clients = {"cloudwatch": boto3.client("cloudwatch", **kwargs), "logs": boto3.client("logs", **kwargs)}
        self.stubbers = {name: Stubber(client) for name, client in self.clients.items()}
        self.created = []

    def metric(self, points, start=SINCE):
        self.stubbers["cloudwatch"].add_response(
            "get_metric_data",
            {"MetricDataResults": [{"Id": "heartbeat", "Timestamps": [p[0] for p in points],
                                    "Values": [p[1] for p in points], "StatusCode": "Complete"}]},
            {"MetricDataQueries": [QUERY], "StartTime": start, "EndTime": ANY, "ScanBy": "TimestampDescending"},
        )

    def log_events(self, events, group=f"airflow-{NAME}-Task"):
        self.stubbers["logs"].add_response(
            "filter_log_events", {"events": events},
            {"logGroupName": group, "logStreamNamePrefix": "dag_id=lineage_heartbeat/",
             "startTime": int(SINCE.timestamp() * 1000) - 3600 * 1000},
        )

    def log_group_missing(self):
        self.stubbers["logs"].add_client_error("filter_log_events", service_error_code="ResourceNotFoundException",
                                               service_message="The specified log group does not exist.")


@pytest.fixture
def aws(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(cloud, "time", clock)  # AWSRetry backoff sleeps
    # Wall clock follows the fake monotonic clock.
    monkeypatch.setattr(lineage_heartbeat_info, "utcnow",
                        lambda: NOW + datetime.timedelta(seconds=clock.now - 1000.0))
    fake = Aws(clock)
    with stub_clients(monkeypatch, fake.clients, fake.stubbers, created=fake.created):
        yield fake


def args(**extra):
    base = {"environment_name": NAME, "since": "2026-12-07T15:00:00Z"}
    base.update(extra)
    return base


def at(minute, second=0):
    return datetime.datetime(2026, 12, 7, 15, minute, second, tzinfo=UTC)


def test_success_newer_than_since_is_confirmed(aws, run_module):
    aws.metric([(at(5, 3), 1.0), (at(0, 4), 0.0)])

    result = run_module(lineage_heartbeat_info, args(log_lines=20))

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert result["confirmed"] is True
    assert result["datapoint_time"] == "2026-12-07T15:05:03+00:00"
    assert result["latest_datapoint"] == {"time": "2026-12-07T15:05:03+00:00", "value": 1.0}
    assert result["diagnosis"] == "" and "log_lines" not in result
    assert "logs" in aws.created and aws.clock.sleeps == []  # no log read: the Logs stubber has no queue


def test_a_failed_round_trip_is_reported_without_failing(aws, run_module):
    aws.metric([(at(10, 20), 0.0)])

    result = run_module(lineage_heartbeat_info, args())

    assert result["rc"] == 0, result
    assert result["confirmed"] is False and result["datapoint_time"] == ""
    assert result["since"] == "2026-12-07T15:00:00+00:00"  # normalized from ...Z
    assert result["latest_datapoint"] == {"time": "2026-12-07T15:10:20+00:00", "value": 0.0}
    assert result["diagnosis"] == ("The latest datapoint, at 2026-12-07T15:10:20+00:00, is 0 (the DAG ran and the "
                                   "round trip failed).")


def test_success_older_than_since_does_not_count(aws, run_module):
    # CloudWatch returns what the window holds; the module filters again on `since` to the second.
    aws.metric([(at(0, 4), 0.0), (datetime.datetime(2026, 12, 7, 14, 59, 59, tzinfo=UTC), 1.0)])

    result = run_module(lineage_heartbeat_info, args())

    assert result["rc"] == 0, result
    assert result["confirmed"] is False
    assert result["latest_datapoint"] == {"time": "2026-12-07T15:00:04+00:00", "value": 0.0}


def test_quotes_the_latest_task_log(aws, run_module):
    old = "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T14_50_00+00_00/task_id=round_trip/attempt=1.log"
    new = "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T15_05_00+00_00/task_id=round_trip/attempt=1.log"
    aws.metric([(at(5, 3), 0.0)])

    def event(stream, moment, level, text):
        return {"logStreamName": stream, "timestamp": int(moment.timestamp() * 1000),
                "message": json.dumps({"event": text, "level": level, "logger": "lineage_heartbeat"})}

    aws.log_events([
        event(old, at(0, 1), "info", "Lineage heartbeat OK in lineage-dev"),
        event(new, at(5, 1), "info", "Task started"),
        event(new, at(5, 2), "error", "Lineage heartbeat FAILED in lineage-dev: POST http://10.0.0.5:5000/api/v1/lineage failed: [Errno 111] Connection refused. Publishing LineageHeartbeat=0."),
        {"logStreamName": new, "timestamp": int(at(5, 3).timestamp() * 1000), "message": "plain text line"},
    ])

    result = run_module(lineage_heartbeat_info, args(log_lines=2))

    assert result["rc"] == 0, result
    assert result["confirmed"] is False
    assert result["log_stream"] == new
    assert result["log_lines"] == [
        "2026-12-07T15:05:02+00:00 ERROR Lineage heartbeat FAILED in lineage-dev: POST http://10.0.0.5:5000/api/v1/lineage"
        " failed: [Errno 111] Connection refused. Publishing LineageHeartbeat=0.",
        "2026-12-07T15:05:03+00:00 plain text line",
    ]
    assert "The latest datapoint, at 2026-12-07T15:05:03+00:00, is 0" in result["diagnosis"]
    assert "Connection refused" in result["diagnosis"] and new in result["diagnosis"]
    assert "Task started" not in result["diagnosis"]  # only the last log_lines lines


def test_quotes_the_log_of_the_run_that_published_the_datapoint_not_a_newer_one(aws, run_module):
    failed = "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T15_05_00+00_00/task_id=round_trip/attempt=1.log"
    running = "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T15_10_00+00_00/task_id=round_trip/attempt=1.log"
    aws.metric([(at(5, 3), 0.0)])
    aws.log_events([
        {"logStreamName": failed, "timestamp": int(at(5, 2).timestamp() * 1000),
         "message": "Lineage heartbeat FAILED in lineage-dev: POST http://10.0.0.5:5000/api/v1/lineage failed"},
        {"logStreamName": failed, "timestamp": int(at(5, 4).timestamp() * 1000), "message": "Task exited"},
        # The next run started right after and has not logged its result when the wait gives up.
        {"logStreamName": running, "timestamp": int(at(5, 6).timestamp() * 1000), "message": "Task started"},
    ])

    result = run_module(lineage_heartbeat_info, args(log_lines=5))

    assert result["log_stream"] == failed, result
    assert [line.split(" ", 1)[1] for line in result["log_lines"]] == [
        "Lineage heartbeat FAILED in lineage-dev: POST http://10.0.0.5:5000/api/v1/lineage failed", "Task exited"]


def test_no_datapoint_and_no_log_group_says_so(aws, run_module):
    aws.metric([])
    aws.log_group_missing()

    result = run_module(lineage_heartbeat_info, args(log_lines=20))

    assert result["rc"] == 0, result
    assert "There is no datapoint at all since 2026-12-07T15:00:00+00:00" in result["diagnosis"]
    assert f"log group airflow-{NAME}-Task does not exist" in result["diagnosis"]


def test_log_lines_zero_reads_no_logs(aws, run_module):
    aws.metric([])

    result = run_module(lineage_heartbeat_info, args())

    assert result["rc"] == 0, result
    assert "logs" not in aws.created and "log_lines" not in result


def test_check_mode_reads_the_same(aws, run_module):
    aws.metric([(at(9, 0), 1.0)])

    result = run_module(lineage_heartbeat_info, args(), check_mode=True)

    assert result["rc"] == 0, result
    assert result["confirmed"] is True and aws.clock.sleeps == []


def test_old_since_is_clamped_to_the_high_resolution_window(aws, run_module):
    aws.metric([(at(9, 0), 1.0)], start=NOW - datetime.timedelta(seconds=3 * 3600 - 300))

    result = run_module(lineage_heartbeat_info, args(since="2026-12-06T00:00:00+00:00"))

    assert result["rc"] == 0, result
    assert result["confirmed"] is True


@pytest.mark.parametrize("bad, needle", [
    ({"since": "yesterday"}, "since='yesterday' is not an ISO 8601 time"),
    ({"since": "2026-12-07T15:00:00"}, "has no time zone"),
    ({"log_lines": -1}, "log_lines must not be negative"),
    ({"environment_name": " "}, "environment_name must not be empty"),
])
def test_bad_input_fails_before_any_call(aws, run_module, bad, needle):
    result = run_module(lineage_heartbeat_info, args(**bad))

    assert result["rc"] == 1, result
    assert needle in result["msg"]


def test_a_newer_log_of_another_dag_is_not_quoted(aws, run_module):
    own = "dag_id=lineage_heartbeat/run_id=manual__x/task_id=round_trip/attempt=1.log"
    other = "dag_id=openlineage_demo/run_id=manual__y/task_id=load/attempt=1.log"
    aws.metric([])
    aws.log_events([
        {"logStreamName": own, "timestamp": int(at(5).timestamp() * 1000), "message": "heartbeat line"},
        {"logStreamName": other, "timestamp": int(at(6).timestamp() * 1000), "message": "demo line"},
    ])

    result = run_module(lineage_heartbeat_info, args(log_lines=20))

    assert result["rc"] == 0, result
    assert result["log_stream"] == own
    assert result["log_lines"] == ["2026-12-07T15:05:00+00:00 heartbeat line"]
