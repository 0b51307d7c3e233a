"""Unit tests of the lineage_heartbeat_wait action plugin: the wait, its progress lines and its
failure message, with scripted lineage_heartbeat_info results and a fake clock."""

from unittest.mock import MagicMock

import pytest

from ansible_collections.dataplatform.mwaa_lineage.plugins.action import lineage_heartbeat_wait as plugin

from action_harness import Clock, lines, make_action

NAME = "lineage-dev"
SINCE = "2026-12-07T15:00:00Z"
INFO = "dataplatform.mwaa_lineage.lineage_heartbeat_info"
CONNECTION = {"region": "us-east-1", "endpoint_url": "http://127.0.0.1:4566"}
READ = dict(CONNECTION, environment_name=NAME, since=SINCE, metric_namespace="MWAALineage",
            metric_name="LineageHeartbeat", dag_id="lineage_heartbeat", log_group_name="")

NONE = {"changed": False, "confirmed": False, "datapoint_time": "", "latest_datapoint": {},
        "diagnosis": "There is no datapoint at all since 2026-12-07T15:00:00+00:00: the DAG did not run."}
ZERO = {"changed": False, "since": "2026-12-07T15:00:00+00:00", "confirmed": False, "datapoint_time": "",
        "latest_datapoint": {"time": "2026-12-07T15:05:03+00:00", "value": 0.0},
        "diagnosis": "The latest datapoint, at 2026-12-07T15:05:03+00:00, is 0 (the DAG ran and the round trip failed)."}
ONE = {"changed": False, "confirmed": True, "datapoint_time": "2026-12-07T15:10:03+00:00",
       "latest_datapoint": {"time": "2026-12-07T15:10:03+00:00", "value": 1.0}, "diagnosis": ""}
LOGGED = dict(ZERO, log_stream="dag_id=lineage_heartbeat/run_id=x/task_id=round_trip/attempt=1.log",
              log_lines=["2026-12-07T15:05:02+00:00 ERROR Connection refused"],
              diagnosis=ZERO["diagnosis"] + " Latest task log ...:\n2026-12-07T15:05:02+00:00 ERROR Connection refused")


@pytest.fixture
def display(monkeypatch):
    fake = MagicMock()
    monkeypatch.setattr(plugin, "display", fake)
    return fake


def run(args, polls, clock=None, check_mode=False, final=None):
    """polls: the info results of the log-free reads (the last repeats); final: the read with log_lines."""
    clock = clock or Clock()
    script = list(polls)

    def respond(module_args):
        if module_args["log_lines"]:
            return final
        return script.pop(0) if len(script) > 1 else script[0]

    task_args = dict(CONNECTION, environment_name=NAME, since=SINCE, **args)
    action, calls = make_action(plugin, "dataplatform.mwaa_lineage.lineage_heartbeat_wait", task_args, respond,
                                clock, check_mode)
    return action.run(task_vars={}), calls, clock


def test_waits_for_a_success_and_passes_connection_options(display):
    result, calls, clock = run({"poll_interval": 30}, [NONE, ZERO, ONE])
    assert not result.get("failed"), result
    assert result["confirmed"] is True and result["datapoint_time"] == ONE["datapoint_time"]
    assert result["changed"] is False and result["polls"] == 3 and result["elapsed"] == 60
    # Every poll reads the metric only: the task log is read when the wait has failed.
    assert calls == [(INFO, dict(READ, log_lines=0))] * 3
    assert clock.sleeps == [30, 30]
    assert lines(display) == [
        f"lineage heartbeat {NAME}: no datapoint yet, 0m00s elapsed",
        f"lineage heartbeat {NAME}: latest datapoint 0 at 2026-12-07T15:05:03+00:00, waiting for a 1, 0m30s elapsed",
        f"lineage heartbeat {NAME}: confirmed at 2026-12-07T15:10:03+00:00, 1m00s elapsed",
    ]


def test_a_long_wait_shows_progress_at_least_every_progress_interval(display):
    result, _calls, _clock = run({"poll_interval": 20, "progress_interval": 60, "timeout": 1200},
                                 [NONE] * 30 + [ONE], Clock(poll_cost=1.0))
    assert result["confirmed"] is True
    shown = lines(display)
    times = [int(line.rsplit(", ", 1)[1].split("m")[0]) * 60 + int(line.rsplit("m", 1)[1][:2]) for line in shown]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps and max(gaps) <= 60, shown
    assert len(shown) <= 14, shown  # about one a minute, not one a poll


def test_confirmed_at_once_prints_nothing(display):
    result, calls, clock = run({}, [ONE])
    assert result["confirmed"] is True and result["polls"] == 1 and result["elapsed"] == 0
    assert lines(display) == [] and clock.sleeps == [] and len(calls) == 1


def test_timeout_fails_quoting_the_task_log(display):
    result, calls, clock = run({"timeout": 90, "poll_interval": 30, "log_lines": 5}, [ZERO], final=LOGGED)
    assert result["failed"] is True
    assert result["msg"].startswith(
        f"No successful lineage heartbeat (MWAALineage/LineageHeartbeat=1, Environment={NAME}) since "
        "2026-12-07T15:00:00+00:00 within 90s. "
        "The latest datapoint, at 2026-12-07T15:05:03+00:00, is 0")
    assert "ERROR Connection refused" in result["msg"]
    assert result["log_lines"] == LOGGED["log_lines"] and result["log_stream"] == LOGGED["log_stream"]
    assert result["confirmed"] is False and result["polls"] == 5  # 0, 30, 60, 90 and the read with the log
    assert calls[-1] == (INFO, dict(READ, log_lines=5)) and clock.now == 90


def test_a_success_in_the_final_read_confirms(display):
    result, _calls, _clock = run({"timeout": 1, "poll_interval": 1, "progress_interval": 1}, [NONE], final=ONE)
    assert result.get("failed") is not True and result["confirmed"] is True


def test_check_mode_reads_once_and_neither_waits_nor_fails(display):
    result, calls, clock = run({}, [NONE], check_mode=True)
    assert result.get("failed") is not True and result["confirmed"] is False
    assert result["polls"] == 1 and clock.sleeps == [] and calls == [(INFO, dict(READ, log_lines=0))]


def test_info_module_error_fails_the_task(display):
    error = {"failed": True, "msg": "since='yesterday' is not an ISO 8601 time"}
    result, _calls, _clock = run({}, [error])
    assert result["failed"] is True
    assert result["msg"] == f"Could not read the lineage heartbeat of '{NAME}': since='yesterday' is not an ISO 8601 time"


@pytest.mark.parametrize("args, needle", [
    ({"poll_interval": 120}, "must not exceed progress_interval"),
    ({"timeout": 0}, "timeout must be at least 1"),
    ({"log_lines": -1}, "log_lines must not be negative"),
    ({"bogus": 1}, "bogus"),
])
def test_bad_arguments_fail_before_any_read(display, args, needle):
    result, calls, _clock = run(args, [ONE])
    assert result["failed"] is True and needle in result["msg"]
    assert calls == []
