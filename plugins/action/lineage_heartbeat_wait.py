# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of dataplatform.mwaa_lineage.lineage_heartbeat_wait (documented in
plugins/modules/lineage_heartbeat_wait.py).

The heartbeat DAG runs every few minutes, so this wait lasts minutes: it runs on the controller
(plugin_utils/wait.py) to print progress, and each poll executes lineage_heartbeat_info. Only the
last read after the timeout asks for the task log, so a wait costs one GetMetricData per poll.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.utils.display import Display

from ansible_collections.dataplatform.mwaa_lineage.plugins.plugin_utils.wait import (
    TimedOut,
    WaitAction,
    connection_args,
    execute_info_module,
)

display = Display()

INFO_MODULE = "dataplatform.mwaa_lineage.lineage_heartbeat_info"

OWN_ARGUMENT_SPEC = dict(
    environment_name=dict(type="str", required=True),
    since=dict(type="str", required=True),
    timeout=dict(type="int", default=1200),
    poll_interval=dict(type="int", default=30),
    progress_interval=dict(type="int", default=60),
    metric_namespace=dict(type="str", default="MWAALineage"),
    metric_name=dict(type="str", default="LineageHeartbeat"),
    dag_id=dict(type="str", default="lineage_heartbeat"),
    log_group_name=dict(type="str", default=""),
    log_lines=dict(type="int", default=20),
)

# Passed through to the info module unchanged.
READ_KEYS = ("environment_name", "since", "metric_namespace", "metric_name", "dag_id", "log_group_name")
RESULT_KEYS = ("confirmed", "datapoint_time", "latest_datapoint", "log_lines", "log_stream")


def describe(info):
    """The progress text for one read."""
    latest = info.get("latest_datapoint") or {}
    if info.get("confirmed"):
        return f"confirmed at {info.get('datapoint_time')}"
    if latest:
        return f"latest datapoint {latest.get('value', 0):g} at {latest.get('time')}, waiting for a 1"
    return "no datapoint yet"


class ActionModule(WaitAction):
    OWN_ARGUMENT_SPEC = OWN_ARGUMENT_SPEC

    def _prepare(self, args):
        if args["log_lines"] < 0:
            raise AnsibleActionFail(f"log_lines must not be negative; got {args['log_lines']}")
        self._name = args["environment_name"]
        self._read_args = dict(connection_args(args), **{key: args[key] for key in READ_KEYS})

    def _check_mode(self):
        return dict(self._result(self._read(0)), elapsed=0, polls=1, msg="check mode: read once, not waiting")

    def _read(self, log_lines):
        return execute_info_module(self, INFO_MODULE, dict(self._read_args, log_lines=log_lines), self._task_vars,
                                   f"the lineage heartbeat of '{self._name}'")

    @staticmethod
    def _result(info):
        return dict({key: info[key] for key in RESULT_KEYS if key in info}, changed=False)

    def _wait(self, args):
        wait = self._progress_wait(f"lineage heartbeat {self._name}", args, display)

        def poll():
            info = self._read(0)
            return describe(info), (self._result(info) if info.get("confirmed") else None)

        try:
            return wait.run(poll)
        except TimedOut as e:
            # One more read, with the task log: the reader needs it most when nothing arrived.
            info = self._read(args["log_lines"])
            result = self._result(info)
            if info.get("confirmed"):
                result.update(elapsed=int(e.elapsed), polls=e.polls + 1)
                return result
            raise AnsibleActionFail(
                f"No successful lineage heartbeat ({args['metric_namespace']}/{args['metric_name']}=1, "
                f"Environment={self._name}) since {info.get('since', args['since'])} within {args['timeout']}s. {info.get('diagnosis', '')}",
                result=dict(result, elapsed=int(e.elapsed), polls=e.polls + 1),
            ) from None
