#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: mwaa_blue_green
version_added: 0.2.0
short_description: Query or switch the active color of a blue/green pair of Amazon MWAA environments
description:
  - A blue/green deployment runs two MWAA environments. An SSM parameter names the color
    (V(blue) or V(green)) whose DAGs do the work. The DAGs read it at run time.
  - Without O(target) the module only reads the parameter and returns the active color. It
    never creates a missing parameter. The deployment role creates it.
  - With O(target) the module switches the active color. It checks the target environment
    first (preflight). Then it writes the new color with one C(PutParameter) call with
    C(Overwrite=true). The call keeps the parameter's type, tier, description, allowed pattern
    and data type.
  - The preflight refuses the switch, before any write, when the target environment does not
    exist or its status is not C(AVAILABLE) (for example C(CREATING), C(UPDATING),
    C(UPDATE_FAILED), C(CREATE_FAILED) or C(MAINTENANCE)). With O(require_heartbeat=true) it also
    refuses when the target's scheduler sent no C(SchedulerHeartbeat) metric in the last
    O(heartbeat_max_age) minutes. The error names the environment and what was found.
    O(force=true) turns these refusals into warnings.
  - O(target=previous) rolls back to the color that was active before the current one. The
    module reads that color from the parameter's version history (C(GetParameterHistory)), so
    it needs no extra record. Switches made outside this module count too. It fails when the
    history has no other color.
  - A switch to the color that is already active changes nothing and makes no write call.
  - With O(pause_dags=true) the module also pauses the DAGs in the environment of the other
    color and unpauses them in the active one. It calls the Airflow 3 REST API (C(PATCH /dags/{dag_id}))
    through MWAA C(InvokeRestApi). It sends only the changes that are needed, also when the color
    is already active, so a failed run can be repeated. It reads the DAG lists before the flip.
    When the target environment cannot list its DAGs or lacks a DAG from O(dag_ids), the switch
    is refused. MWAA allows C(InvokeRestApi) from outside the VPC only for public web servers, so
    O(pause_dags=true) is refused when either environment is C(PRIVATE_ONLY) (see O(pause_dags)).
  - This module belongs to the C(group/dataplatform.mwaa_lineage.mwaa) action group. Add the
    group to the play's C(module_defaults) next to C(group/amazon.aws.aws).
options:
  parameter_name:
    description:
      - Name of the SSM parameter that holds the active color, for example
        V(/mwaa/lineage/prod/blue-green/active-environment).
    type: str
    required: true
  environments:
    description:
      - The MWAA environment name of each color.
      - Required with O(target). Without O(target), when set, the module also reports each
        environment's status.
    type: dict
    suboptions:
      blue:
        description: Name of the blue environment.
        type: str
        required: true
      green:
        description: Name of the green environment.
        type: str
        required: true
  target:
    description:
      - The color to make active. V(previous) means the color that was active before the
        current one.
      - Omit to only query the active color.
    type: str
    choices: [blue, green, previous]
  force:
    description:
      - Switch even when the preflight finds a problem, with a warning for each problem.
      - Also creates the parameter when it does not exist (normally the deployment role creates it).
    type: bool
    default: false
  require_heartbeat:
    description:
      - Also require C(SchedulerHeartbeat) datapoints for the target environment in the last
        O(heartbeat_max_age) minutes (CloudWatch namespace C(AmazonMWAA), dimensions
        C(Function=Scheduler) and C(Environment=<name>)).
    type: bool
    default: false
  heartbeat_max_age:
    description:
      - Age limit in minutes of the newest C(SchedulerHeartbeat) datapoint, from V(1) to V(1440).
    type: int
    default: 10
  pause_dags:
    description:
      - After the switch, pause the DAGs in the environment of the other color and unpause them in
        the active one, through MWAA C(InvokeRestApi) (Airflow 3 REST API).
      - If the other environment cannot be reached (for example it is being created), the module
        warns and leaves its DAGs alone.
      - Only for environments whose web server is public (C(WebserverAccessMode) V(PUBLIC_ONLY) or
        V(PUBLIC_AND_PRIVATE)). MWAA refuses C(InvokeRestApi) from outside the VPC for
        V(PRIVATE_ONLY) environments, so the module refuses O(pause_dags=true) before any write when
        either environment is V(PRIVATE_ONLY). For private environments the gate DAGs are the
        mechanism. They read the active color and run their work only there.
      - Needs O(target).
    type: bool
    default: false
  dag_ids:
    description:
      - The DAGs that O(pause_dags) changes. An empty list means all DAGs of each environment.
      - A DAG id may have at most 58 characters, because C(InvokeRestApi) accepts paths of at most 64.
    type: list
    elements: str
    default: []
