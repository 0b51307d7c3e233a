# -*- coding: utf-8 -*-

# Copyright: Contributors to the dataplatform.mwaa_lineage collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Blue/green helpers for dataplatform.mwaa_lineage: the active-color SSM parameter,
the SchedulerHeartbeat check and DAG pause/unpause through MWAA InvokeRestApi.

Callers pass clients created with a retry decorator and call with aws_retry=True.
"""

from __future__ import annotations

import datetime

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

COLORS = ("blue", "green")

# MWAA user guide, "Using the Apache Airflow REST API": "While configuring a private webserver,
# the InvokeRestApi action cannot be invoked from outside of a Virtual Private Cloud (VPC)."
PRIVATE_WEBSERVER = "PRIVATE_ONLY"

# Documented by AWS (MWAA user guide, "Monitoring dashboards and alarms"): namespace
# AmazonMWAA, metric SchedulerHeartbeat, dimensions Function=Scheduler and Environment=<name>.
HEARTBEAT_NAMESPACE = "AmazonMWAA"
HEARTBEAT_METRIC = "SchedulerHeartbeat"
# GetMetricStatistics returns at most 1440 datapoints; one per minute bounds the window.
HEARTBEAT_MAX_WINDOW_MINUTES = 1440

# InvokeRestApi's Path member is at most 64 characters (MWAA API model).
REST_PATH_MAX_LEN = 64
DAGS_PAGE_SIZE = 100
# 100 pages of 100: far above any MWAA environment's DAG count; keeps the loop bounded.
DAGS_MAX_PAGES = 100


def other_color(color):
    return "green" if color == "blue" else "blue"


def as_color(value):
    """The color a parameter value names, or None for anything else (missing, typo, empty)."""
    return value if value in COLORS else None


# --- the active-color parameter ----------------------------------------------------------


class ParameterState:
    """The parameter as GetParameterHistory reports it: latest version and earlier values."""

    def __init__(self, name, history):
        self.name = name
        versions = sorted(history, key=lambda v: v.get("Version", 0))
        latest = versions[-1]
        self.latest = latest
        self.value = latest.get("Value")
        self.version = latest.get("Version")
        self.type = latest.get("Type")
        self.tier = latest.get("Tier") or "Standard"
        self.description = latest.get("Description")
        self.allowed_pattern = latest.get("AllowedPattern")
        self.data_type = latest.get("DataType")
        self.active = as_color(self.value)
        # The color that was active before the current one: the newest earlier version whose
        # value is a different color. Versions that repeat the current value (re-deploys) are skipped.
        self.previous = None
        for version in reversed(versions[:-1]):
            color = as_color(version.get("Value"))
            if color and color != self.active:
                self.previous = color
                break

    def to_dict(self):
        return {
            "name": self.name,
            "value": self.value,
            "version": self.version,
            "type": self.type,
            "tier": self.tier,
        }


def read_parameter(ssm, name):
    """ParameterState from GetParameterHistory (all pages), or None when the parameter is missing.

    History (not GetParameter) because it carries the earlier values, which is where the
    previous color comes from, and the tier and type the overwrite must keep, in one read.
    """
    history = []
    token = None
    # SSM keeps at most 100 versions, 50 per page: 3 pages always suffice.
    for _page in range(10):
        kwargs = {"Name": name, "MaxResults": 50, "WithDecryption": False}
        if token:
            kwargs["NextToken"] = token
        try:
            page = ssm.get_parameter_history(aws_retry=True, **kwargs)
        except is_boto3_error_code("ParameterNotFound"):
            return None
        history.extend(page.get("Parameters", []))
        token = page.get("NextToken")
        if not token:
            break
    if not history:
        return None
    return ParameterState(name, history)


def put_color(ssm, state, name, color):
    """One PutParameter: the new color, Overwrite=True, same type, tier and description.

    Returns the new version. For a missing parameter (state None) the parameter is created.
    """
    request = {"Name": name, "Value": color, "Type": "String"}
    if state is None:
        request.update(Overwrite=False, Tier="Standard")
    else:
        # Tier must be sent: PutParameter defaults to Standard, and Advanced cannot be downgraded.
        request.update(Overwrite=True, Tier=state.tier)
        if state.description:
            request["Description"] = state.description
        if state.allowed_pattern:
            request["AllowedPattern"] = state.allowed_pattern
        if state.data_type:
            request["DataType"] = state.data_type
    return ssm.put_parameter(aws_retry=True, **request).get("Version")


# --- SchedulerHeartbeat ----------------------------------------------------------------------


def heartbeat(cloudwatch, environment_name, max_age_minutes, now=None):
    """Whether SchedulerHeartbeat had datapoints in the last max_age_minutes.

    Returns {seen, datapoints, last_seen, window_minutes}. One-minute periods, so last_seen
    tells the operator how fresh the newest heartbeat is.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(minutes=max_age_minutes)
    response = cloudwatch.get_metric_statistics(
        aws_retry=True,
        Namespace=HEARTBEAT_NAMESPACE,
        MetricName=HEARTBEAT_METRIC,
        Dimensions=[
            {"Name": "Function", "Value": "Scheduler"},
            {"Name": "Environment", "Value": environment_name},
        ],
        StartTime=start,
        EndTime=now,
        Period=60,
        Statistics=["SampleCount", "Sum"],
    )
    points = [p for p in response.get("Datapoints", []) if (p.get("SampleCount") or 0) > 0]
    last = max((p["Timestamp"] for p in points), default=None)
    return {
        "seen": bool(points),
        "datapoints": len(points),
        "last_seen": last.isoformat() if hasattr(last, "isoformat") else last,
        "window_minutes": max_age_minutes,
    }


