"""Real Airflow 3 proof of the lineage heartbeat: the DAG (roles/dags_bucket/files/dags/lineage_heartbeat.py),
the CloudWatch metric it publishes, and the lineage_heartbeat role / lineage_heartbeat_wait module that
site.yml uses to wait for it.

One real Airflow 3.0.6 (scheduler, DAG processor, execution API; tests/integration/airflow/airflow_harness.py)
plays the MWAA environment ``lineage-local``. It is configured ONLY with the options the mwaa role renders
(``openlineage.transport`` pointing at the lineage backend, ``openlineage.namespace``), applied as
AIRFLOW__SECTION__KEY like MWAA does, plus ``AIRFLOW_ENV_NAME`` (which MWAA sets in its containers) and the
emulator's endpoint and dummy credentials for boto3. ``dags_are_paused_at_creation`` is left at Airflow's
default (true), so the run proves the DAG's own ``is_paused_upon_creation=False``.

The lineage backend is tests/doubles/openlineage_receiver.py, a TEST DOUBLE of Marquez's
``POST /api/v1/lineage`` (201) and ``GET /api/v1/namespaces/{ns}/jobs/{job}`` (200/404), on 127.0.0.1.
The Marquez image double (tests/doubles/marquez) needs PostgreSQL and psycopg2 in a container; this
in-process double serves the same two endpoints.

1. Backend up: the scheduler starts the DAG by itself (its schedule, not a manual trigger); the run succeeds,
   publishes MWAALineage/LineageHeartbeat=1 to the emulator's CloudWatch, and the role confirms it, newer
   than the test's start.
2. Backend stopped: a triggered run fails, publishes 0, and the role fails, naming the 0 datapoint and
   quoting the task log. THE EMULATOR HAS NO MWAA LOG GROUPS FED BY AIRFLOW: this test itself copies the local
   Airflow task log of that run into the ``airflow-lineage-local-Task`` log group, under the stream name MWAA
   uses (the log file's path relative to the logs folder, ``:`` replaced by ``_``; one JSON event per line,
   without its timestamp, as MWAA's task log handler writes them). What the role quotes is therefore real
   Airflow output, but the copy step is the test's, not MWAA's (the MWAA stand-in's ship_task_log, which the
   site tests use for every task log).

The site tests (test_site.py, test_site_ha.py, test_site_blue_green.py) prove the same round trip through
site.yml; this file keeps what they do not assert: the first run is the DAG's own schedule (not a trigger),
the RunEvent's shape, and the datapoint values and times as published.

Set AIRFLOW_PROOF_SKIP=1 to skip (CI must not).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "doubles"), str(ROOT / "tests" / "integration" / "airflow")]

from airflow_harness import AirflowEnvironment, ensure_airflow_venv  # noqa: E402
from mwaa_stand_in import log_stream_name, ship_task_log  # noqa: E402
from openlineage_receiver import OpenLineageReceiverDouble  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("AIRFLOW_PROOF_SKIP", "") not in ("", "0"),
    reason="AIRFLOW_PROOF_SKIP is set: real-Airflow lineage heartbeat proof skipped on request",
)

DAG_ID = "lineage_heartbeat"
DAG_FILE = ROOT / "roles" / "dags_bucket" / "files" / "dags" / f"{DAG_ID}.py"
ENVIRONMENT = "lineage-local"
NAMESPACE = "lineage-local"
LOG_GROUP = f"airflow-{ENVIRONMENT}-Task"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
UTC = datetime.timezone.utc


def _env(local_aws) -> dict:
    return {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
            "LOCAL_AWS_PORT": str(local_aws.port), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _render_options(local_aws, lineage_url: str, out: Path) -> dict:
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "tests/integration/airflow/render_options.yml", "-i", "inventories/local",
         "-e", f"lineage_url={lineage_url}", "-e", f"options_file={out}"],
        cwd=ROOT, env=_env(local_aws), capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, f"render_options.yml failed:\n{proc.stdout[-4000:]}\n{proc.stderr}"
    return json.loads(out.read_text())


def _wait_with_role(local_aws, since: str, out: Path, timeout: int) -> subprocess.CompletedProcess:
    # inventories/local turns the wait off (make demo has no Airflow); here an Airflow runs the DAG.
    return subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "tests/integration/airflow/heartbeat_wait.yml", "-i", "inventories/local",
         "-e", "lineage_heartbeat_wait=true", "-e", f"environment_name={ENVIRONMENT}", "-e", f"since={since}",
         "-e", f"outputs_file={out}", "-e", f"lineage_heartbeat_timeout={timeout}",
         "-e", "lineage_heartbeat_poll_interval=2"],
        cwd=ROOT, env=_env(local_aws), capture_output=True, text=True, timeout=240, check=False,
    )


def _next_second() -> datetime.datetime:
    """A `since` strictly after everything published so far (the module compares to the second)."""
    now = datetime.datetime.now(UTC)
    since = now.replace(microsecond=0) + datetime.timedelta(seconds=1)
    time.sleep((since - now).total_seconds() + 0.05)
    return since


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _datapoints(local_aws, since: datetime.datetime) -> list[tuple[datetime.datetime, float]]:
    response = local_aws.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "h", "MetricStat": {
            "Metric": {"Namespace": "MWAALineage", "MetricName": "LineageHeartbeat",
                       "Dimensions": [{"Name": "Environment", "Value": ENVIRONMENT}]},
            "Period": 1, "Stat": "Maximum"}}],
        StartTime=since, EndTime=datetime.datetime.now(UTC) + datetime.timedelta(seconds=60))
    [result] = response["MetricDataResults"]
    return list(zip(result["Timestamps"], result["Values"]))


def _runs(af: AirflowEnvironment) -> list[tuple[str, str, str]]:
    return af.query("SELECT run_id, run_type, state FROM dag_run WHERE dag_id = ? ORDER BY id", (DAG_ID,))


def _wait_for_first_run(af: AirflowEnvironment, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _runs(af)
        if runs:
            return runs[0][0]
        time.sleep(0.5)
    raise AssertionError(f"the scheduler created no run of {DAG_ID} within {timeout} s:\n{af.log_tail('scheduler')}")


def _ship_task_log(local_aws, af: AirflowEnvironment, run_id: str) -> str:
    """Copy the run's local task log into the Task log group as MWAA's handler would. Returns the stream."""
    [path] = sorted((af.home / "logs").glob(f"dag_id={DAG_ID}/run_id={run_id}/task_id=round_trip/attempt=*.log"))
    logs = local_aws.client("logs")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=LOG_GROUP)
    ship_task_log(logs, LOG_GROUP, af.home / "logs", path)
    return log_stream_name(af.home / "logs", path)


@pytest.fixture(scope="module")
def heartbeat(local_aws, tmp_path_factory):
    """Both rounds against one Airflow; the tests assert on what they produced."""
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    ensure_airflow_venv()
    work = tmp_path_factory.mktemp("lineage-heartbeat")
    dags = work / "dags"
    dags.mkdir()
    shutil.copy(DAG_FILE, dags / DAG_FILE.name)
    extra_env = {
        "AWS_ENDPOINT_URL": local_aws.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AIRFLOW_ENV_NAME": ENVIRONMENT,
        # Airflow's default; the harness turns it off for other proofs. The DAG must unpause itself.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true",
    }
    out: dict = {}
    receiver = OpenLineageReceiverDouble().start()
    try:
        options = _render_options(local_aws, receiver.url, work / "options.json")
        out["options"] = options
        since_up = _next_second()
        with AirflowEnvironment(work / "airflow", dags, options, extra_env=extra_env) as af:
            af.wait_for_dag(DAG_ID, dag_file=DAG_FILE.name)
            timings["airflow_up_s"] = time.monotonic() - t0

            # Round 1: backend up, the scheduler's own run.
            first = _wait_for_first_run(af)
            out["up"] = {"run_id": first, "state": af.wait_for_run(DAG_ID, first, timeout=120), "runs": _runs(af),
                         "events": receiver.events(), "datapoints": _datapoints(local_aws, since_up)}
            t1 = time.monotonic()
            wait = _wait_with_role(local_aws, _iso(since_up), work / "up.json", timeout=60)
            out["up"]["wait"] = wait
            out["up"]["outputs"] = json.loads((work / "up.json").read_text()) if wait.returncode == 0 else None
            timings["wait_confirmed_s"] = time.monotonic() - t1

            # Round 2: backend stopped.
            receiver.stop()
            since_down = _next_second()
            run_id = af.trigger(DAG_ID, _iso(datetime.datetime.now(UTC)), run_id="backend_down")
            out["down"] = {"since": since_down, "state": af.wait_for_run(DAG_ID, run_id, timeout=120),
                           "datapoints": _datapoints(local_aws, since_down)}
            out["down"]["stream"] = _ship_task_log(local_aws, af, run_id)
            t2 = time.monotonic()
            out["down"]["wait"] = _wait_with_role(local_aws, _iso(since_down), work / "down.json", timeout=6)
            timings["wait_failed_s"] = time.monotonic() - t2
            out["import_errors"] = af.import_errors()
    finally:
        with contextlib.suppress(Exception):
            receiver.stop()
    timings["total_s"] = time.monotonic() - t0
    print("\nlineage heartbeat timings: " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))
    return out


def test_dag_runs_on_its_own_schedule_and_succeeds(heartbeat):
    assert heartbeat["import_errors"] == {}
    up = heartbeat["up"]
    assert up["runs"][0][1] == "scheduled", up["runs"]
    assert up["state"] == "success", up


def test_event_posted_in_the_environments_namespace(heartbeat):
    probes = [e for e in heartbeat["up"]["events"] if e.get("job", {}).get("name") == "lineage_heartbeat_probe"]
    assert len(probes) == 1, heartbeat["up"]["events"]
    [event] = probes
    assert event["eventType"] == "COMPLETE"
    assert event["job"]["namespace"] == heartbeat["options"]["openlineage.namespace"] == NAMESPACE
    assert event["schemaURL"].startswith("https://openlineage.io/spec/")
    assert event["producer"].startswith("https://")


def test_success_published_as_one(heartbeat):
    assert [value for _, value in heartbeat["up"]["datapoints"]] == [1.0]


def test_role_confirms_the_heartbeat(heartbeat):
    wait = heartbeat["up"]["wait"]
    assert wait.returncode == 0, wait.stdout[-4000:] + wait.stderr
    outputs = heartbeat["up"]["outputs"]
    assert outputs["status"] == "confirmed" and outputs["reason"] == ""
    assert outputs["environments"][ENVIRONMENT] == {"status": "confirmed"}
    [(moment, _)] = heartbeat["up"]["datapoints"]
    assert datetime.datetime.fromisoformat(outputs["datapoint_times"][ENVIRONMENT]) == moment


def test_backend_down_fails_the_run_and_publishes_zero(heartbeat):
    down = heartbeat["down"]
    assert down["state"] == "failed", down
    assert [value for _, value in down["datapoints"]] == [0.0]


def test_role_fails_quoting_the_task_log(heartbeat):
    down = heartbeat["down"]
    wait = down["wait"]
    output = wait.stdout + wait.stderr
    assert wait.returncode != 0, output[-4000:]
    assert f"Environment={ENVIRONMENT}) since {down['since'].isoformat()}" in output, output[-4000:]
    assert "is 0 (the DAG ran and the round trip failed)" in output
    # The wait showed what it saw while it waited, before the failure.
    assert f"lineage heartbeat {ENVIRONMENT}: latest datapoint 0 at" in wait.stdout, wait.stdout[-4000:]
    assert down["stream"] in output
    # The DAG's own reason, from the quoted task log.
    assert "Lineage heartbeat FAILED in lineage-local" in output
    assert "Connection refused" in output