notes:
  - The flip is one C(PutParameter) call. SSM has no conditional write, so the module compares the
    version it gets back with the version it read and warns when another writer came in between.
  - In check mode the module makes only read calls. It returns what would change (the colors,
    the DAGs it would pause and unpause) and a diff.
  - Throttling and transient errors are retried with jittered backoff.
  - IAM permissions are C(ssm:GetParameterHistory) and C(ssm:PutParameter) on the parameter,
    C(airflow:GetEnvironment) on both environments, C(cloudwatch:GetMetricStatistics) with
    O(require_heartbeat), and C(airflow:InvokeRestApi) with O(pause_dags).
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# module_defaults:
#   group/amazon.aws.aws: "{{ aws_module_defaults }}"
#   group/dataplatform.mwaa_lineage.mwaa: "{{ aws_module_defaults }}"
- name: Which color is active?
  dataplatform.mwaa_lineage.mwaa_blue_green:
    parameter_name: /mwaa/lineage/prod/blue-green/active-environment
  register: active

- name: Switch to green once green is AVAILABLE and its scheduler is alive
  dataplatform.mwaa_lineage.mwaa_blue_green:
    parameter_name: /mwaa/lineage/prod/blue-green/active-environment
    environments:
      blue: lineage-blue-prod
      green: lineage-green-prod
    target: green
    require_heartbeat: true
    heartbeat_max_age: 10

- name: Roll back to the color that was active before
  dataplatform.mwaa_lineage.mwaa_blue_green:
    parameter_name: /mwaa/lineage/prod/blue-green/active-environment
    environments:
      blue: lineage-blue-prod
      green: lineage-green-prod
    target: previous

# pause_dags needs environments with a public web server (WebserverAccessMode PUBLIC_ONLY).
- name: Preview a switch that also pauses two DAGs in the old color and unpauses them in the new one
  dataplatform.mwaa_lineage.mwaa_blue_green:
    parameter_name: /mwaa/lineage/prod/blue-green/active-environment
    environments:
      blue: lineage-blue-prod
      green: lineage-green-prod
    target: blue
    pause_dags: true
    dag_ids: [daily_sales, openlineage_demo]
  check_mode: true
  diff: true
"""

RETURN = r"""
active:
  description:
    - The active color after the run. In check mode, the color that would be active.
    - V(null) when the parameter is missing or holds something else than V(blue) or V(green).
  returned: always
  type: str
  sample: green
before:
  description: The active color when the module started (V(null) when missing or invalid).
  returned: always
  type: str
  sample: blue
after:
  description: The same as RV(active).
  returned: always
  type: str
  sample: green
previous:
  description:
    - The color that O(target=previous) would switch to after this run. After a switch,
      this is RV(before).
    - V(null) when no other color is recorded.
  returned: always
  type: str
  sample: blue
switched:
  description: Whether the parameter was written (in check mode, whether it would be).
  returned: always
  type: bool
parameter:
  description: The parameter after the run. In check mode, the parameter as it was read.
  returned: when the parameter exists
  type: dict
  contains:
    name:
      description: Parameter name.
      type: str
    value:
      description: Raw value.
      type: str
    version:
      description: Parameter version.
      type: int
    type:
      description: Parameter type (always C(String) for a valid parameter).
      type: str
    tier:
      description: Parameter tier, kept on every write.
      type: str