# --- Airflow REST API through InvokeRestApi ------------------------------------------------------


class AirflowApiError(Exception):
    """InvokeRestApi failed: Airflow answered >= 400, or MWAA could not reach it."""

    def __init__(self, environment, method, path, status, detail):
        self.environment = environment
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
        super().__init__(
            f"{method} {path} on MWAA environment '{environment}' failed"
            + (f" with HTTP {status}" if status else "")
            + (f": {detail}" if detail else "")
        )


def dag_path(dag_id):
    """Airflow 3 REST API v2 path of one DAG; MWAA limits Path to 64 characters."""
    path = f"/dags/{dag_id}"
    if len(path) > REST_PATH_MAX_LEN:
        raise ValueError(
            f"DAG id '{dag_id}' is too long for MWAA InvokeRestApi: the path '/dags/<id>' may have at most "
            f"{REST_PATH_MAX_LEN} characters ({REST_PATH_MAX_LEN - len('/dags/')} for the id)"
        )
    return path


def invoke(mwaa, environment, method, path, query=None, body=None):
    """Airflow's decoded answer to one InvokeRestApi call; AirflowApiError otherwise."""
    request = {"Name": environment, "Method": method, "Path": path}
    if query:
        request["QueryParameters"] = query
    if body is not None:
        request["Body"] = body
    try:
        response = mwaa.invoke_rest_api(aws_retry=True, **request)
    except is_boto3_error_code("AccessDeniedException") as e:
        raise AirflowApiError(
            environment, method, path, None,
            f"MWAA denied InvokeRestApi (AccessDeniedException: {e.response.get('Error', {}).get('Message')}). "
            "MWAA refuses it from outside the VPC for a PRIVATE_ONLY web server; otherwise the caller lacks "
            "airflow:InvokeRestApi for the environment's Airflow role",
        ) from e
    except is_boto3_error_code(["RestApiClientException", "RestApiServerException"]) as e:
        raise AirflowApiError(
            environment, method, path, e.response.get("RestApiStatusCode"),
            _detail(e.response.get("RestApiResponse")) or e.response.get("Error", {}).get("Message"),
        ) from e
    return response.get("RestApiResponse")


def _detail(answer):
    if isinstance(answer, dict):
        detail = answer.get("detail") or answer.get("title") or answer
        return str(detail)
    return None if answer is None else str(answer)


def list_dags(mwaa, environment):
    """{dag_id: is_paused} of every DAG Airflow knows (GET /dags, all pages)."""
    dags = {}
    for page in range(DAGS_MAX_PAGES):
        answer = invoke(
            mwaa, environment, "GET", "/dags", query={"limit": DAGS_PAGE_SIZE, "offset": page * DAGS_PAGE_SIZE}
        ) or {}
        batch = answer.get("dags") or []
        for dag in batch:
            dags[dag["dag_id"]] = bool(dag.get("is_paused"))
        total = answer.get("total_entries")
        if not batch or len(batch) < DAGS_PAGE_SIZE or (total is not None and len(dags) >= total):
            return dags
    return dags


def set_paused(mwaa, environment, dag_id, paused):
    """PATCH /dags/{dag_id} {"is_paused": paused}; returns Airflow's is_paused afterwards."""
    answer = invoke(mwaa, environment, "PATCH", dag_path(dag_id), query={"update_mask": "is_paused"},
                    body={"is_paused": paused})
    if isinstance(answer, dict) and "is_paused" in answer:
        return bool(answer["is_paused"])
    return paused
