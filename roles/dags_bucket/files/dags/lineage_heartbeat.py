"""Lineage heartbeat: proves, every few minutes, that lineage from this environment reaches Marquez.

One task, ``round_trip``:

1. reads the OpenLineage HTTP transport this environment is configured with (the Airflow options
   ``openlineage.transport`` and ``openlineage.namespace`` that the collection's ``mwaa`` role sets),
2. POSTs an OpenLineage RunEvent (COMPLETE) for the job ``lineage_heartbeat_probe`` in that namespace to
   ``<url>/<endpoint>`` (Marquez answers 201),
3. reads the job back with ``GET <url>/api/v1/namespaces/<namespace>/jobs/lineage_heartbeat_probe``
   (Marquez answers 200),
4. publishes the result as the CloudWatch metric ``MWAALineage`` / ``LineageHeartbeat`` with the
   dimension ``Environment=<MWAA environment name>``: 1 when both steps worked, 0 otherwise
   (high resolution, so each run is its own datapoint).

On any failure the task logs why at ERROR level, publishes 0 and FAILS, so the reason is in the task log
(CloudWatch Logs group ``airflow-<environment>-Task``), which ``site.yml`` quotes when it waits for the
heartbeat (role ``lineage_heartbeat``, module ``lineage_heartbeat_wait``). An alarm on the same metric
pages when lineage stops flowing later.

The environment name comes from ``AIRFLOW_ENV_NAME``, which MWAA sets in every Airflow container.
Nothing here touches the network while the file is parsed. The task uses the execution role (boto3's
default credentials and region; ``AWS_ENDPOINT_URL`` is honoured). It is never gated in blue/green:
both colors report, each with its own namespace and environment name.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import datetime, timedelta, timezone

import pendulum
from airflow.sdk import DAG, task

log = logging.getLogger(__name__)

DAG_ID = "lineage_heartbeat"
PROBE_JOB = "lineage_heartbeat_probe"
METRIC_NAMESPACE = "MWAALineage"
METRIC_NAME = "LineageHeartbeat"
PRODUCER = "https://github.com/dataplatform/mwaa_lineage/tree/main/roles/dags_bucket/files/dags/lineage_heartbeat.py"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
# Short, so a dead backend costs seconds, not a worker slot for minutes; one attempt per run (the next
# run comes in a few minutes).
HTTP_TIMEOUT_S = 10
MAX_BODY_IN_LOG = 300


class HeartbeatError(Exception):
    """The round trip failed; the message says which step and why (never a secret)."""


def transport_settings() -> tuple[str, str, str | None, float]:
    """(base url, endpoint, api key or None, timeout) of this environment's OpenLineage HTTP transport."""
    from airflow.configuration import conf

    raw = conf.get("openlineage", "transport", fallback="") or ""
    if not raw.strip():
        raise HeartbeatError("the Airflow option openlineage.transport is not set: OpenLineage is not configured")
    try:
        transport = json.loads(raw)
    except ValueError as err:
        raise HeartbeatError(f"the Airflow option openlineage.transport is not JSON ({err.msg})") from None
    if not isinstance(transport, dict) or transport.get("type") != "http" or not transport.get("url"):
        raise HeartbeatError("openlineage.transport is not an HTTP transport with a url")
    auth = transport.get("auth") or {}
    api_key = auth.get("apiKey") if isinstance(auth, dict) and auth.get("type") == "api_key" else None
    timeout = min(float(transport.get("timeout") or HTTP_TIMEOUT_S), HTTP_TIMEOUT_S)
    return str(transport["url"]).rstrip("/"), str(transport.get("endpoint") or "api/v1/lineage"), api_key, timeout


def own_namespace() -> str:
    from airflow.configuration import conf

    namespace = (conf.get("openlineage", "namespace", fallback="") or "").strip()
    if not namespace:
        raise HeartbeatError("the Airflow option openlineage.namespace is not set")
    return namespace


def environment_name() -> str:
    name = os.environ.get("AIRFLOW_ENV_NAME", "").strip()
    if not name:
        raise HeartbeatError("AIRFLOW_ENV_NAME is not set: cannot tell which MWAA environment this is")
    return name


