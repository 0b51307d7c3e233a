#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lineage_heartbeat_info
version_added: 0.3.0
short_description: Read the lineage heartbeat of an Amazon MWAA environment once
description:
  - The C(lineage_heartbeat) DAG shipped by the C(dags_bucket) role posts an OpenLineage event to the
    environment's lineage backend, reads it back, and publishes the result as the CloudWatch metric
    O(metric_namespace)/O(metric_name) (1 success, 0 failure) with the dimension C(Environment=<name>).
  - This module reads that metric once (CloudWatch C(GetMetricData), one-second period) and reports whether a
    datapoint with value 1 at or after O(since) exists.
  - With O(log_lines) above 0 and no success, it also quotes the last O(log_lines) lines of the heartbeat
    task's latest log from CloudWatch Logs (group C(airflow-<name>-Task), streams starting with
    C(dag_id=<dag_id>/)).
  - To wait for the heartbeat with progress output, use M(dataplatform.mwaa_lineage.lineage_heartbeat_wait),
    which polls this module.
options:
  log_lines:
    description:
      - Number of task log lines quoted when there is no success. V(0) reads no logs.
      - The lines come from the log of the run that published the latest datapoint (the newest log with an
        event at most 2 seconds after that datapoint), so a run that started afterwards is not quoted; without
        a datapoint, from the newest log.
    type: int
    default: 0
attributes:
  check_mode:
    support: full
    description: The module only reads, in check mode too.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
author:
  - Data Platform Team (@dataplatform)
extends_documentation_fragment:
  - dataplatform.mwaa_lineage.lineage_heartbeat
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Has lineage from lineage-prod reached Marquez since the deployment started?
  dataplatform.mwaa_lineage.lineage_heartbeat_info:
    environment_name: lineage-prod
    since: "{{ deployment_started_at }}"
    log_lines: 20
  register: heartbeat

- name: Show the answer
  ansible.builtin.debug:
    msg: "{{ heartbeat.datapoint_time if heartbeat.confirmed else heartbeat.diagnosis }}"
"""

RETURN = r"""
since:
  description: O(since) in UTC, ISO 8601.
  returned: always
  type: str
  sample: "2026-12-07T15:00:00+00:00"
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
diagnosis:
  description:
    - Without a success, what was seen (the latest datapoint, or none) and, with O(log_lines), the task log quote.
    - Empty when confirmed.
  returned: always
  type: str
  sample: "The latest datapoint, at 2026-12-07T15:25:03+00:00, is 0 (the DAG ran and the round trip failed)."
log_lines:
  description: The quoted task log lines.
  returned: when O(log_lines) is above 0 and there is no success
  type: list
  elements: str
  sample: ["2026-12-07T15:25:02+00:00 ERROR Lineage heartbeat FAILED in lineage-prod: POST ... refused"]
log_stream:
  description: The log stream the lines come from.
  returned: when lines were quoted from a stream
  type: str
  sample: "dag_id=lineage_heartbeat/run_id=scheduled__2026-12-07T15_20_00+00_00/task_id=round_trip/attempt=1.log"
