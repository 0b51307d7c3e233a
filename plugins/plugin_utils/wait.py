# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's one wait loop, for action plugins.

A module's output appears only when it exits, so a wait inside a module is minutes of silence.
The collection's waits therefore run on the controller, in action plugins, and each poll executes
a read-only info module with the task's AWS connection options (module_defaults of the
collection's action groups apply), so credentials, retries and secret masking stay the modules'.

ProgressWait owns the cadence: poll every poll_interval, print a progress line when the status
changes and at least every progress_interval, stop at the timeout. What a poll means and when a
wait is over belongs to the caller's poll function.
"""

from __future__ import annotations

import time

from ansible.errors import AnsibleAction, AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

# amazon.aws's common connection options (amazon.aws.common.modules, amazon.aws.region.modules)
# with their aliases; the info module validates them again.
CONNECTION_ARGUMENT_SPEC = dict(
    access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key"], no_log=False),
    secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
    profile=dict(type="str", aliases=["aws_profile"]),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"]),
    validate_certs=dict(type="bool"),
    aws_ca_bundle=dict(type="path"),
    aws_config=dict(type="dict"),
    debug_botocore_endpoint_logs=dict(type="bool"),
    region=dict(type="str", aliases=["aws_region"]),
)

INTERVAL_KEYS = ("timeout", "poll_interval", "progress_interval")


def format_elapsed(seconds):
    """12m30s; 1h02m05s past an hour."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s"


def check_intervals(args):
    for key in INTERVAL_KEYS:
        if args[key] < 1:
            raise AnsibleActionFail(f"{key} must be at least 1 second; got {args[key]}")
    if args["poll_interval"] > args["progress_interval"]:
        raise AnsibleActionFail(
            f"poll_interval ({args['poll_interval']}s) must not exceed progress_interval "
            f"({args['progress_interval']}s): progress is reported after a poll"
        )


def connection_args(args):
    """Only the connection options the task (or module_defaults) set: the rest keep the module's defaults."""
    return {key: args[key] for key in CONNECTION_ARGUMENT_SPEC if args.get(key) is not None}


def execute_info_module(action, module_name, module_args, task_vars, what):
    """Run a read-only module for the action; a failure ends the wait with the module's message."""
    info = action._execute_module(module_name=module_name, module_args=dict(module_args), task_vars=task_vars)
    if info.get("failed"):
        raise AnsibleActionFail(
            f"Could not read {what}: {to_text(info.get('msg', 'unknown error'))}",
            result={k: v for k, v in info.items() if k in ("error", "boto3_version", "botocore_version")},
        )
    return info


class TimedOut(Exception):
    def __init__(self, elapsed, polls, status):
        super().__init__(f"timed out after {format_elapsed(elapsed)}")
        self.elapsed = elapsed
        self.polls = polls
        self.status = status


class ProgressWait:
    """poll() returns (status, done): status is a short text for the progress line, done the task
    result once the wait is over (else None), or raises to fail the wait. run() returns done with
    elapsed and polls added, or raises TimedOut carrying the last status."""

    def __init__(self, label, timeout, poll_interval, progress_interval, display,
                 clock=time.monotonic, sleep=time.sleep):
        self.label = label
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.progress_interval = progress_interval
        self.display = display
        self.clock = clock
        self.sleep = sleep
        self.elapsed = 0.0
        self.polls = 0
        self._started = None

    def elapsed_now(self):
        """Seconds since run() started, for a poll function that reports them."""
        return 0.0 if self._started is None else self.clock() - self._started

    def progress(self, status):
        self.display.display(f"{self.label}: {status}, {format_elapsed(self.elapsed)} elapsed")

    def run(self, poll):
        started = self._started = self.clock()
        last_report = None
        last_status = object()
        while True:
            poll_started = self.clock()
            status, done = poll()
            self.polls += 1
            now = self.clock()
            self.elapsed = now - started
            # A report is due a little early rather than late: the next one comes after a poll.
            slack = 1.5 * (now - poll_started)

            if done is not None:
                if self.polls > 1:
                    self.progress(status)  # the final line of a wait that showed progress
                done.update(elapsed=int(self.elapsed), polls=self.polls)
                return done

            if last_report is None or status != last_status or self.elapsed >= last_report + self.progress_interval - slack:
                self.progress(status)
                last_report = self.elapsed
            last_status = status

            remaining = self.timeout - self.elapsed
            if remaining <= 0:
                raise TimedOut(self.elapsed, self.polls, status)
            # Poll every poll_interval, and in time for the next progress line.
            until_report = last_report + self.progress_interval - slack - self.elapsed
            self.sleep(max(0.1, min(self.poll_interval, remaining, until_report)))


class WaitAction(ActionBase):
    """Base of the collection's wait actions. A subclass sets OWN_ARGUMENT_SPEC and implements
    _prepare(args), _check_mode() (one read, no wait) and _wait(args) (returns the result
    or raises AnsibleActionFail)."""

    TRANSFERS_FILES = False
    _requires_connection = True
    OWN_ARGUMENT_SPEC = {}

    # Seams for the unit tests.
    _clock = staticmethod(time.monotonic)
    _sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        if task_vars is None:
            task_vars = {}
        result = super().run(tmp, task_vars)
        del tmp

        try:
            spec = dict(self.OWN_ARGUMENT_SPEC)
            spec.update(CONNECTION_ARGUMENT_SPEC)
            _validation, args = self.validate_argument_spec(argument_spec=spec)
            check_intervals(args)
            self._task_vars = task_vars
            self._prepare(args)
            result.update(self._check_mode() if self._task.check_mode else self._wait(args))
        except AnsibleAction as e:
            # ansible-core < 2.19 does not turn an AnsibleActionFail raised from run() into a result.
            result.update(e.result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _progress_wait(self, label, args, display):
        return ProgressWait(label, args["timeout"], args["poll_interval"], args["progress_interval"], display,
                            clock=self._clock, sleep=self._sleep)

    def _prepare(self, args):
        raise NotImplementedError

    def _check_mode(self):
        raise NotImplementedError

    def _wait(self, args):
        raise NotImplementedError
