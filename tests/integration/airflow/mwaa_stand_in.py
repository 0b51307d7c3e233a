"""MWAA stand-in for the site tests: a real Airflow 3 behind each emulated MWAA environment.

The emulator's MWAA (tools/local_aws/mwaa.py) has environments but no Airflow. For every environment
that becomes AVAILABLE, the stand-in does what MWAA does for it, with a real Airflow 3.0.6
(airflow_harness.AirflowEnvironment: scheduler, DAG processor, execution API):

* the DAGs are the environment's: every object under ``SourceBucketArn`` + ``DagS3Path`` in the
  emulator's S3, copied to the local DAGs folder;
* the configuration is the environment's ``AirflowConfigurationOptions`` as MWAA applies them
  (mwaa_options_to_env), plus what MWAA sets itself: ``AIRFLOW_ENV_NAME``, Airflow's default
  ``dags_are_paused_at_creation=True`` (so only DAGs that unpause themselves run), and the execution
  role's credentials, here a dummy access key (STAND_IN_ACCESS_KEY) for the emulator, so the DAG's
  PutMetricData lands in the emulator's CloudWatch;
* task logs go to CloudWatch Logs group ``airflow-<env>-Task`` (the group the emulator creates when
  the environment becomes AVAILABLE), one stream per log file named as MWAA names it (the file's path
  under the logs folder, ``:`` replaced by ``_``), one event per line;
* the environment's Airflow stops when the environment is deleted.

SIMULATED: the network hop and the clock.

* The OpenLineage transport URL in the options is the Marquez address inside the VPC (the standard
  instance's private IP, or the internal ALB's DNS name in HA), which does not exist on this machine.
  The options are left as they are; the Airflow processes get ``HTTP_PROXY`` pointing at a small
  forward proxy (MarquezRoute) that delivers requests for a Marquez address the emulator knows
  (running EC2 instances tagged ``Role=marquez`` and internal load balancers, port 5000) to the
  Marquez double, and refuses every other destination (403). ``NO_PROXY`` keeps the emulator and the
  execution API direct. When the double is down, the proxy answers 502, as an ALB without a healthy
  target does.
* The DAG runs every 5 minutes on its own schedule; each converged re-run of site.yml waits for a
  datapoint newer than its start, so the stand-in triggers the DAG every ``trigger_interval`` seconds
  (when no run of it is active) instead of waiting 5 minutes.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from airflow_harness import AirflowEnvironment, ensure_airflow_venv
from playbook_runner import STAND_IN_ACCESS_KEY
HEARTBEAT_DAG = "lineage_heartbeat"
MARQUEZ_API_PORT = 5000
RUNNING = ("AVAILABLE", "UPDATING", "UPDATE_FAILED", "MAINTENANCE")
UTC = datetime.timezone.utc


def _clients(local_aws, *services):
    import boto3
    from botocore.config import Config

    return [boto3.client(s, endpoint_url=local_aws.endpoint_url, region_name="us-east-1",
                         aws_access_key_id=STAND_IN_ACCESS_KEY, aws_secret_access_key="testing",
                         config=Config(inject_host_prefix=False)) for s in services]


class MarquezRoute:
    """HTTP forward proxy: Marquez addresses inside the (emulated) VPC -> the Marquez double."""

    def __init__(self, local_aws, double_url: str):
        self.double = urllib.parse.urlsplit(double_url)
        self._ec2, self._elbv2 = _clients(local_aws, "ec2", "elbv2")
        self.routed: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="marquez-route", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def marquez_addresses(self) -> set[str]:
        reservations = self._ec2.describe_instances(Filters=[
            {"Name": "tag:Role", "Values": ["marquez"]}, {"Name": "instance-state-name", "Values": ["running"]}])
        hosts = {i["PrivateIpAddress"] for r in reservations["Reservations"] for i in r["Instances"]
                 if i.get("PrivateIpAddress")}
        hosts |= {lb["DNSName"] for lb in self._elbv2.describe_load_balancers()["LoadBalancers"]
                  if lb.get("Scheme") == "internal"}
        return {f"{host}:{MARQUEZ_API_PORT}" for host in hosts}

    def _handler(self):
        route = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                target = urllib.parse.urlsplit(self.path)
                netloc = f"{target.hostname}:{target.port or 80}"
                if target.scheme != "http" or netloc not in route.marquez_addresses():
                    self._answer(403, f"stand-in network: no route to {netloc}")
                    return
                route.routed.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = target._replace(scheme=route.double.scheme, netloc=route.double.netloc).geturl()
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "proxy-connection", "connection", "content-length")}
                request = urllib.request.Request(upstream, data=body, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        self._answer(response.status, response.read(), response.headers.get("Content-Type"))
                except urllib.error.HTTPError as err:
                    self._answer(err.code, err.read(), err.headers.get("Content-Type"))
                except OSError as err:
                    self._answer(502, f"Marquez at {netloc} unreachable: {getattr(err, 'reason', err)}")

            def _answer(self, status, body, content_type=None):
                data = body if isinstance(body, bytes) else str(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type or "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> MarquezRoute:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.ident is not None:  # shutdown() waits for serve_forever, forever if it never ran
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


class _Environment:
    """One emulated MWAA environment's Airflow and its log shipping."""

    def __init__(self, stand_in: MwaaStandIn, description: dict):
        self.name = description["Name"]
        self.stand_in = stand_in
        self.home = stand_in.work / self.name
        self.airflow: AirflowEnvironment | None = None
        self.error: BaseException | None = None
        self.shipped: dict[Path, int] = {}
        self.triggered: list[str] = []
        self._last_trigger = time.monotonic()
        self._description = description

    def start(self) -> None:
        s3, = _clients(self.stand_in.local_aws, "s3")
        bucket = self._description["SourceBucketArn"].split(":::", 1)[1]
        prefix = self._description["DagS3Path"].strip("/") + "/"
        dags = self.home / "dags"
        shutil.rmtree(dags, ignore_errors=True)
        dags.mkdir(parents=True)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                relative = obj["Key"][len(prefix):]
                if relative and not relative.endswith("/"):
                    target = dags / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    s3.download_file(bucket, obj["Key"], str(target))
        local_aws = self.stand_in.local_aws
        extra_env = {
            "AIRFLOW_ENV_NAME": self.name,
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true",
            "AWS_ENDPOINT_URL": local_aws.endpoint_url, "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": STAND_IN_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "HTTP_PROXY": self.stand_in.route.url, "http_proxy": self.stand_in.route.url,
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        }
        self.airflow = AirflowEnvironment(self.home / "airflow", dags,
                                          self._description.get("AirflowConfigurationOptions") or {},
                                          extra_env=extra_env)
        try:
            self.airflow.start()
            self.airflow.wait_for_dag(HEARTBEAT_DAG, dag_file=f"{HEARTBEAT_DAG}.py")
        except BaseException:
            self.airflow.stop()
            raise
        self._last_trigger = time.monotonic()

    def tick(self) -> None:
        """Ship new task log lines; trigger the heartbeat when it is due and none is active."""
        self.ship_logs()
        if time.monotonic() - self._last_trigger < self.stand_in.trigger_interval:
            return
        active = self.airflow.query("SELECT 1 FROM dag_run WHERE dag_id = ? AND state IN ('queued', 'running')",
                                    (HEARTBEAT_DAG,))
        if not active:
            now = datetime.datetime.now(UTC).isoformat()
            self.triggered.append(self.airflow.trigger(HEARTBEAT_DAG, now, run_id=f"stand_in__{now}"))
        self._last_trigger = time.monotonic()

    def ship_logs(self) -> None:
        logs_dir = self.airflow.home / "logs"
        logs, = _clients(self.stand_in.local_aws, "logs")
        for path in sorted(logs_dir.glob("dag_id=*/run_id=*/task_id=*/attempt=*.log")):
            try:
                self.shipped[path] = ship_task_log(logs, f"airflow-{self.name}-Task", logs_dir, path,
                                                   self.shipped.get(path))
            except logs.exceptions.ResourceNotFoundException:
                return  # the group is gone: the environment is being deleted

    def stop(self) -> None:
        if self.airflow is not None:
            with contextlib.suppress(Exception):
                self.ship_logs()
            self.airflow.stop()


