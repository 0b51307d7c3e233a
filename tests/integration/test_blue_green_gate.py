"""Real Airflow 3 proof of the blue/green gate DAG (roles/dags_bucket/files/dags/blue_green_gate.py).

Two real Airflow 3.0.6 instances (scheduler, DAG processor, execution API; tests/integration/airflow/
airflow_harness.py) play the blue and the green MWAA environment. Each is configured ONLY with the
options site.yml sends to that color (the blue_green role's outputs through the mwaa role's `options`
entry point, rendered by ansible-playbook; applied as AIRFLOW__SECTION__KEY like MWAA does). The gate
reads the active-color parameter from the emulator's SSM (AWS_ENDPOINT_URL + dummy credentials).

Each Airflow is started once; the parameter changes between runs, and each round triggers the DAG in
both colors:

- parameter = blue   -> blue's work tasks succeed, green's are skipped
- parameter = green  -> the reverse
- parameter deleted  -> skipped in both (fail closed), the gate logs ParameterNotFound
- parameter garbage  -> skipped in both (fail closed), the gate logs the value

Also asserted: the parameter is read at run time (no SSM call while the DAGs are parsed; one
GetParameter per gate execution) and the blue_green role created it as `blue` with the tags.
Set AIRFLOW_PROOF_SKIP=1 to skip (CI must not).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "doubles"), str(ROOT / "tests" / "integration" / "airflow")]

from airflow_harness import AirflowEnvironment, ensure_airflow_venv  # noqa: E402
from openlineage_receiver import OpenLineageReceiverDouble  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("AIRFLOW_PROOF_SKIP", "") not in ("", "0"),
    reason="AIRFLOW_PROOF_SKIP is set: real-Airflow blue/green gate proof skipped on request",
)

DAG_ID = "blue_green_gate"
DAG_FILE = ROOT / "roles" / "dags_bucket" / "files" / "dags" / f"{DAG_ID}.py"
PARAMETER = "/mwaa/lineage/local/blue-green/active-environment"
COLORS = ("blue", "green")
WORK_TASKS = ("extract", "load")
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


def _render_options(local_aws, lineage_url: str, out: Path) -> dict:
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "LOCAL_AWS_PORT": str(local_aws.port), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "tests/integration/airflow/render_blue_green_options.yml", "-i", "inventories/local",
         "-e", f"lineage_url={lineage_url}", "-e", f"options_file={out}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, f"render_blue_green_options.yml failed:\n{proc.stdout[-4000:]}\n{proc.stderr}"
    return json.loads(out.read_text())


def _gate_log(af: AirflowEnvironment, run_id: str) -> str:
    logs = sorted((af.home / "logs").glob(f"dag_id={DAG_ID}/run_id={run_id}/task_id=check_active_color/attempt=*.log"))
    return "\n".join(p.read_text(errors="replace") for p in logs)


@pytest.fixture(scope="module")
def gate(local_aws, tmp_path_factory):
    """Blue and green Airflow, four rounds of runs; the tests assert on what they produced."""
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    ensure_airflow_venv()
    work = tmp_path_factory.mktemp("blue-green-gate")
    ssm = local_aws.client("ssm")
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=PARAMETER)
    dags = work / "dags"
    dags.mkdir()
    shutil.copy(DAG_FILE, dags / DAG_FILE.name)
    aws_env = {
        "AWS_ENDPOINT_URL": local_aws.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    rounds: dict[str, dict] = {}
    with OpenLineageReceiverDouble() as receiver:
        t1 = time.monotonic()
        rendered = _render_options(local_aws, receiver.url, work / "options.json")
        timings["render_options_s"] = time.monotonic() - t1
        created = {
            "value": ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"],
            "tags": {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(
                ResourceType="Parameter", ResourceId=PARAMETER)["TagList"]},
        }
        local_aws.clear_calls()
        with contextlib.ExitStack() as stack:
            t2 = time.monotonic()
            afs = {c: stack.enter_context(AirflowEnvironment(work / c, dags, rendered[c], extra_env=aws_env))
                   for c in COLORS}
            for af in afs.values():
                af.wait_for_dag(DAG_ID, dag_file=DAG_FILE.name)
            timings["airflow_up_s"] = time.monotonic() - t2
            parse_calls = local_aws.calls(service="ssm")

            pool = stack.enter_context(ThreadPoolExecutor(max_workers=2))
            for name, value in (("blue", "blue"), ("green", "green"), ("deleted", None), ("garbage", "purple")):
                if value is None:
                    ssm.delete_parameter(Name=PARAMETER)
                else:
                    ssm.put_parameter(Name=PARAMETER, Value=value, Type="String", Overwrite=True)
                local_aws.clear_calls()
                t3 = time.monotonic()
                run_ids = dict(zip(COLORS, pool.map(
                    lambda c: afs[c].trigger(DAG_ID, f"2024-01-0{len(rounds) + 1}T00:00:00+00:00",
                                             run_id=f"{name}__{c}"), COLORS)))
                states = dict(zip(COLORS, pool.map(lambda c: afs[c].wait_for_run(DAG_ID, run_ids[c]), COLORS)))
                rounds[name] = {
                    "states": states,
                    "tasks": {c: afs[c].task_states(DAG_ID, run_ids[c]) for c in COLORS},
                    "gate_logs": {c: _gate_log(afs[c], run_ids[c]) for c in COLORS},
                    "ssm_calls": [c["operation"] for c in local_aws.calls(service="ssm")],
                }
                timings[f"round_{name}_s"] = time.monotonic() - t3
            import_errors = {c: af.import_errors() for c, af in afs.items()}
            t4 = time.monotonic()
        timings["stop_s"] = time.monotonic() - t4
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=PARAMETER)
    timings["total_s"] = time.monotonic() - t0
    print("\nblue/green gate timings: " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))
    return {"rendered": rendered, "created": created, "parse_calls": parse_calls, "rounds": rounds,
            "import_errors": import_errors}


def _ran(tasks: dict) -> bool:
    return tasks.get("check_active_color") == "success" and all(tasks.get(t) == "success" for t in WORK_TASKS)


def _skipped(tasks: dict) -> bool:
    return tasks.get("check_active_color") == "success" and all(tasks.get(t) == "skipped" for t in WORK_TASKS)


def test_options_tell_each_environment_its_color(gate):
    for color in COLORS:
        options = gate["rendered"][color]
        assert options["blue_green.color"] == color
        assert options["blue_green.parameter_name"] == PARAMETER
        assert options["openlineage.namespace"] == f"lineage-{color}-local"
    assert gate["import_errors"] == {"blue": {}, "green": {}}


def test_role_created_the_parameter_as_blue_with_tags(gate):
    assert gate["created"]["value"] == "blue"
    assert gate["created"]["tags"] == {"Project": "lineage", "Environment": "local",
                                       "ManagedBy": "dataplatform.mwaa_lineage"}


def test_nothing_reads_ssm_at_parse_time(gate):
    assert gate["parse_calls"] == [], gate["parse_calls"]


@pytest.mark.parametrize("active", COLORS)
def test_only_the_active_color_runs_the_work(gate, active):
    result = gate["rounds"][active]
    other = "green" if active == "blue" else "blue"
    assert result["states"] == {"blue": "success", "green": "success"}, result
    assert _ran(result["tasks"][active]), result["tasks"]
    assert _skipped(result["tasks"][other]), result["tasks"]
    # Read at run time, once per gate execution (one per color).
    assert result["ssm_calls"].count("GetParameter") == 2, result["ssm_calls"]
    assert "Running the work" in result["gate_logs"][active]
    assert f"{active} is active" in result["gate_logs"][other]


def test_deleted_parameter_fails_closed_in_both_colors(gate):
    result = gate["rounds"]["deleted"]
    for color in COLORS:
        assert _skipped(result["tasks"][color]), result["tasks"]
        assert "gate closed" in result["gate_logs"][color] and "ParameterNotFound" in result["gate_logs"][color]


def test_garbage_value_fails_closed_in_both_colors(gate):
    result = gate["rounds"]["garbage"]
    for color in COLORS:
        assert _skipped(result["tasks"][color]), result["tasks"]
        assert "holds 'purple', not blue or green" in result["gate_logs"][color]
