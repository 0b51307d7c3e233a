# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Options shared by lineage_heartbeat_info and lineage_heartbeat_wait: what identifies the heartbeat.


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  environment_name:
    description: Name of the MWAA environment (the metric's C(Environment) dimension).
    type: str
    required: true
  since:
    description:
      - Only datapoints at or after this time count, typically the start of the deployment.
      - An ISO 8601 time with a time zone, for example C(2026-12-07T15:00:00Z) or C(2026-12-07T15:00:00+00:00).
    type: str
    required: true
  metric_namespace:
    description: CloudWatch namespace the DAG publishes to.
    type: str
    default: MWAALineage
  metric_name:
    description: Metric name the DAG publishes.
    type: str
    default: LineageHeartbeat
  dag_id:
    description: DAG whose task log is quoted.
    type: str
    default: lineage_heartbeat
  log_group_name:
    description: Log group of the task logs. Empty means C(airflow-<environment_name>-Task), MWAA's name.
    type: str
    default: ""
notes:
  - "IAM: C(cloudwatch:GetMetricData) and, for the log quote, C(logs:FilterLogEvents) on the task log group."
  - MWAA names a task's log stream after Airflow's C(log_filename_template)
    (C(dag_id=<dag>/run_id=<run>/task_id=<task>/attempt=<n>.log), with C(:) replaced by C(_)).
"""