def ship_task_log(logs, group: str, logs_dir: Path, path: Path, shipped: int | None = None) -> int | None:
    """Copy the complete lines of Airflow task log ``path`` after the first ``shipped`` ones into CloudWatch
    Logs ``group``, as MWAA's task log handler writes them: stream = the path under the logs folder with
    ``:`` replaced by ``_``, one event per line, the JSON record without its timestamp. ``shipped=None``:
    the stream is not created yet. Returns the number of lines shipped so far (None: still none)."""
    text = path.read_text(errors="replace")
    complete = text[: text.rfind("\n") + 1].splitlines()
    new = complete[shipped or 0:]
    if not new:
        return shipped
    stream = log_stream_name(logs_dir, path)
    if shipped is None:
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = sorted((_event(line) for line in new), key=lambda e: e["timestamp"])
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    return len(complete)


def log_stream_name(logs_dir: Path, path: Path) -> str:
    return path.relative_to(logs_dir).as_posix().replace(":", "_")


def _event(line: str) -> dict:
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        record = {"event": line}
    moment = record.pop("timestamp", None)
    try:
        stamp = datetime.datetime.fromisoformat(moment) if moment else datetime.datetime.now(UTC)
    except ValueError:
        stamp = datetime.datetime.now(UTC)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)  # Airflow writes task log times in UTC without an offset
    return {"timestamp": int(stamp.timestamp() * 1000), "message": json.dumps(record)}


