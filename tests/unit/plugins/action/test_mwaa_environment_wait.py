"""Unit tests of the mwaa_environment_wait action plugin.

The action runs with a fake clock and a fake _execute_module that replays a scripted
sequence of mwaa_environment_info results, so every branch (progress cadence, target
and failure states, timeout, check mode, argument validation) is exercised without
waiting or AWS.
"""

import re
from unittest.mock import MagicMock

import pytest

from ansible_collections.dataplatform.mwaa_lineage.plugins.action import mwaa_environment_wait as plugin

from action_harness import Clock, lines
from action_harness import make_action as harness_make_action

NAME = "lineage-local"
CONNECTION = {"region": "us-east-1", "endpoint_url": "http://127.0.0.1:4566", "access_key": "testing",
              "secret_key": "testing"}


def env(status, **extra):
    return {"name": NAME, "arn": f"arn:aws:airflow:us-east-1:123456789012:environment/{NAME}", "status": status,
            **extra}


@pytest.fixture
def display(monkeypatch):
    fake = MagicMock()
    monkeypatch.setattr(plugin, "display", fake)
    return fake


def make_action(args, polls, clock, check_mode=False):
    """polls: list of info-module results (dicts) or environments (None = missing); the last repeats."""
    script = list(polls)

    def respond(_module_args):
        item = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(item, dict) and ("environments" in item or "failed" in item):
            return item
        return {"changed": False, "environments": [] if item is None else [item]}

    return harness_make_action(plugin, "dataplatform.mwaa_lineage.mwaa_environment_wait", args, respond, clock,
                               check_mode)


def run(args, polls, clock=None, check_mode=False):
    clock = clock or Clock()
    action, calls = make_action(dict(CONNECTION, name=NAME, **args), polls, clock, check_mode)
    result = action.run(task_vars={})
    return result, calls, clock


def test_waits_for_available_and_passes_connection_options(display):
    result, calls, clock = run({"poll_interval": 30}, [env("CREATING"), env("CREATING"), env("AVAILABLE")])
    assert not result.get("failed"), result
    assert result["status"] == "AVAILABLE" and result["environment"]["name"] == NAME
    assert result["changed"] is False and result["polls"] == 3 and result["elapsed"] == 60
    # Every poll is the info module with exactly the task's connection options and the name.
    assert calls == [("dataplatform.mwaa_lineage.mwaa_environment_info", dict(CONNECTION, name=NAME))] * 3
    assert clock.sleeps == [30, 30]


def test_progress_line_at_least_every_progress_interval(display):
    # 10 minutes of CREATING, polled every 30 s: a line at start and then at most 60 s apart.
    polls = [env("CREATING")] * 21 + [env("AVAILABLE")]
    result, _calls, _clock = run({"poll_interval": 30, "progress_interval": 60}, polls, Clock(poll_cost=1.0))
    assert result["status"] == "AVAILABLE"
    shown = lines(display)
    assert shown[0] == f"mwaa {NAME}: CREATING, 0m01s elapsed"
    assert shown[-1].startswith(f"mwaa {NAME}: AVAILABLE, ")
    times = [int(m[1]) * 60 + int(m[2]) for m in (re.search(r", (\d+)m(\d+)s elapsed$", s) for s in shown)]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps and max(gaps) <= 60, shown
    # ...but not a line per poll: about one a minute.
    assert len(shown) <= 13, shown


def test_status_change_is_reported_at_once(display):
    polls = [env("UPDATING"), env("UPDATING"), env("ROLLING_BACK"), env("AVAILABLE")]
    run({"poll_interval": 5, "progress_interval": 600}, polls)
    assert [s.split(",")[0] for s in lines(display)] == [
        f"mwaa {NAME}: UPDATING", f"mwaa {NAME}: ROLLING_BACK", f"mwaa {NAME}: AVAILABLE"]


def test_already_available_prints_nothing_and_does_not_sleep(display):
    result, calls, clock = run({}, [env("AVAILABLE")])
    assert result["status"] == "AVAILABLE" and result["polls"] == 1 and result["elapsed"] == 0
    assert lines(display) == [] and clock.sleeps == [] and len(calls) == 1


@pytest.mark.parametrize("status, hint", [
    ("CREATE_FAILED", "Delete it (state=absent)"),
    ("UPDATE_FAILED", "rolled the environment back"),
    ("UNAVAILABLE", ""),
])
def test_failure_states_fail_with_last_update_error(display, status, hint):
    failed = env(status, last_update={"status": "FAILED", "error": {
        "error_code": "INCORRECT_CONFIGURATION", "error_message": "cannot reach the subnets"}})
    result, _calls, _clock = run({"poll_interval": 1, "progress_interval": 1}, [env("CREATING"), failed])
    assert result["failed"] is True
    assert f"MWAA environment '{NAME}' is {status}: INCORRECT_CONFIGURATION: cannot reach the subnets" in result["msg"]
    assert hint in result["msg"]
    assert result["last_update_error"] == "INCORRECT_CONFIGURATION: cannot reach the subnets"
    assert result["status"] == status