"""

import datetime
import json

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing SDK

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# CloudWatch keeps one-second datapoints for 3 hours; an older StartTime would return nothing at period 1.
HIGH_RESOLUTION_WINDOW_S = 3 * 3600 - 300
# The log quote reads at most this many FilterLogEvents pages (each up to 10,000 events or 1 MB).
MAX_LOG_PAGES = 20
# Task logs from up to this long before `since` are quoted too: a DAG that stopped running shows its last run.
LOG_LOOKBACK_S = 3600
# The DAG logs its result and then publishes the datapoint (to the second, rounded down); a run that started
# after that datapoint is not the one that explains it.
LOG_AFTER_DATAPOINT_S = 2


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_since(module, value):
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        since = datetime.datetime.fromisoformat(text)
    except ValueError:
        module.fail_json(msg=f"since={value!r} is not an ISO 8601 time, e.g. 2026-12-07T15:00:00Z")
    if since.tzinfo is None:
        module.fail_json(msg=f"since={value!r} has no time zone; add Z or +00:00")
    return since.astimezone(datetime.timezone.utc)


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat()


class Heartbeat:
    def __init__(self, module, cloudwatch, logs):
        self.module = module
        self.cloudwatch = cloudwatch
        self.logs = logs
        params = module.params
        self.name = params["environment_name"]
        self.query = {
            "Id": "heartbeat",
            "MetricStat": {
                "Metric": {
                    "Namespace": params["metric_namespace"],
                    "MetricName": params["metric_name"],
                    "Dimensions": [{"Name": "Environment", "Value": self.name}],
                },
                "Period": 1,
                "Stat": "Maximum",
            },
            "ReturnData": True,
        }

    def datapoints(self, since):
        """[(time, value)] at or after since, newest first."""
        now = utcnow()
        start = max(since, now - datetime.timedelta(seconds=HIGH_RESOLUTION_WINDOW_S)).replace(microsecond=0)
        end = now.replace(microsecond=0) + datetime.timedelta(seconds=60)
        request = dict(
            MetricDataQueries=[self.query], StartTime=start, EndTime=end, ScanBy="TimestampDescending"
        )
        points = []
        for _page in range(100):
            try:
                response = self.cloudwatch.get_metric_data(aws_retry=True, **request)
            except (BotoCoreError, ClientError) as e:
                self.module.fail_json_aws(e, msg=f"Could not read the {self.query['MetricStat']['Metric']['MetricName']} metric")
            for result in response.get("MetricDataResults", []):
                points.extend(zip(result.get("Timestamps", []), result.get("Values", [])))
            token = response.get("NextToken")
            if not token:
                break
            request["NextToken"] = token
        # GetMetricData rounds StartTime down to the minute, so earlier points of that minute come back too.
        points = [(moment, value) for moment, value in points if moment >= since]
        return sorted(points, key=lambda point: point[0], reverse=True)

    def task_log(self, since, lines, datapoint_time=None):
        """(stream, [line]) of the heartbeat task log that published the latest datapoint (the newest log
        with an event up to LOG_AFTER_DATAPOINT_S after it), else the newest one; or (None, [reason])."""
        params = self.module.params
        group = params["log_group_name"] or f"airflow-{self.name}-Task"
        request = dict(
            logGroupName=group,
            logStreamNamePrefix=f"dag_id={params['dag_id']}/",
            startTime=int((since.timestamp() - LOG_LOOKBACK_S) * 1000),
        )
        events = []
        try:
            for _page in range(MAX_LOG_PAGES):
                response = self.logs.filter_log_events(aws_retry=True, **request)
                # Checked again here: quoting another DAG's log would send the reader the wrong way.
                events.extend(e for e in response.get("events", [])
                              if e.get("logStreamName", "").startswith(request["logStreamNamePrefix"]))
                token = response.get("nextToken")
                if not token:
                    break
                request["nextToken"] = token
        except is_boto3_error_code("ResourceNotFoundException"):
            return None, [f"(log group {group} does not exist: are task logs enabled for the environment?)"]
        except (BotoCoreError, ClientError) as e:  # pylint: disable=duplicate-except
            return None, [f"(could not read log group {group}: {e})"]
        if not events:
            return None, [f"(no task log of DAG {params['dag_id']} in {group} since {iso(since - datetime.timedelta(seconds=LOG_LOOKBACK_S))})"]
        candidates = events
        if datapoint_time is not None:
            until = (datapoint_time.timestamp() + LOG_AFTER_DATAPOINT_S) * 1000
            candidates = [e for e in events if e.get("timestamp", 0) <= until] or events
        latest = max(candidates, key=lambda event: (event.get("timestamp", 0), event.get("ingestionTime", 0)))
        stream = latest["logStreamName"]
        own = sorted((e for e in events if e.get("logStreamName") == stream), key=lambda e: e.get("timestamp", 0))
        return stream, [format_event(e) for e in own[-lines:]]


def format_event(event):
    """One line: time, level and text. MWAA writes Airflow 3 task log events as JSON objects."""
    moment = datetime.datetime.fromtimestamp(event.get("timestamp", 0) / 1000, datetime.timezone.utc)
    message = event.get("message", "")
    try:
        data = json.loads(message)
    except ValueError:
        data = None
    if isinstance(data, dict) and "event" in data:
        message = f"{str(data.get('level', '')).upper()} {data['event']}".strip()
    return f"{iso(moment)} {message.rstrip()}"


def read(module, heartbeat, since):
    params = module.params
    points = heartbeat.datapoints(since)
    successes = [point for point in points if point[1] >= 1]
    latest = {"time": iso(points[0][0]), "value": points[0][1]} if points else {}
    result = dict(changed=False, since=iso(since), latest_datapoint=latest, confirmed=bool(successes),
                  datapoint_time=iso(successes[0][0]) if successes else "", diagnosis="")
    if successes:
        return result
    if latest:
        seen = f"The latest datapoint, at {latest['time']}, is {latest['value']:g} (the DAG ran and the round trip failed)."
    else:
        seen = (f"There is no datapoint at all since {iso(since)}: the DAG did not run or could not publish "
                "(paused, import error, environment not running it).")
    if params["log_lines"]:
        stream, lines = heartbeat.task_log(since, params["log_lines"], points[0][0] if points else None)
        if stream:
            result["log_stream"] = stream
            seen += f" Latest task log of DAG {params['dag_id']} ({stream}):\n" + "\n".join(lines)
        else:
            seen += " " + " ".join(lines)
        result["log_lines"] = lines
    result["diagnosis"] = seen
    return result


def main():
    argument_spec = dict(
        environment_name=dict(type="str", required=True),
        since=dict(type="str", required=True),
        metric_namespace=dict(type="str", default="MWAALineage"),
        metric_name=dict(type="str", default="LineageHeartbeat"),
        dag_id=dict(type="str", default="lineage_heartbeat"),
        log_group_name=dict(type="str", default=""),
        log_lines=dict(type="int", default=0),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["log_lines"] < 0:
        module.fail_json(msg=f"log_lines must not be negative; got {params['log_lines']}")
    if not params["environment_name"].strip():
        module.fail_json(msg="environment_name must not be empty")
    since = parse_since(module, params["since"])

    retry = AWSRetry.jittered_backoff(retries=5, delay=2, max_delay=20)
    heartbeat = Heartbeat(module, module.client("cloudwatch", retry_decorator=retry),
                          module.client("logs", retry_decorator=retry) if params["log_lines"] else None)
    module.exit_json(**read(module, heartbeat, since))


if __name__ == "__main__":
    main()
