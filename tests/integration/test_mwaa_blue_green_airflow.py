"""Real Airflow 3 proof of mwaa_blue_green's pause_dags: one Airflow 3.0.6 per color.

Two throwaway Airflows (tests/integration/airflow/airflow_harness.py, the venv from
scripts/airflow-venv.sh) each run a DAG processor and an API server with the core REST API
(/api/v2) and the simple auth manager, user `admin` with a password this test writes. The
emulator's MWAA InvokeRestApi forwards each environment's calls to its own Airflow, fetching a
JWT from POST /auth/token with those credentials, as MWAA signs calls into its web server.

The environments have public web servers (WebserverAccessMode PUBLIC_ONLY), the only kind MWAA
lets a control node outside the VPC reach through InvokeRestApi (MWAA user guide, "Using the
Apache Airflow REST API"). A second pair, PRIVATE_ONLY and forwarding to the same Airflows, shows
that the module refuses pause_dags there before any write or REST call, whether or not the
emulator itself refuses InvokeRestApi for private web servers.

The module runs through ansible-playbook. Asserted on each Airflow's metadata DB (read-only
SQLite): check mode lists the DAGs without changing them; a switch pauses the DAGs in the old
color and unpauses them in the new one; the idempotent re-run sends no PATCH; a rollback with
`previous` reverses both. Not proven: MWAA's own web server and IAM in front of InvokeRestApi.
Set AIRFLOW_PROOF_SKIP=1 to skip (CI must not).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration" / "airflow"))

from airflow_harness import AirflowEnvironment, ensure_airflow_venv  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("AIRFLOW_PROOF_SKIP", "") not in ("", "0"),
    reason="AIRFLOW_PROOF_SKIP is set: real-Airflow pause/unpause proof skipped on request",
)

BIN = Path(sys.executable).parent
DAG_IDS = ("bg_lineage", "bg_sales")
BLUE, GREEN = "bgaf-blue", "bgaf-green"
PRIVATE = {"blue": "bgaf-private-blue", "green": "bgaf-private-green"}
PARAMETER = "/mwaa/bgaf/local/blue-green/active-environment"
PRIVATE_PARAMETER = "/mwaa/bgaf-private/local/blue-green/active-environment"
DAG_FILE = """
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

for dag_id in {dag_ids!r}:
    with DAG(dag_id=dag_id, schedule=None, catchup=False) as dag:
        EmptyOperator(task_id="work")
    globals()[dag_id] = dag
