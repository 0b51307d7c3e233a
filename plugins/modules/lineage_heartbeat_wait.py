#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# This is a documentation stub: the work is done by the action plugin of the same name
# (plugins/action/lineage_heartbeat_wait.py), which polls lineage_heartbeat_info.

DOCUMENTATION = r"""
---
module: lineage_heartbeat_wait
version_added: 0.2.0
short_description: Wait for a successful lineage heartbeat of an Amazon MWAA environment
description:
  - The C(lineage_heartbeat) DAG shipped by the C(dags_bucket) role posts an OpenLineage event to the
    environment's lineage backend, reads it back, and publishes the result as the CloudWatch metric
    O(metric_namespace)/O(metric_name) (1 success, 0 failure) with the dimension C(Environment=<name>).
  - "This action polls that metric (with M(dataplatform.mwaa_lineage.lineage_heartbeat_info)) until a datapoint
    with value 1 newer than O(since) exists, and returns its time. While it waits it prints a progress line such
    as C(lineage heartbeat lineage-prod: no datapoint yet, 4m00s elapsed) at least every O(progress_interval)
    seconds and whenever what it sees changes."
  - When none comes within O(timeout) seconds it fails. The message names the latest datapoint seen (a 0 means
    the DAG ran and the round trip failed) and quotes the last O(log_lines) lines of the heartbeat task's latest
    log from CloudWatch Logs (group C(airflow-<name>-Task), streams starting with C(dag_id=<dag_id>/)).
  - It only reads. The task reports C(changed=false).
options:
  timeout:
    description: Seconds to wait for the datapoint. The DAG runs every 5 minutes, so allow more than that.
    type: int
    default: 1200
  poll_interval:
    description: Seconds between two metric reads. Must not exceed O(progress_interval).
    type: int
    default: 30
  progress_interval:
    description: Longest time in seconds between two progress lines.
    type: int
    default: 60
  log_lines:
    description: Number of task log lines quoted on failure. V(0) reads no logs.
    type: int
    default: 20
attributes:
  check_mode:
    support: full
    description: In check mode the metric is read once and the module does not wait or fail.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
notes:
  - The wait runs in the action plugin of the same name, on the controller, so the play shows progress. Each poll
    runs M(dataplatform.mwaa_lineage.lineage_heartbeat_info) with the task's AWS connection options; the action
    belongs to the C(group/dataplatform.mwaa_lineage.mwaa) action group, so C(module_defaults) for that group apply.
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - dataplatform.mwaa_lineage.lineage_heartbeat
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Note when the deployment started
  ansible.builtin.set_fact:
    deployment_started_at: "{{ now(utc=true).isoformat() }}Z"

# ... deploy ...

- name: Wait until lineage from lineage-prod reaches Marquez
  dataplatform.mwaa_lineage.lineage_heartbeat_wait:
    environment_name: lineage-prod
    since: "{{ deployment_started_at }}"
    timeout: 1200
  register: heartbeat

- name: Show when
  ansible.builtin.debug:
    msg: "Lineage confirmed at {{ heartbeat.datapoint_time }}"
"""

RETURN = r"""
confirmed:
  description: Whether a datapoint with value 1 at or after O(since) was found.
  returned: always
  type: bool
  sample: true
datapoint_time:
  description: Time (UTC, ISO 8601) of the newest successful datapoint; empty when none was found.
  returned: always
  type: str
  sample: "2026-12-07T15:25:03+00:00"
latest_datapoint:
  description: The newest datapoint at or after O(since), whatever its value; empty when there is none.
  returned: always
  type: dict
  sample: {"time": "2026-12-07T15:25:03+00:00", "value": 1.0}
log_lines:
  description: The quoted task log lines (on failure only).
  returned: on failure
  type: list
  elements: str
  sample: ["2026-12-07T15:25:02+00:00 ERROR Lineage heartbeat FAILED in lineage-prod: POST ... refused"]
log_stream:
  description: The log stream the lines come from.
  returned: on failure, when a stream was found
  type: str
  sample: "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T15_20_00+00_00/task_id=round_trip/attempt=1.log"
elapsed:
  description: Seconds waited.
  returned: always
  type: int
  sample: 312
polls:
  description: Number of metric reads.
  returned: always
  type: int
  sample: 11
"""
