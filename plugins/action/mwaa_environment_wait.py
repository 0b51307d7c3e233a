# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of dataplatform.mwaa_lineage.mwaa_environment_wait (documented in
plugins/modules/mwaa_environment_wait.py).

The wait runs in the action plugin, not in a module, because only the controller can
print while a task runs: a module's output appears when it exits, so a 40-minute create
would be 40 minutes of silence. Each poll executes mwaa_environment_info with the task's
AWS connection options (module_defaults of group/dataplatform.mwaa_lineage.mwaa apply,
as this action is in that group), so credentials, retries, the endpoint host-prefix
handling and secret masking are exactly the modules' own.
"""

from __future__ import annotations

import time

from ansible.errors import AnsibleAction, AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

INFO_MODULE = "dataplatform.mwaa_lineage.mwaa_environment_info"

# Same status sets as plugins/module_utils/mwaa.py (kept here so the controller side does not
# import botocore-dependent module_utils).
AVAILABLE = "AVAILABLE"
PENDING = "PENDING"
DELETED = "DELETED"
FAILED_STATUSES = frozenset(("CREATE_FAILED", "UPDATE_FAILED", "UNAVAILABLE"))

# Options of this action; everything else is an AWS connection option for the info module.
OWN_ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    timeout=dict(type="int", default=7200, aliases=["wait_timeout"]),
    poll_interval=dict(type="int", default=30),
    progress_interval=dict(type="int", default=60),
)

# amazon.aws's common connection options (amazon.aws.common.modules, amazon.aws.region.modules)
# with their aliases; they are validated again by the info module.
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


def format_elapsed(seconds):
    """12m30s; 1h02m05s past an hour."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s"


def last_update_error(environment):
    """'ErrorCode: ErrorMessage' from the snake_case last_update.error, or None."""
    error = ((environment or {}).get("last_update") or {}).get("error") or {}
    code, message = error.get("error_code"), error.get("error_message")
    if code and message:
        return f"{code}: {message}"
    return code or message or None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True

    # Seams for the unit tests.
    _clock = staticmethod(time.monotonic)
    _sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        if task_vars is None:
            task_vars = {}
        result = super().run(tmp, task_vars)
        del tmp

        try:
            spec = dict(OWN_ARGUMENT_SPEC)
            spec.update(CONNECTION_ARGUMENT_SPEC)
            _validation, args = self.validate_argument_spec(argument_spec=spec)
            self._check_intervals(args)
            # Only the connection options the task (or module_defaults) set go to the info module.
            connection = {key: args[key] for key in CONNECTION_ARGUMENT_SPEC if args.get(key) is not None}
            self._name = args["name"]
            self._module_args = dict(connection, name=self._name)
            self._task_vars = task_vars
            if self._task.check_mode:
                result.update(self._check_mode())
            else:
                result.update(self._wait(args))
        except AnsibleAction as e:
            # ansible-core < 2.19 does not turn an AnsibleActionFail raised from run() into a result.
            result.update(e.result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _check_intervals(args):
        for key in ("timeout", "poll_interval", "progress_interval"):
            if args[key] < 1:
                raise AnsibleActionFail(f"{key} must be at least 1 second; got {args[key]}")
        if args["poll_interval"] > args["progress_interval"]:
            raise AnsibleActionFail(
                f"poll_interval ({args['poll_interval']}s) must not exceed progress_interval "
                f"({args['progress_interval']}s): progress is reported after a poll"
            )

    def _poll(self):
        """The environment (snake_case dict) or None when it does not exist."""
        info = self._execute_module(
            module_name=INFO_MODULE, module_args=dict(self._module_args), task_vars=self._task_vars
        )
        if info.get("failed"):
            raise AnsibleActionFail(
                f"Could not read MWAA environment '{self._name}': {to_text(info.get('msg', 'unknown error'))}",
                result={k: v for k, v in info.items() if k in ("error", "boto3_version", "botocore_version")},
            )
        environments = info.get("environments") or []
        environment = environments[0] if environments else None
        if environment is not None and environment.get("status") == DELETED:
            return None
        return environment

    def _progress(self, status, elapsed):
        display.display(f"mwaa {self._name}: {status or 'absent'}, {format_elapsed(elapsed)} elapsed")

    def _check_mode(self):
        # Check mode starts nothing, so there is nothing to wait for: report the current state once.
        environment = self._poll()
        return dict(
            changed=False,
            environment=environment or {},
            status=(environment or {}).get("status"),
            elapsed=0,
            polls=1,
            msg="check mode: not waiting",
        )

    def _wait(self, args):
        state, timeout, progress_interval = args["state"], args["timeout"], args["progress_interval"]
        started = self._clock()
        last_report = None
        last_status = object()
        polls = 0
        while True:
            poll_started = self._clock()
            environment = self._poll()
            polls += 1
            now = self._clock()
            elapsed = now - started
            # A report is due a little early rather than late: the next one comes after a poll.
            slack = 1.5 * (now - poll_started)
            status = None if environment is None else environment.get("status")

            done = self._settled(state, environment, status, elapsed, polls)
            if done is not None:
                if polls > 1:
                    self._progress(status, elapsed)  # the final line of a wait that showed progress
                done.update(elapsed=int(elapsed), polls=polls)
                return done

            if last_report is None or status != last_status or elapsed >= last_report + progress_interval - slack:
                self._progress(status, elapsed)
                last_report = elapsed
            last_status = status

            remaining = timeout - elapsed
            if remaining <= 0:
                wanted = "be deleted" if state == "absent" else f"become {AVAILABLE}"
                raise AnsibleActionFail(
                    f"Timed out after {format_elapsed(elapsed)} waiting for MWAA environment '{self._name}' to "
                    f"{wanted}; it is still {status}. Raise timeout or check the environment in the MWAA console.",
                    result=dict(environment=environment or {}, status=status, elapsed=int(elapsed), polls=polls),
                )
            # Poll every poll_interval, and in time for the next progress line.
            until_report = last_report + progress_interval - slack - elapsed
            self._sleep(max(0.1, min(args["poll_interval"], remaining, until_report)))

    def _settled(self, state, environment, status, elapsed, polls):
        """The task result when the wait is over, else None (raises on failure states)."""
        if state == "absent":
            if environment is None:
                return dict(changed=False, environment={}, status=None)
            return None

        if environment is None:
            raise AnsibleActionFail(
                f"MWAA environment '{self._name}' does not exist"
                + (" (it disappeared while waiting)" if polls > 1 else ""),
                result=dict(environment={}, status=None, elapsed=int(elapsed), polls=polls),
            )
        if status in FAILED_STATUSES:
            detail = last_update_error(environment) or "MWAA reported no error details in LastUpdate"
            hint = {
                "CREATE_FAILED": " Delete it (state=absent) before creating it again.",
                "UPDATE_FAILED": " MWAA rolled the environment back to its previous configuration.",
            }.get(status, "")
            raise AnsibleActionFail(
                f"MWAA environment '{self._name}' is {status}: {detail}.{hint}",
                result=dict(
                    environment=environment,
                    status=status,
                    last_update_error=last_update_error(environment),
                    elapsed=int(elapsed),
                    polls=polls,
                ),
            )
        if status == AVAILABLE:
            return dict(changed=False, environment=environment, status=status)
        if status == PENDING:
            display.warning(
                f"MWAA environment '{self._name}' is PENDING until the customer-managed VPC endpoints exist "
                f"(webserver: {environment.get('webserver_vpc_endpoint_service')}, database: "
                f"{environment.get('database_vpc_endpoint_service')}); not waiting for them."
            )
            return dict(changed=False, environment=environment, status=status)
        return None