def run_event(namespace: str, now: datetime) -> dict:
    return {
        "eventType": "COMPLETE",
        "eventTime": now.isoformat().replace("+00:00", "Z"),
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": namespace, "name": PROBE_JOB},
        "inputs": [],
        "outputs": [],
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
    }


def _request(method: str, url: str, timeout: float, api_key: str | None, body: dict | None = None):
    """(status, first bytes of the body) of one HTTP request; raises HeartbeatError when unreachable."""
    import urllib.error
    import urllib.request

    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the configured URL
            return response.status, response.read(MAX_BODY_IN_LOG).decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read(MAX_BODY_IN_LOG).decode(errors="replace")
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise HeartbeatError(f"{method} {url} failed: {reason}") from None


def round_trip() -> str:
    """POST the probe event and read the job back. Returns a one-line summary; raises HeartbeatError."""
    from urllib.parse import quote

    url, endpoint, api_key, timeout = transport_settings()
    namespace = own_namespace()
    event = run_event(namespace, datetime.now(timezone.utc))

    post_url = f"{url}/{endpoint.lstrip('/')}"
    status, body = _request("POST", post_url, timeout, api_key, event)
    # Marquez answers 201 for a stored event; 200 only echoes event types it does not store.
    if status != 201:
        raise HeartbeatError(f"POST {post_url} answered {status} (expected 201, event stored): {body}")
    log.info("Lineage heartbeat: POST %s stored run %s of %s/%s", post_url, event["run"]["runId"], namespace, PROBE_JOB)

    get_url = f"{url}/api/v1/namespaces/{quote(namespace, safe='')}/jobs/{quote(PROBE_JOB, safe='')}"
    status, body = _request("GET", get_url, timeout, api_key)
    if status != 200:
        raise HeartbeatError(f"GET {get_url} answered {status} (expected 200): {body}")
    try:
        name = json.loads(body or "{}").get("name")
    except ValueError:
        name = None
    if name not in (None, PROBE_JOB):
        raise HeartbeatError(f"GET {get_url} returned the job {name!r}, not {PROBE_JOB!r}")
    return f"event stored and job {namespace}/{PROBE_JOB} read back from {url}"


def publish(environment: str, value: float) -> None:
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
    boto3.client("cloudwatch", config=config).put_metric_data(
        Namespace=METRIC_NAMESPACE,
        MetricData=[{
            "MetricName": METRIC_NAME,
            "Dimensions": [{"Name": "Environment", "Value": environment}],
            "Timestamp": datetime.now(timezone.utc),
            "Value": value,
            "Unit": "Count",
            # One datapoint per run, to the second: the deployment wait looks for one newer than its start.
            "StorageResolution": 1,
        }],
    )


def heartbeat() -> str:
    environment = environment_name()
    try:
        summary = round_trip()
    except HeartbeatError as err:
        log.error("Lineage heartbeat FAILED in %s: %s. Publishing %s=0.", environment, err, METRIC_NAME)
        publish(environment, 0.0)
        raise
    publish(environment, 1.0)
    log.info("Lineage heartbeat OK in %s: %s. Published %s/%s=1.", environment, summary, METRIC_NAMESPACE, METRIC_NAME)
    return summary


with DAG(
    dag_id=DAG_ID,
    description="Posts an OpenLineage event, reads it back from Marquez and publishes the result to CloudWatch",
    schedule=timedelta(minutes=5),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=4),
    # Runs as soon as MWAA parses it: the deployment waits for its first datapoint.
    is_paused_upon_creation=False,
    tags=["lineage", "monitoring", "dataplatform.mwaa_lineage"],
    doc_md=__doc__,
    default_args={"owner": "data-platform", "retries": 0, "execution_timeout": timedelta(minutes=2)},
) as dag:

    @task(task_id="round_trip")
    def round_trip_task() -> str:
        """Post, read back, publish (at run time only)."""
        return heartbeat()

    round_trip_task()
