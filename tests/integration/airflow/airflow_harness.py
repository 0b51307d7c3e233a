"""A throwaway, real Airflow 3 for tests: the venv from scripts/airflow-venv.sh, a SQLite
metadata DB in a temp AIRFLOW_HOME, and the components MWAA runs (scheduler with
LocalExecutor, DAG processor, execution API server), all bound to 127.0.0.1.

Configuration is applied the way MWAA applies AirflowConfigurationOptions: every
``section.key`` option becomes the environment variable ``AIRFLOW__SECTION__KEY``
(mwaa_options_to_env). Ambient AIRFLOW_* / OPENLINEAGE_* variables are dropped so only the
options under test configure Airflow.

Reads of run state go to the SQLite file directly (read-only): an ``airflow`` CLI call costs
seconds of imports, a SQL query microseconds. Writes (trigger) go through the CLI.

Reusable by other real-Airflow proofs (e.g. the blue/green gate DAG)::

    venv = ensure_airflow_venv()
    with AirflowEnvironment(tmp_path, DAGS, options, extra_env={...}) as af:
        af.wait_for_dag("my_dag")
        run_id = af.trigger("my_dag", "2024-01-01T00:00:00+00:00")
        assert af.wait_for_run("my_dag", run_id) == "success"
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENV = Path(os.environ.get("AIRFLOW_VENV", ROOT / ".local" / "airflow-venv"))
DEFAULT_DAGS_FOLDER = ROOT / "roles" / "dags_bucket" / "files" / "dags"
_DROP_PREFIXES = ("AIRFLOW__", "AIRFLOW_", "OPENLINEAGE_")


def ensure_airflow_venv(timeout: int = 1800) -> Path:
    """Run scripts/airflow-venv.sh (a no-op when its stamp matches) and return the venv."""
    proc = subprocess.run(
        [str(ROOT / "scripts" / "airflow-venv.sh")],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
        env={**os.environ, "AIRFLOW_VENV": str(VENV)},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"scripts/airflow-venv.sh failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return VENV


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mwaa_options_to_env(options: dict[str, str]) -> dict[str, str]:
    """MWAA's mapping of AirflowConfigurationOptions to Airflow env vars:
    ``core.load_examples`` -> ``AIRFLOW__CORE__LOAD_EXAMPLES``. Values must already be strings
    (MWAA's API only takes strings)."""
    env = {}
    for key, value in options.items():
        section, sep, option = key.partition(".")
        if not sep or not section or not option or "." in option:
            raise ValueError(f"MWAA option key must be 'section.option': {key!r}")
        if not isinstance(value, str):
            raise TypeError(f"MWAA option values are strings; {key} is {type(value).__name__}")
        env[f"AIRFLOW__{section.upper()}__{option.upper()}"] = value
    return env


class AirflowEnvironment:
    """Scheduler + DAG processor + execution API of one Airflow 3, for one test."""

    def __init__(
        self,
        home: Path,
        dags_folder: Path = DEFAULT_DAGS_FOLDER,
        airflow_options: dict[str, str] | None = None,
        extra_env: dict[str, str] | None = None,
        venv: Path = VENV,
    ):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.venv = Path(venv)
        self.dags_folder = Path(dags_folder)
        self.db_path = self.home / "airflow.db"
        self.api_port = free_port()
        self.timings: dict[str, float] = {}
        self._procs: dict[str, subprocess.Popen] = {}

        env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP_PREFIXES)}
        env.update(mwaa_options_to_env(airflow_options or {}))
        # What MWAA's own image sets (its "essential" config, which wins over customer options):
        # where DAGs and the DB are, the executor, the execution API, the API JWT secret.
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db_path}",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            # Test conveniences, unrelated to lineage: no manual unpause, no .pyc in the repo.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        env.update(extra_env or {})
        self.env = env

    # -- processes ----------------------------------------------------------
    def _bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def cli(self, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [self._bin("airflow"), *args], cwd=self.home, env=self.env,
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def python(self, code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run code with the Airflow venv's interpreter in this environment."""
        return subprocess.run(
            [self._bin("python"), "-c", code, *args], cwd=self.home, env=self.env,
            capture_output=True, text=True, timeout=timeout, check=False,
        )

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.home / f"{name}.log").open("wb")
        # Own session: stop() signals the whole group (the scheduler forks task supervisors).
        self._procs[name] = subprocess.Popen(
            [self._bin("airflow"), *args], cwd=self.home, env=self.env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def start(self, timeout: float = 120, api_apps: str = "execution", scheduler: bool = True) -> AirflowEnvironment:
        """api_apps: the API server's --apps (add "core" for the REST API); scheduler=False when nothing runs."""
        t0 = time.monotonic()
        self.cli("db", "migrate", timeout=timeout)
        self.timings["db_migrate_s"] = time.monotonic() - t0

        t1 = time.monotonic()
        self._spawn("api-server", "api-server", "--apps", api_apps, "-H", "127.0.0.1",
                    "-p", str(self.api_port), "-w", "1")
        self._spawn("dag-processor", "dag-processor")
        if scheduler:
            # --skip-serve-logs: no log server listening on all interfaces.
            self._spawn("scheduler", "scheduler", "--skip-serve-logs")
        self._wait(self._api_healthy, timeout, "the execution API server to answer /execution/health")
        self.timings["components_up_s"] = time.monotonic() - t1
        return self

    def _api_healthy(self) -> bool:
        self._check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/execution/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def _check_alive(self) -> None:
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {proc.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        for proc in self._procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 20
        for proc in self._procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)

    def __enter__(self) -> AirflowEnvironment:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- metadata DB (read-only) --------------------------------------------
    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if not self.db_path.exists():
            return []
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # table not created yet / locked mid-write
            return []
        finally:
            conn.close()

    def import_errors(self) -> dict[str, str]:
        return dict(self.query("SELECT filename, stacktrace FROM import_error"))

    def wait_for_dag(self, dag_id: str, dag_file: str | None = None, timeout: float = 120) -> None:
        """Until the DAG processor has parsed and serialized dag_id. Fails fast on an import
        error of dag_file (a file name in the DAGs folder), or of any file if dag_file is None."""
        t0 = time.monotonic()

        def parsed():
            self._check_alive()
            errors = {f: e for f, e in self.import_errors().items()
                      if dag_file is None or Path(f).name == dag_file}
            if errors:
                raise AssertionError(f"DAG import errors: {json.dumps(errors, indent=1)}")
            return bool(self.query("SELECT 1 FROM serialized_dag WHERE dag_id = ?", (dag_id,)))

        self._wait(parsed, timeout, f"DAG {dag_id} to be parsed")
        self.timings["dag_parsed_s"] = time.monotonic() - t0

    def trigger(self, dag_id: str, logical_date: str, run_id: str | None = None, conf: dict | None = None) -> str:
        run_id = run_id or f"proof__{secrets.token_hex(4)}"
        args = ["dags", "trigger", dag_id, "-l", logical_date, "-r", run_id]
        if conf is not None:
            args += ["-c", json.dumps(conf)]
        self.cli(*args)
        return run_id

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 180) -> str:
        t0 = time.monotonic()
        state = {}

        def finished():
            self._check_alive()
            rows = self.query("SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", (dag_id, run_id))
            state["value"] = rows[0][0] if rows else None
            return state["value"] in ("success", "failed")

        self._wait(finished, timeout, f"run {run_id} of {dag_id} to finish")
        self.timings["dag_run_s"] = time.monotonic() - t0
        return state["value"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        return dict(self.query(
            "SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?", (dag_id, run_id)))

    # -- helpers ------------------------------------------------------------
    def _wait(self, predicate, timeout: float, what: str, interval: float = 0.5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(interval)
        logs = "\n".join(f"--- {n}.log\n{self.log_tail(n, 2000)}" for n in self._procs)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")
