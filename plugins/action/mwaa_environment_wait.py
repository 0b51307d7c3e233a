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

from ansible.errors import AnsibleActionFail
from ansible.utils.display import Display

from ansible_collections.dataplatform.mwaa_lineage.plugins.plugin_utils.wait import (
    TimedOut,
    WaitAction,
    connection_args,
    execute_info_module,
    format_elapsed,
)

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


def last_update_error(environment):
    """'ErrorCode: ErrorMessage' from the snake_case last_update.error, or None."""
    error = ((environment or {}).get("last_update") or {}).get("error") or {}
    code, message = error.get("error_code"), error.get("error_message")
    if code and message:
        return f"{code}: {message}"
    return code or message or None


class ActionModule(WaitAction):
    OWN_ARGUMENT_SPEC = OWN_ARGUMENT_SPEC

    def _prepare(self, args):
        self._name = args["name"]
        self._module_args = dict(connection_args(args), name=self._name)

    def _poll(self):
        """The environment (snake_case dict) or None when it does not exist."""
        info = execute_info_module(self, INFO_MODULE, self._module_args, self._task_vars,
                                   f"MWAA environment '{self._name}'")
        environments = info.get("environments") or []
        environment = environments[0] if environments else None
        if environment is not None and environment.get("status") == DELETED:
            return None
        return environment

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
        state = args["state"]
        wait = self._progress_wait(f"mwaa {self._name}", args, display)
        last = {}

        def poll():
            environment = self._poll()
            last["environment"] = environment
            status = None if environment is None else environment.get("status")
            return status or "absent", self._settled(state, environment, status, wait.elapsed_now(), wait.polls + 1)

        try:
            return wait.run(poll)
        except TimedOut as e:
            environment = last.get("environment")
            status = None if environment is None else environment.get("status")
            wanted = "be deleted" if state == "absent" else f"become {AVAILABLE}"
            raise AnsibleActionFail(
                f"Timed out after {format_elapsed(e.elapsed)} waiting for MWAA environment '{self._name}' to "
                f"{wanted}; it is still {status}. Raise timeout or check the environment in the MWAA console.",
                result=dict(environment=environment or {}, status=status, elapsed=int(e.elapsed), polls=e.polls),
            ) from None

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