environments:
  description: The environment names by color, as given.
  returned: when O(environments) is set
  type: dict
  sample: {"blue": "lineage-blue-prod", "green": "lineage-green-prod"}
active_environment:
  description: Name of the active color's environment.
  returned: when O(environments) is set and a color is active
  type: str
  sample: lineage-green-prod
environment_status:
  description: The C(Status) of each environment, or V(null) when it does not exist.
  returned: when O(environments) is set and O(target) is not
  type: dict
  sample: {"lineage-blue-prod": "AVAILABLE", "lineage-green-prod": "UPDATING"}
preflight:
  description: What the preflight found for the target environment.
  returned: when O(target) is set
  type: dict
  contains:
    environment:
      description: The target environment's name.
      type: str
    status:
      description: Its MWAA status, or V(null) when it does not exist.
      type: str
    heartbeat:
      description:
        - C(seen), C(datapoints), C(last_seen) and C(window_minutes) of the C(SchedulerHeartbeat) check.
        - Present only with O(require_heartbeat=true).
      type: dict
    problems:
      description: Every reason to refuse. Empty when the target is ready.
      type: list
      elements: str
    forced:
      description: Whether O(force=true) overrode problems.
      type: bool
duration_ms:
  description:
    - Round trip of the C(PutParameter) call in milliseconds. V(0) when nothing was written.
    - The gate DAGs see the new color on their next read after this call.
  returned: when O(target) is set
  type: float
  sample: 41.7
total_duration_ms:
  description: Wall time of the whole module run in milliseconds, including preflight and DAG changes.
  returned: always
  type: float
  sample: 388.2
paused:
  description: DAG ids paused in the other color's environment (in check mode, the DAGs that would be).
  returned: when O(pause_dags=true)
  type: list
  elements: str
  sample: [daily_sales]
unpaused:
  description: DAG ids unpaused in the active environment (in check mode, the DAGs that would be).
  returned: when O(pause_dags=true)
  type: list
  elements: str
  sample: [daily_sales]