"""


class ApiAirflow(AirflowEnvironment):
    """The harness's Airflow with the core REST API and auth, and no scheduler (nothing runs here)."""

    def __init__(self, home, dags_folder, paused_at_creation):
        self.password = secrets.token_urlsafe(16)
        super().__init__(home, dags_folder, extra_env={
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true" if paused_at_creation else "false",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(Path(home) / "passwords.json"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        })
        (Path(home) / "passwords.json").write_text(json.dumps({"admin": self.password}))
        (Path(home) / "passwords.json").chmod(0o600)

    def start(self, timeout: float = 120) -> "ApiAirflow":
        return super().start(timeout, api_apps="core,execution", scheduler=False)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.api_port}"

    def paused(self) -> dict[str, bool]:
        return {d: bool(p) for d, p in self.query("SELECT dag_id, is_paused FROM dag ORDER BY dag_id")}

    def wait_registered(self, timeout=120):
        self._wait(lambda: set(DAG_IDS) <= set(self.paused()), timeout, f"DAGs {DAG_IDS} in the dag table")


@pytest.fixture(scope="module")
def airflows(tmp_path_factory, local_aws):
    ensure_airflow_venv()
    work = tmp_path_factory.mktemp("bg-airflow")
    dags = work / "dags"
    dags.mkdir()
    (dags / "bg_dags.py").write_text(DAG_FILE.format(dag_ids=DAG_IDS))
    # Old color (blue) runs its DAGs; the new color (green) was deployed with them paused.
    colors = {BLUE: ApiAirflow(work / "blue", dags, paused_at_creation=False),
              GREEN: ApiAirflow(work / "green", dags, paused_at_creation=True)}
    errors = []

    def start(af):
        try:
            af.start()
            af.wait_registered()
        except BaseException as e:  # pylint: disable=broad-except
            errors.append(e)

    t0 = time.monotonic()
    threads = [threading.Thread(target=start, args=(af,)) for af in colors.values()]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        if errors or any(t.is_alive() for t in threads):
            raise RuntimeError(f"Airflow start failed: {errors}")
        print(f"two Airflows up in {time.monotonic() - t0:.1f} s: " + json.dumps({n: a.timings for n, a in colors.items()}))

        prereq = local_aws.mwaa_prerequisites(prefix="bgaf", cidr="10.78.0.0/16")
        mwaa = local_aws.client("mwaa")
        # Public pair for the pause proof; a private pair in front of the same two Airflows.
        targets = {BLUE: (colors[BLUE], "PUBLIC_ONLY"), GREEN: (colors[GREEN], "PUBLIC_ONLY"),
                   PRIVATE["blue"]: (colors[BLUE], "PRIVATE_ONLY"), PRIVATE["green"]: (colors[GREEN], "PRIVATE_ONLY")}
        for name, (af, mode) in targets.items():
            local_aws.create_mwaa_environment(Name=name, AirflowVersion="3.0.6", WebserverAccessMode=mode, **prereq)
            local_aws.set_airflow_target(name, base_url=af.base_url, username="admin", password=af.password)
        deadline = time.monotonic() + 30
        while any(mwaa.get_environment(Name=n)["Environment"]["Status"] != "AVAILABLE" for n in targets):
            assert time.monotonic() < deadline, "emulated environments did not become AVAILABLE"
            time.sleep(0.3)
        yield colors
    finally:
        for af in colors.values():
            af.stop()


@pytest.fixture
def switch(local_aws, tmp_path):
    for parameter in (PARAMETER, PRIVATE_PARAMETER):
        local_aws.client("ssm").put_parameter(Name=parameter, Value="blue", Type="String", Overwrite=True)

    def run(target, check=False, parameter=PARAMETER, environments=None, ok=True):
        environments = environments or {"blue": BLUE, "green": GREEN}
        play = [{
            "name": "pause proof", "hosts": "localhost", "gather_facts": False,
            "module_defaults": {"group/dataplatform.mwaa_lineage.mwaa": {
                "endpoint_url": local_aws.endpoint_url, "region": "us-east-1",
                "access_key": "testing", "secret_key": "testing"}},
            "tasks": [{"name": "Switch", "dataplatform.mwaa_lineage.mwaa_blue_green": {
                "parameter_name": parameter, "environments": environments,
                "target": target, "pause_dags": True}}],
        }]
        (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="json",
                   ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_NOCOLOR="1")
        cmd = [str(BIN / "ansible-playbook"), str(tmp_path / "play.yml"), "-i", "localhost,", "-c", "local",
               "-e", f"ansible_python_interpreter={sys.executable}"] + (["--check", "--diff"] if check else [])
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        data = json.loads(proc.stdout)
        result = data["plays"][0]["tasks"][0]["hosts"]["localhost"]
        assert (proc.returncode == 0) is ok, json.dumps(result, indent=1)
        return result

    return run


def patches(local_aws):
    return [c["detail"] for c in local_aws.calls(service="airflow", mutating=True)]


def test_pause_old_unpause_new_against_real_airflow(local_aws, airflows, switch):
    blue, green = airflows[BLUE], airflows[GREEN]
    all_paused = dict.fromkeys(DAG_IDS, True)
    all_running = dict.fromkeys(DAG_IDS, False)
    assert blue.paused() == all_running
    assert green.paused() == all_paused
    # The API really demands a JWT: without one Airflow refuses, so the emulator's token fetch
    # (POST /auth/token with the admin credentials) is what lets the module in.
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(f"{blue.base_url}/api/v2/dags", timeout=10)
    assert denied.value.code in (401, 403)

    local_aws.clear_calls()
    planned = switch("green", check=True)
    assert planned["changed"] is True
    assert (planned["paused"], planned["unpaused"]) == (list(DAG_IDS), list(DAG_IDS))
    assert patches(local_aws) == []
    assert (blue.paused(), green.paused()) == (all_running, all_paused)

    local_aws.clear_calls()
    switched = switch("green")
    assert (switched["before"], switched["after"]) == ("blue", "green")
    assert (switched["paused"], switched["unpaused"]) == (list(DAG_IDS), list(DAG_IDS))
    assert (blue.paused(), green.paused()) == (all_paused, all_running)
    # Old color first, so the two colors never run a DAG at the same time.
    assert patches(local_aws) == [f"PATCH /dags/{d}" for d in DAG_IDS] * 2

    local_aws.clear_calls()
    again = switch("green")
    assert again["changed"] is False
    assert patches(local_aws) == []

    back = switch("previous")
    assert (back["before"], back["after"]) == ("green", "blue")
    assert (blue.paused(), green.paused()) == (all_running, all_paused)


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_pause_dags_on_private_webservers_is_refused_before_any_write(local_aws, airflows, switch, check):
    blue, green = airflows[BLUE], airflows[GREEN]
    dags_before = (blue.paused(), green.paused())
    local_aws.clear_calls()

    refused = switch("green", check=check, parameter=PRIVATE_PARAMETER, environments=PRIVATE, ok=False)

    assert refused["failed"] is True
    assert refused["msg"].startswith("pause_dags=true cannot work for the MWAA environments ")
    for name in PRIVATE.values():
        assert f"'{name}' (WebserverAccessMode PRIVATE_ONLY)" in refused["msg"]
    assert "gate DAGs" in refused["msg"]
    # Refused on the environments' access mode: no InvokeRestApi at all, and no write anywhere.
    assert [c for c in local_aws.calls() if c.get("operation") == "InvokeRestApi"] == []
    assert local_aws.calls(mutating=True) == []
    assert local_aws.client("ssm").get_parameter(Name=PRIVATE_PARAMETER)["Parameter"]["Value"] == "blue"
    assert (blue.paused(), green.paused()) == dags_before
