"""Real Airflow 3 proof of the collection's OpenLineage wiring.

apache-airflow 3.0.6 with apache-airflow-providers-openlineage 2.6.1 and openlineage-python
1.37.0, installed under Airflow's constraints-3.0.6 file (scripts/airflow-venv.sh), is
configured ONLY with the options the collection sends to MWAA (the mwaa role's own options
task, i.e. the dataplatform.mwaa_lineage.openlineage_airflow_options filter, run through
ansible-playbook with the local inventory), turned into AIRFLOW__SECTION__KEY variables as MWAA does. A
scheduler, DAG processor and execution API server run the shipped demo DAG
(roles/dags_bucket/files/dags/openlineage_demo.py); the OpenLineage HTTP transport posts to
a TEST DOUBLE of Marquez's lineage endpoint (tests/doubles/openlineage_receiver.py).

Asserted: the DAG imports cleanly; the double got START and COMPLETE RunEvents for the DAG
run and for every task, in namespace {project_name}-{env_name} of inventories/local, task
runs parented to the DAG run, and each task's COMPLETE event carries exactly the
inlets/outlets the DAG declares.

Not proven here: Marquez itself, and MWAA's own runtime (see docs/openlineage-proof.md).
Set AIRFLOW_PROOF_SKIP=1 to skip (CI must not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "doubles"), str(ROOT / "tests" / "integration" / "airflow")]

from airflow_harness import DEFAULT_DAGS_FOLDER, AirflowEnvironment, ensure_airflow_venv  # noqa: E402
from openlineage_receiver import OpenLineageReceiverDouble  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("AIRFLOW_PROOF_SKIP", "") not in ("", "0"),
    reason="AIRFLOW_PROOF_SKIP is set: real-Airflow OpenLineage proof skipped on request",
)

DAG_ID = "openlineage_demo"
DAG_FILE = DEFAULT_DAGS_FOLDER / f"{DAG_ID}.py"
LOGICAL_DATE = "2024-01-01T00:00:00+00:00"
INVENTORY = ROOT / "inventories" / "local"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

# Run inside the Airflow venv: what the DAG file declares, read through Airflow's own DagBag.
_DECLARED_LINEAGE = r"""
import json, sys
from airflow.models.dagbag import DagBag
from openlineage.client.event_v2 import Dataset

def ref(obj):
    if isinstance(obj, Dataset):
        return [obj.namespace, obj.name]
    return [type(obj).__name__, repr(obj)]  # never matches an emitted dataset: the test then fails

bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
dag = bag.dags.get(sys.argv[2])
print(json.dumps({
    "import_errors": bag.import_errors,
    "tasks": {} if dag is None else {
        t.task_id: {"inputs": sorted(ref(i) for i in t.inlets),
                    "outputs": sorted(ref(o) for o in t.outlets)}
        for t in dag.tasks
    },
}))
"""


def _expected_namespace() -> str:
    group_vars = yaml.safe_load((INVENTORY / "group_vars" / "all.yml").read_text())
    return f"{group_vars['project_name']}-{group_vars['env_name']}"


def _render_options(receiver_url: str, out: Path, api_key: str | None = None, local_aws=None) -> dict[str, str]:
    """The options exactly as the collection sends them to MWAA: the mwaa role's own options
    task (the openlineage_airflow_options filter), through Ansible. With api_key, the key is put
    into Secrets Manager on the emulator and the role reads it from there."""
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    extra = []
    if api_key:
        secret = local_aws.client("secretsmanager").create_secret(
            Name=f"lineage-local/openlineage-api-key-{os.urandom(4).hex()}", SecretString=api_key)
        extra = ["-e", f"lineage_api_key_secret_arn={secret['ARN']}"]
        env.update(LOCAL_AWS_PORT=str(local_aws.port), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "tests/integration/airflow/render_options.yml", "-i", str(INVENTORY),
         "-e", f"lineage_url={receiver_url}", "-e", f"options_file={out}", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, f"render_options.yml failed:\n{proc.stdout}\n{proc.stderr}"
    if api_key:
        assert api_key not in proc.stdout + proc.stderr, "the API key was printed by ansible-playbook"
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    """One real DAG run; the tests below assert on what it produced."""
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    ensure_airflow_venv()
    timings["venv_s"] = time.monotonic() - t0
    work = tmp_path_factory.mktemp("airflow-proof")

    with OpenLineageReceiverDouble(events_file=work / "events.jsonl") as receiver:
        t1 = time.monotonic()
        options = _render_options(receiver.url, work / "options.json")
        timings["render_options_s"] = time.monotonic() - t1

        with AirflowEnvironment(work / "airflow-home", DEFAULT_DAGS_FOLDER, options) as af:
            # What the file declares, read by Airflow's DagBag: also an import check of its own.
            declared = af.python(_DECLARED_LINEAGE, str(DAG_FILE), DAG_ID, timeout=180)
            af.wait_for_dag(DAG_ID, dag_file=DAG_FILE.name)
            t2 = time.monotonic()
            run_id = af.trigger(DAG_ID, LOGICAL_DATE)
            timings["trigger_cli_s"] = time.monotonic() - t2
            state = af.wait_for_run(DAG_ID, run_id, timeout=240)
            task_states = af.task_states(DAG_ID, run_id)
            import_errors = af.import_errors()
            # The DAG-run COMPLETE event leaves the scheduler after the run is marked done.
            t3 = time.monotonic()
            deadline = t3 + 60
            while time.monotonic() < deadline and not any(
                e.get("eventType") == "COMPLETE" and e.get("job", {}).get("name") == DAG_ID
                for e in receiver.events()
            ):
                time.sleep(0.5)
            timings["dag_complete_event_s"] = time.monotonic() - t3
            timings.update(af.timings)
            scheduler_log = af.log_tail("scheduler", 6000)
            t4 = time.monotonic()
        timings["stop_s"] = time.monotonic() - t4
        events = receiver.events()
        rejected = receiver.rejected

    assert declared.returncode == 0, declared.stderr[-4000:]
    timings["total_s"] = time.monotonic() - t0
    print("\nairflow proof timings: " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))
    return {
        "options": options,
        "receiver_url": receiver.url,
        "declared": json.loads(declared.stdout.strip().splitlines()[-1]),
        "run_id": run_id,
        "state": state,
        "task_states": task_states,
        "import_errors": import_errors,
        "events": events,
        "rejected": rejected,
        "timings": timings,
        "scheduler_log": scheduler_log,
    }


def _by_job(events):
    out = defaultdict(list)
    for event in events:
        out[(event["job"]["namespace"], event["job"]["name"])].append(event)
    return out


def _datasets(event, key):
    return sorted([d["namespace"], d["name"]] for d in event.get(key, []))


def test_options_come_from_the_collection_filter(proof):
    options = proof["options"]
    assert options["openlineage.namespace"] == _expected_namespace()
    assert options["openlineage.disabled"] == "false"
    assert options["core.load_examples"] == "false"
    transport = json.loads(options["openlineage.transport"])
    assert transport == {"type": "http", "url": proof["receiver_url"], "endpoint": "api/v1/lineage", "timeout": 5}


def test_dag_imports_without_errors(proof):
    compile(DAG_FILE.read_text(), str(DAG_FILE), "exec")  # this interpreter is 3.12, like MWAA's
    assert proof["declared"]["import_errors"] == {}
    assert proof["import_errors"] == {}, "the DAG processor reported import errors"
    # Every task declares lineage, so the dataset assertions below cannot pass vacuously.
    tasks = proof["declared"]["tasks"]
    assert set(tasks) == {"extract", "transform", "load"}
    assert all(t["inputs"] and t["outputs"] for t in tasks.values()), tasks


def test_dag_run_succeeded(proof):
    assert proof["state"] == "success", proof["scheduler_log"]
    assert proof["task_states"] == dict.fromkeys(proof["declared"]["tasks"], "success")


def test_dag_run_start_and_complete(proof):
    namespace = _expected_namespace()
    dag_events = _by_job(proof["events"])[(namespace, DAG_ID)]
    types = [e["eventType"] for e in dag_events]
    assert types.count("START") == 1 and types.count("COMPLETE") == 1, types
    assert len({e["run"]["runId"] for e in dag_events}) == 1, "START and COMPLETE belong to different runs"


def test_every_task_has_start_and_complete_with_declared_datasets(proof):
    namespace = _expected_namespace()
    jobs = _by_job(proof["events"])
    dag_run_id = jobs[(namespace, DAG_ID)][0]["run"]["runId"]
    for task_id, declared in proof["declared"]["tasks"].items():
        task_events = jobs[(namespace, f"{DAG_ID}.{task_id}")]
        by_type = {e["eventType"]: e for e in task_events}
        assert sorted(e["eventType"] for e in task_events) == ["COMPLETE", "START"], (task_id, task_events)
        complete = by_type["COMPLETE"]
        assert complete["run"]["runId"] == by_type["START"]["run"]["runId"]
        parent = complete["run"]["facets"]["parent"]
        assert parent["job"] == {"namespace": namespace, "name": DAG_ID}
        assert parent["run"]["runId"] == dag_run_id
        assert _datasets(complete, "inputs") == declared["inputs"], task_id
        assert _datasets(complete, "outputs") == declared["outputs"], task_id


def test_nothing_outside_the_namespace_and_nothing_rejected(proof):
    assert proof["rejected"] == 0
    assert {e["job"]["namespace"] for e in proof["events"]} == {_expected_namespace()}
    # The shipped DAG folder also holds lineage_heartbeat, which runs on its own schedule (it is proven in
    # test_lineage_heartbeat.py): count the demo DAG's events only.
    demo = [e for e in proof["events"] if e["job"]["name"].split(".")[0] == DAG_ID]
    assert len(demo) == 2 * (1 + len(proof["declared"]["tasks"])), [
        (e["eventType"], e["job"]["name"]) for e in demo]


def test_load_writes_the_warehouse_table(proof):
    """Spot check of the names the DAG documents, independent of the DagBag reading."""
    load = [e for e in proof["events"]
            if e["job"]["name"] == f"{DAG_ID}.load" and e["eventType"] == "COMPLETE"][0]
    assert _datasets(load, "outputs") == [["postgres://warehouse.internal:5432", "analytics.public.daily_order_totals"]]
    assert _datasets(load, "inputs") == [["s3://demo-staging", "orders/daily_totals.json"]]


# Emits one RunEvent through the provider's own adapter, i.e. the client built from
# [openlineage] transport exactly as task and DAG-run events are.
_EMIT_ONE_EVENT = r"""
import uuid
from datetime import datetime, timezone
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
from airflow.providers.openlineage import conf
from airflow.providers.openlineage.plugins.adapter import OpenLineageAdapter