def test_failure_without_error_details_says_so(display):
    result, _calls, _clock = run({}, [env("CREATE_FAILED")])
    assert result["failed"] is True and "no error details" in result["msg"]


def test_timeout_fails_with_last_status(display):
    result, calls, clock = run({"timeout": 100, "poll_interval": 30, "progress_interval": 60}, [env("CREATING")])
    assert result["failed"] is True
    assert "Timed out after 1m40s" in result["msg"] and "still CREATING" in result["msg"]
    assert clock.now == 100 and len(calls) == 5  # 0, 30, 60, 90, 100: the last sleep is cut to the deadline


def test_missing_environment_fails_for_present(display):
    result, _calls, _clock = run({}, [None])
    assert result["failed"] is True and result["msg"] == f"MWAA environment '{NAME}' does not exist"


def test_disappearing_environment_fails_for_present(display):
    result, _calls, _clock = run({"poll_interval": 1, "progress_interval": 1}, [env("DELETING"), None])
    assert result["failed"] is True and "disappeared while waiting" in result["msg"]


def test_absent_waits_until_gone(display):
    result, calls, _clock = run({"state": "absent", "poll_interval": 10, "progress_interval": 60},
                                [env("DELETING"), env("DELETING"), {"environments": [env("DELETED")]}])
    assert result.get("failed") is not True, result
    assert result["environment"] == {} and result["status"] is None and result["polls"] == 3
    assert lines(display)[0] == f"mwaa {NAME}: DELETING, 0m00s elapsed"
    assert lines(display)[-1] == f"mwaa {NAME}: absent, 0m20s elapsed"


def test_absent_when_already_gone_is_immediate(display):
    result, calls, _clock = run({"state": "absent"}, [None])
    assert result["status"] is None and len(calls) == 1 and lines(display) == []


def test_pending_ends_the_wait_with_a_warning(display):
    result, _calls, _clock = run({}, [env("PENDING", webserver_vpc_endpoint_service="com.amazonaws.vpce.x")])
    assert result["status"] == "PENDING" and result.get("failed") is not True
    assert "com.amazonaws.vpce.x" in display.warning.call_args.args[0]


def test_check_mode_reads_once_and_never_waits(display):
    result, calls, clock = run({}, [env("CREATING")], check_mode=True)
    assert result["status"] == "CREATING" and result["polls"] == 1 and result.get("failed") is not True
    assert clock.sleeps == [] and len(calls) == 1


def test_check_mode_on_missing_environment_does_not_fail(display):
    result, _calls, _clock = run({}, [None], check_mode=True)
    assert result.get("failed") is not True and result["environment"] == {}


def test_info_module_error_fails_the_task(display):
    error = {"failed": True, "msg": "Failed to describe MWAA environments: AccessDeniedException",
             "error": {"code": "AccessDeniedException"}}
    result, _calls, _clock = run({}, [error])
    assert result["failed"] is True
    assert "Could not read MWAA environment" in result["msg"] and "AccessDeniedException" in result["msg"]
    assert result["error"] == {"code": "AccessDeniedException"}


@pytest.mark.parametrize("args, needle", [
    ({"poll_interval": 120, "progress_interval": 60}, "must not exceed progress_interval"),
    ({"timeout": 0}, "timeout must be at least 1"),
    ({"state": "gone"}, "state"),
    ({"bogus": 1}, "bogus"),
])
def test_bad_arguments_fail_before_any_poll(display, args, needle):
    result, calls, _clock = run(args, [env("AVAILABLE")])
    assert result["failed"] is True and needle in result["msg"]
    assert calls == []


def test_aliases_are_accepted(display):
    task_args = {"name": NAME, "wait_timeout": 10, "aws_region": "eu-west-1", "aws_endpoint_url": "http://x:1"}
    action, calls = make_action(task_args, [env("AVAILABLE")], Clock())
    result = action.run(task_vars={})
    assert result["status"] == "AVAILABLE"
    assert calls[0][1] == {"name": NAME, "region": "eu-west-1", "endpoint_url": "http://x:1"}


@pytest.mark.parametrize("seconds, text", [(0, "0m00s"), (750, "12m30s"), (3725, "1h02m05s")])
def test_format_elapsed(seconds, text):
    assert plugin.format_elapsed(seconds) == text