"""

import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import blue_green as bg
from ansible_collections.dataplatform.mwaa_lineage.plugins.module_utils import mwaa as mwaa_utils

NAME_RE = re.compile(r"^[a-zA-Z][0-9a-zA-Z\-_]*$")
# SSM parameter names: letters, digits and .-_/ ; hierarchies start with '/'.
PARAMETER_RE = re.compile(r"^[a-zA-Z0-9_.\-/]{1,2048}$")


def _ms(seconds):
    return round(seconds * 1000.0, 1)


class BlueGreen:
    def __init__(self, module):
        self.module = module
        self.started = time.monotonic()
        self.p = module.params
        self.name = self.p["parameter_name"]
        self._clients = {}
        self._environments = {}

    # -- clients ------------------------------------------------------------------------------
    def client(self, service):
        if service not in self._clients:
            if service == "mwaa":
                self._clients[service] = mwaa_utils.get_mwaa_client(self.module)
            else:
                retry = AWSRetry.jittered_backoff(retries=10, catch_extra_error_codes=["ThrottlingException"])
                self._clients[service] = self.module.client(service, retry_decorator=retry)
        return self._clients[service]

    def aws(self, description, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to {description}")

    # -- input --------------------------------------------------------------------------------
    def validate(self):
        p = self.p
        errors = []
        if not PARAMETER_RE.match(self.name):
            errors.append(
                f"parameter_name '{self.name}' is not a valid SSM parameter name "
                "(letters, digits, '.', '-', '_' and '/', at most 2048 characters)"
            )
        envs = p["environments"]
        if envs:
            for color in bg.COLORS:
                name = envs[color]
                if not NAME_RE.match(name) or len(name) > 80:
                    errors.append(
                        f"environments.{color} '{name}' is not a valid MWAA environment name "
                        "(letters, digits, '-' and '_', starting with a letter, at most 80 characters)"
                    )
            if envs["blue"] == envs["green"]:
                errors.append(f"environments.blue and environments.green are both '{envs['blue']}'; they must differ")
        if p["target"] is None:
            for option in ("pause_dags", "require_heartbeat"):
                if p[option]:
                    errors.append(f"{option}=true needs target (blue, green or previous)")
        if not 1 <= p["heartbeat_max_age"] <= bg.HEARTBEAT_MAX_WINDOW_MINUTES:
            errors.append(
                f"heartbeat_max_age must be between 1 and {bg.HEARTBEAT_MAX_WINDOW_MINUTES} minutes; "
                f"got {p['heartbeat_max_age']}"
            )
        for dag_id in p["dag_ids"]:
            try:
                bg.dag_path(dag_id)
            except ValueError as e:
                errors.append(f"dag_ids: {e}")
        if errors:
            self.module.fail_json(msg="; ".join(errors))

    # -- reads --------------------------------------------------------------------------------
    def read_parameter(self):
        return self.aws(f"read SSM parameter '{self.name}'", bg.read_parameter, self.client("ssm"), self.name)

    def environment(self, name):
        if name not in self._environments:
            self._environments[name] = self.aws(
                f"describe MWAA environment '{name}'", mwaa_utils.get_environment, self.client("mwaa"), name
            )
        return self._environments[name]

    def refuse_private_webservers(self, new_env, old_env, before):
        """pause_dags goes through InvokeRestApi, which MWAA refuses outside the VPC for private web servers."""
        private = []
        for env_name in (new_env, old_env):
            environment = self.environment(env_name)
            if mwaa_utils.is_gone(environment):
                continue
            if environment.get("WebserverAccessMode") == bg.PRIVATE_WEBSERVER:
                private.append(f"'{env_name}' (WebserverAccessMode {bg.PRIVATE_WEBSERVER})")
        if private:
            self.module.fail_json(
                msg=(
                    f"pause_dags=true cannot work for the MWAA environments {' and '.join(private)}: MWAA refuses "
                    "InvokeRestApi from outside the VPC for private web servers. Nothing was changed. Switch without "
                    "pause_dags: the fail-closed gate DAGs run their work only in the active color, which is the "
                    "mechanism for private environments."
                ),
                active=before,
                before=before,
            )

    def preflight(self, env_name):
        problems = []
        environment = self.environment(env_name)
        status = None if mwaa_utils.is_gone(environment) else environment.get("Status")
        result = {"environment": env_name, "status": status, "problems": problems, "forced": False}
        if status is None:
            problems.append(f"MWAA environment '{env_name}' does not exist")
        elif status != mwaa_utils.AVAILABLE:
            detail = mwaa_utils.last_update_error(environment)
            problems.append(
                f"MWAA environment '{env_name}' is {status}, not AVAILABLE"
                + (f" (last update error: {detail})" if detail else "")
            )
        if self.p["require_heartbeat"]:
            beat = self.aws(
                f"read the SchedulerHeartbeat metric of '{env_name}'",
                bg.heartbeat, self.client("cloudwatch"), env_name, self.p["heartbeat_max_age"],
            )
            result["heartbeat"] = beat
            if not beat["seen"]:
                problems.append(
                    f"MWAA environment '{env_name}' sent no SchedulerHeartbeat metric (CloudWatch namespace "
                    f"{bg.HEARTBEAT_NAMESPACE}, Function=Scheduler, Environment={env_name}) in the last "
                    f"{self.p['heartbeat_max_age']} minutes: its scheduler is not running"
                )
        return result

    def dags(self, env_name):
        """({dag_id: is_paused}, None) or (None, error text)."""
        try:
            return bg.list_dags(self.client("mwaa"), env_name), None
        except bg.AirflowApiError as e:
            return None, str(e)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            return None, f"GET /dags on MWAA environment '{env_name}' failed: {e}"

    def plan_dags(self, new_env, old_env, preflight):
        """(to_pause in old_env, to_unpause in new_env); adds problems for the new environment."""
        wanted = list(dict.fromkeys(self.p["dag_ids"]))
        to_pause, to_unpause = [], []
        new_dags, error = (None, None) if preflight["status"] is None else self.dags(new_env)
        if new_dags is None:
            preflight["problems"].append(
                f"cannot list the DAGs of MWAA environment '{new_env}' to unpause them: "
                f"{error or 'the environment does not exist'}"
            )
        else:
            missing = [d for d in wanted if d not in new_dags]
            if missing:
                preflight["problems"].append(
                    f"MWAA environment '{new_env}' does not have the DAGs {missing} (dag_ids); "
                    "its DAG folder is not ready"
                )
            to_unpause = [d for d in (wanted or sorted(new_dags)) if new_dags.get(d) is True]
        old_dags, error = self.dags(old_env)
        if old_dags is None:
            mwaa_utils.warn(
                self.module,
                f"Not pausing DAGs in MWAA environment '{old_env}': {error}. The gate DAGs still run their "
                "work only in the active color.",
            )
        else:
            to_pause = [d for d in (wanted or sorted(old_dags)) if old_dags.get(d) is False]
        for dag_id in to_pause + to_unpause:
            try:
                bg.dag_path(dag_id)
            except ValueError as e:
                preflight["problems"].append(str(e))
        return to_pause, to_unpause

    # -- run ----------------------------------------------------------------------------------
    def query(self, state):
        result = self.base_result(state, state.active if state else None, changed=False)
        envs = self.p["environments"]
        if envs:
            statuses = {}
            for color in bg.COLORS:
                environment = self.environment(envs[color])
                statuses[envs[color]] = None if mwaa_utils.is_gone(environment) else environment.get("Status")
            result["environment_status"] = statuses
        result["previous"] = state.previous if state else None
        self.exit(result)

    def base_result(self, state, active, changed):
        result = {
            "changed": changed,
            "before": state.active if state else None,
            "after": active,
            "active": active,
            "switched": False,
        }
        if state:
            result["parameter"] = state.to_dict()
        envs = self.p["environments"]
        if envs:
            result["environments"] = dict(envs)
            if active:
                result["active_environment"] = envs[active]
        return result

    def exit(self, result):
        result["total_duration_ms"] = _ms(time.monotonic() - self.started)
        self.module.exit_json(**result)

    def switch(self, state):
        p = self.p
        envs = p["environments"]
        if state is None and not p["force"]:
            self.module.fail_json(
                msg=(
                    f"SSM parameter '{self.name}' does not exist, so no color is active and the gate DAGs skip "
                    "their work in both environments. Deploy with blue_green_enabled: true (the deployment role "
                    "creates it), or use force: true to create it with the target color."
                ),
                active=None,
            )
        before = state.active if state else None
        target = p["target"]
        if target == "previous":
            if not state or not state.previous:
                self.module.fail_json(
                    msg=(
                        f"target=previous: no previous color is recorded for '{self.name}' "
                        f"(the version history has no color other than {before!r}). Give blue or green instead."
                    ),
                    active=before,
                    before=before,
                )
            target = state.previous
        flip = state is None or state.value != target
        new_env = envs[target]
        old_env = envs[bg.other_color(target)]

        preflight = self.preflight(new_env)
        to_pause, to_unpause = [], []
        if p["pause_dags"]:
            self.refuse_private_webservers(new_env, old_env, before)
            to_pause, to_unpause = self.plan_dags(new_env, old_env, preflight)

        problems = preflight["problems"]
        if problems:
            if flip and not p["force"]:
                self.module.fail_json(
                    msg=(
                        f"Refusing to switch '{self.name}' from {before or 'nothing'} to {target} ({new_env}): "
                        + "; ".join(problems)
                        + ". Nothing was changed. Fix the environment or use force: true."
                    ),
                    preflight=preflight,
                    active=before,
                    before=before,
                )
            preflight["forced"] = bool(flip)
            for problem in problems:
                prefix = "force: true, switching anyway: " if flip else f"{target} is already active, but: "
                mwaa_utils.warn(self.module, prefix + problem)
        changed = bool(flip or to_pause or to_unpause)
        result = self.base_result(state, target, changed)
        result.update(
            switched=flip,
            previous=before if flip and before else (state.previous if state else None),
            preflight=preflight,
            duration_ms=0.0,
        )
        if p["pause_dags"]:
            result.update(paused=to_pause, unpaused=to_unpause)
        if self.module._diff:
            dag_before, dag_after = {}, {}
            if to_pause:
                dag_before[old_env] = {d: "unpaused" for d in to_pause}
                dag_after[old_env] = {d: "paused" for d in to_pause}
            if to_unpause:
                dag_before[new_env] = {d: "paused" for d in to_unpause}
                dag_after[new_env] = {d: "unpaused" for d in to_unpause}
            result["diff"] = {
                "before": {"active": before, "value": state.value if state else None, "dags": dag_before},
                "after": {"active": target, "value": target, "dags": dag_after},
            }
        if self.module.check_mode or not changed:
            self.exit(result)

        if flip:
            t0 = time.monotonic()
            version = self.aws(
                f"write SSM parameter '{self.name}'", bg.put_color, self.client("ssm"), state, self.name, target
            )
            result["duration_ms"] = _ms(time.monotonic() - t0)
            expected = (state.version + 1) if state and state.version else 1
            if version is not None and version != expected:
                mwaa_utils.warn(
                    self.module,
                    f"SSM parameter '{self.name}' is now at version {version}, expected {expected}: another writer "
                    "changed it while this switch ran. Query it again before relying on the active color.",
                )
            result["parameter"] = {
                "name": self.name,
                "value": target,
                "version": version,
                "type": "String",
                "tier": state.tier if state else "Standard",
            }

        failures = []
        done_pause, done_unpause = [], []
        # Old color first: both colors never have the DAG unpaused at once.
        for env_name, dag_ids, paused, done in (
            (old_env, to_pause, True, done_pause),
            (new_env, to_unpause, False, done_unpause),
        ):
            for dag_id in dag_ids:
                try:
                    bg.set_paused(self.client("mwaa"), env_name, dag_id, paused)
                    done.append(dag_id)
                except (bg.AirflowApiError, botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                    failures.append(str(e))
        if p["pause_dags"]:
            result.update(paused=done_pause, unpaused=done_unpause)
        if failures:
            state_text = (
                f"'{self.name}' now says {target}" if flip else f"{target} was already active"
            )
            result.pop("changed")
            self.module.fail_json(
                msg=(
                    f"{state_text}, but changing DAGs failed: " + "; ".join(failures)
                    + ". Run the same switch again to retry the DAG changes."
                ),
                changed=True,
                **result,
            )
        self.exit(result)


def main():
    argument_spec = dict(
        parameter_name=dict(type="str", required=True),
        environments=dict(
            type="dict",
            options=dict(
                blue=dict(type="str", required=True),
                green=dict(type="str", required=True),
            ),
        ),
        target=dict(type="str", choices=["blue", "green", "previous"]),
        force=dict(type="bool", default=False),
        require_heartbeat=dict(type="bool", default=False),
        heartbeat_max_age=dict(type="int", default=10),
        pause_dags=dict(type="bool", default=False),
        dag_ids=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_by={"target": ["environments"]},
    )
    runner = BlueGreen(module)
    runner.validate()
    state = runner.read_parameter()
    if state is not None and state.type != "String":
        module.fail_json(
            msg=(
                f"SSM parameter '{runner.name}' is a {state.type}; the active color must be a String "
                "parameter (the gate DAGs read it without decryption)"
            )
        )
    if module.params["target"] is None:
        runner.query(state)
    runner.switch(state)


if __name__ == "__main__":
    main()