OpenLineageAdapter().emit(RunEvent(
    eventType=RunState.COMPLETE,
    eventTime=datetime.now(timezone.utc).isoformat(),
    run=Run(runId=str(uuid.uuid4())),
    job=Job(namespace=conf.namespace(), name="api_key_probe"),
    producer="tests/integration/test_airflow_openlineage.py",
))
"""


def test_api_key_auth_is_accepted_by_the_provider(tmp_path, local_aws):
    """With the API key read from Secrets Manager by the mwaa role, the provider sends
    'Authorization: Bearer <key>' (the double refuses anything else), and the key shows up in
    no output."""
    ensure_airflow_venv()
    api_key = f"test-only-{os.urandom(8).hex()}"
    with OpenLineageReceiverDouble(api_key=api_key) as receiver:
        options = _render_options(receiver.url, tmp_path / "options.json", api_key=api_key, local_aws=local_aws)
        assert oct((tmp_path / "options.json").stat().st_mode & 0o777) == "0o600"
        assert json.loads(options["openlineage.transport"])["auth"] == {"type": "api_key", "apiKey": api_key}
        proc = AirflowEnvironment(tmp_path / "airflow-home", DEFAULT_DAGS_FOLDER, options).python(_EMIT_ONE_EVENT)
        events, rejected = receiver.events(), receiver.rejected
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert rejected == 0, "the provider did not send the rendered API key"
    assert [(e["job"]["namespace"], e["job"]["name"]) for e in events] == [(_expected_namespace(), "api_key_probe")]
    assert api_key not in proc.stdout + proc.stderr