class MwaaStandIn:
    """Watches the emulator's MWAA environments and runs an Airflow behind each AVAILABLE one.

    with MwaaStandIn(local_aws, work_dir, double.url) as stand_in:
        ...  # run site.yml; stand_in.environments[name].airflow is that environment's Airflow
    """

    def __init__(self, local_aws, work: Path, marquez_double_url: str, trigger_interval: float = 20,
                 poll_interval: float = 1):
        self.local_aws = local_aws
        self.work = Path(work)
        self.trigger_interval = trigger_interval
        self.poll_interval = poll_interval
        self.route = MarquezRoute(local_aws, marquez_double_url)
        self.environments: dict[str, _Environment] = {}
        self.errors: list[str] = []
        self.failed: set[str] = set()
        self._starting: _Environment | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="mwaa-stand-in", daemon=True)

    def start(self) -> MwaaStandIn:
        ensure_airflow_venv()
        self.route.start()
        self._thread.start()
        return self

    def _watch(self) -> None:
        mwaa, = _clients(self.local_aws, "mwaa")
        while not self._stop.wait(self.poll_interval):
            try:
                self._poll(mwaa)
            except Exception as err:  # pylint: disable=broad-except
                # The watch goes on; the error shows in the failing test's captured output.
                self.errors.append(f"{type(err).__name__}: {err}")
                print(f"mwaa stand-in: {self.errors[-1]}", file=sys.stderr)

    def _poll(self, mwaa) -> None:
        names = mwaa.list_environments()["Environments"]
        for name in names:
            description = mwaa.get_environment(Name=name)["Environment"]
            known = self.environments.get(name)
            if description["Status"] == "AVAILABLE" and known is None and name not in self.failed:
                environment = self._starting = _Environment(self, description)
                try:
                    environment.start()
                except Exception:
                    self.failed.add(name)  # once: a broken start would fail the same way again
                    raise
                finally:
                    self._starting = None
                self.environments[name] = environment
                if self._stop.is_set():
                    return
            elif known is not None and description["Status"] not in RUNNING:
                self.environments.pop(name).stop()
        for name in set(self.environments) - set(names):
            self.environments.pop(name).stop()
        for environment in list(self.environments.values()):
            environment.tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=60)
        starting = self._starting
        if starting is not None and starting.airflow is not None:
            starting.airflow.stop()  # still migrating or parsing: its processes must not outlive the test
        for environment in list(self.environments.values()):
            environment.stop()
        self.environments.clear()
        self.route.stop()

    def __enter__(self) -> MwaaStandIn:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def stand_in_with_marquez_double(local_aws, work: Path, **kwargs):
    """A started MwaaStandIn whose Marquez route leads to a started OpenLineage receiver double
    (tests/doubles/openlineage_receiver.py: Marquez's POST /api/v1/lineage and job read-back), as
    ``stand_in.marquez``; a test stops it to make Marquez unreachable. Both stop at the end."""
    from openlineage_receiver import OpenLineageReceiverDouble

    double = OpenLineageReceiverDouble().start()
    try:
        with MwaaStandIn(local_aws, work, double.url, **kwargs) as stand_in:
            stand_in.marquez = double
            yield stand_in
    finally:
        with contextlib.suppress(Exception):
            double.stop()
