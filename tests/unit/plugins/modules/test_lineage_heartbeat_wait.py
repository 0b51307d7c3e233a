"""Unit tests for dataplatform.mwaa_lineage.lineage_heartbeat_wait (CloudWatch and Logs stubbed)."""

import datetime
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dataplatform.mwaa_lineage.plugins.modules import lineage_heartbeat_wait

from mwaa_harness import FakeClock

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
    monkeypatch.setattr(lineage_heartbeat_wait, "time", clock)
    monkeypatch.setattr(cloud, "time", clock)
    # Wall clock follows the fake monotonic clock.
    monkeypatch.setattr(lineage_heartbeat_wait, "utcnow",
                        lambda: NOW + datetime.timedelta(seconds=clock.now - 1000.0))
    fake = Aws(clock)

    def fake_client(self, service, retry_decorator=None, **kwargs):
        fake.created.append(service)
        client = fake.clients[service]
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    monkeypatch.setattr(AnsibleAWSModule, "client", fake_client)
    for stubber in fake.stubbers.values():
        stubber.activate()
    yield fake
    for stubber in fake.stubbers.values():
        stubber.deactivate()
        stubber.assert_no_pending_responses()


def args(**extra):
    base = {"environment_name": NAME, "since": "2026-12-07T15:00:00Z", "timeout": 120, "poll_interval": 30}
    base.update(extra)
    return base


def at(minute, second=0):
    return datetime.datetime(2026, 12, 7, 15, minute, second, tzinfo=UTC)


def test_success_newer_than_since_confirms_at_once(aws, run_module):
    aws.metric([(at(5, 3), 1.0), (at(0, 4), 0.0)])

    result = run_module(lineage_heartbeat_wait, args())

    assert result["rc"] == 0, result
    assert result["changed"] is False
    assert result["confirmed"] is True
    assert result["datapoint_time"] == "2026-12-07T15:05:03+00:00"
    assert result["latest_datapoint"] == {"time": "2026-12-07T15:05:03+00:00", "value": 1.0}
    assert result["polls"] == 1 and aws.clock.sleeps == []


def test_waits_for_the_next_datapoint(aws, run_module):
    aws.metric([])
    aws.metric([(at(10, 20), 0.0)])
    aws.metric([(at(10, 50), 1.0), (at(10, 20), 0.0)])

    result = run_module(lineage_heartbeat_wait, args())

    assert result["rc"] == 0, result
    assert result["confirmed"] is True and result["polls"] == 3
    assert result["datapoint_time"] == "2026-12-07T15:10:50+00:00"
    assert aws.clock.sleeps == [30, 30]


def test_success_older_than_since_does_not_count(aws, run_module):
    # CloudWatch returns what the window holds; the module filters again on `since` to the second.
    for _poll in range(2):
        aws.metric([(at(0, 4), 0.0), (datetime.datetime(2026, 12, 7, 14, 59, 59, tzinfo=UTC), 1.0)])
    aws.log_events([])

    result = run_module(lineage_heartbeat_wait, args(timeout=30))

    assert result["rc"] == 1, result
    assert result["confirmed"] is False
    assert result["latest_datapoint"] == {"time": "2026-12-07T15:00:04+00:00", "value": 0.0}


def test_timeout_quotes_the_latest_task_log(aws, run_module):
    old = "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T14_50_00+00_00/task_id=round_trip/attempt=1.log"
    new = "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T15_05_00+00_00/task_id=round_trip/attempt=1.log"
    aws.metric([(at(5, 3), 0.0)])
    aws.metric([(at(5, 3), 0.0)])
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

    result = run_module(lineage_heartbeat_wait, args(timeout=60, log_lines=2))

    assert result["rc"] == 1, result
    assert result["confirmed"] is False and result["polls"] == 3
    assert result["log_stream"] == new
    assert result["log_lines"] == [
        "2026-12-07T15:05:02+00:00 ERROR Lineage heartbeat FAILED in lineage-dev: POST http://10.0.0.5:5000/api/v1/lineage"
        " failed: [Errno 111] Connection refused. Publishing LineageHeartbeat=0.",
        "2026-12-07T15:05:03+00:00 plain text line",
    ]
    assert "The latest datapoint, at 2026-12-07T15:05:03+00:00, is 0" in result["msg"]
    assert "Connection refused" in result["msg"] and new in result["msg"]
    assert "Task started" not in result["msg"]  # only the last log_lines lines


def test_no_datapoint_and_no_log_group_says_so(aws, run_module):
    aws.metric([])
    aws.metric([])
    aws.log_group_missing()

    result = run_module(lineage_heartbeat_wait, args(timeout=1))

    assert result["rc"] == 1, result
    assert "There is no datapoint at all since 2026-12-07T15:00:00+00:00" in result["msg"]
    assert f"log group airflow-{NAME}-Task does not exist" in result["msg"]


def test_log_lines_zero_reads_no_logs(aws, run_module):
    aws.metric([])
    aws.metric([])

    result = run_module(lineage_heartbeat_wait, args(timeout=1, log_lines=0))

    assert result["rc"] == 1, result
    assert "logs" not in aws.created and "log_lines" not in result


def test_check_mode_reads_once_and_neither_waits_nor_fails(aws, run_module):
    aws.metric([])

    result = run_module(lineage_heartbeat_wait, args(), check_mode=True)

    assert result["rc"] == 0, result
    assert result["confirmed"] is False and result["polls"] == 1 and aws.clock.sleeps == []


def test_old_since_is_clamped_to_the_high_resolution_window(aws, run_module):
    aws.metric([(at(9, 0), 1.0)], start=NOW - datetime.timedelta(seconds=3 * 3600 - 300))

    result = run_module(lineage_heartbeat_wait, args(since="2026-12-06T00:00:00+00:00"))

    assert result["rc"] == 0, result
    assert result["confirmed"] is True


@pytest.mark.parametrize("bad, needle", [
    ({"since": "yesterday"}, "since='yesterday' is not an ISO 8601 time"),
    ({"since": "2026-12-07T15:00:00"}, "has no time zone"),
    ({"timeout": 0}, "timeout must be at least 1 second"),
    ({"poll_interval": 0}, "poll_interval must be at least 1 second"),
    ({"log_lines": -1}, "log_lines must not be negative"),
    ({"environment_name": " "}, "environment_name must not be empty"),
])
def test_bad_input_fails_before_any_call(aws, run_module, bad, needle):
    result = run_module(lineage_heartbeat_wait, args(**bad))

    assert result["rc"] == 1, result
    assert needle in result["msg"]


def test_a_newer_log_of_another_dag_is_not_quoted(aws, run_module):
    own = "dag_id=lineage_heartbeat/run_id=manual__x/task_id=round_trip/attempt=1.log"
    other = "dag_id=openlineage_demo/run_id=manual__y/task_id=load/attempt=1.log"
    aws.metric([])
    aws.metric([])
    aws.log_events([
        {"logStreamName": own, "timestamp": int(at(5).timestamp() * 1000), "message": "heartbeat line"},
        {"logStreamName": other, "timestamp": int(at(6).timestamp() * 1000), "message": "demo line"},
    ])

    result = run_module(lineage_heartbeat_wait, args(timeout=1))

    assert result["rc"] == 1, result
    assert result["log_stream"] == own
    assert result["log_lines"] == ["2026-12-07T15:05:00+00:00 heartbeat line"]
