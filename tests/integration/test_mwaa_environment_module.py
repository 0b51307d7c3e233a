"""dataplatform.mwaa_lineage.mwaa_environment end to end: ansible-playbook against the local emulator.

Each step runs a one-task playbook (module_defaults through the collection's `mwaa` action group)
and checks the result, the emulator's request journal (which operations were made), and, through a
recording forwarder, the exact JSON body of every MWAA write. The journal records operations but
not bodies, and "the update carried only the changed field" needs the bodies.
"""

import http.client
import json
import os
import pathlib
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from playbook_runner import ModuleRun

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
PLAYBOOK_TIMEOUT = 300


class RecordingForwarder:
    """Test double in front of the emulator: forwards each request unchanged and records it."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.requests = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def writes(self, name):
        """JSON bodies of the PATCH /environments/<name> (UpdateEnvironment) requests."""
        with self._lock:
            return [
                json.loads(r["body"] or b"{}")
                for r in self.requests
                if r["method"] == "PATCH" and r["path"].split("?")[0] == f"/environments/{name}"
            ]

    def clear(self):
        with self._lock:
            self.requests.clear()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def _handler_class(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer._lock:
                    outer.requests.append({"method": self.command, "path": self.path, "body": body})
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                conn = http.client.HTTPConnection("127.0.0.1", outer.target_port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    self.send_response(response.status)
                    for key, value in response.getheaders():
                        if key.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    conn.close()

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        return Handler


@pytest.fixture(scope="module")
def forwarder(local_aws):
    fwd = RecordingForwarder(local_aws.port)
    yield fwd
    fwd.close()


@pytest.fixture
def apply(forwarder, tmp_path):
    """apply(args, check=False) -> Step: run the module once through ansible-playbook."""

    def run(args, check=False):
        play = [{
            "name": "mwaa_environment integration step",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {
                "group/dataplatform.mwaa_lineage.mwaa": {"endpoint_url": forwarder.url, "region": "us-east-1"},
            },
            "tasks": [{"name": "Apply the environment", "dataplatform.mwaa_lineage.mwaa_environment": args}],
        }]
        playbook = tmp_path / "play.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        env.update(
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_STDOUT_CALLBACK="json",
            ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
            ANSIBLE_NOCOLOR="1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        )
        cmd = [
            str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-c", "local",
            "-e", f"ansible_python_interpreter={sys.executable}",
        ]
        if check:
            cmd += ["--check", "--diff"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=PLAYBOOK_TIMEOUT, check=False)
        return ModuleRun(proc)

    return run


class Journal:
    """MWAA operations the emulator served since the last mark()."""

    def __init__(self, local_aws):
        self.local_aws = local_aws
        self.seq = 0
        self.mark()

    def mark(self):
        entries = self.local_aws.calls()
        self.seq = max((e["seq"] for e in entries), default=0)

    def since(self, mutating=None):
        return [e for e in self.local_aws.calls(service="airflow", mutating=mutating) if e["seq"] > self.seq]

    def writes(self):
        return [e["operation"] for e in self.since(mutating=True)]


def _base_args(name, prereq):
    network = prereq["NetworkConfiguration"]
    return {
        "name": name,
        "execution_role_arn": prereq["ExecutionRoleArn"],
        "source_bucket_arn": prereq["SourceBucketArn"],
        "dag_s3_path": "dags",
        "environment_class": "mw1.small",
        "min_workers": 1,
        "max_workers": 2,
        "network_configuration": {
            "subnet_ids": network["SubnetIds"],
            "security_group_ids": network["SecurityGroupIds"],
        },
        "logging_configuration": {"task_logs": {"enabled": True, "log_level": "INFO"}},
        "airflow_configuration_options": {"core.load_examples": False, "openlineage.namespace": "mwaamod-local"},
        "tags": {"Project": "mwaamod", "Environment": "local"},
    }


def test_create_idempotent_update_check_mode_delete(local_aws, forwarder, apply):
    prereq = local_aws.mwaa_prerequisites(prefix="mwaamod", cidr="10.61.0.0/16")
    name = "mwaamod-lifecycle"
    args = _base_args(name, prereq)
    journal = Journal(local_aws)

    # Long enough that the role is still "propagating" when ansible-playbook, started after it, first calls.
    default_propagation = local_aws.mwaa_settings()["iam_propagation_delay"]
    local_aws.mwaa_settings(iam_propagation_delay=12)
    try:
        created = apply(args)
    finally:
        local_aws.mwaa_settings(iam_propagation_delay=default_propagation)
    assert created.rc == 0, created
    assert created.stats["changed"] == 1
    assert created.result["environment"]["status"] == "AVAILABLE"
    assert any("core.load_examples" in str(w) for w in created.result.get("warnings", [])), created
    # The execution role was created a moment ago: the emulator refuses it while IAM "propagates", and the
    # module repeats the create until it is accepted. Every write is a CreateEnvironment attempt.
    assert created.result["attempts"] >= 2, created
    assert journal.writes() == ["CreateEnvironment"] * created.result["attempts"]

    journal.mark()
    again = apply(args)
    assert again.rc == 0, again
    assert again.stats["changed"] == 0, again
    assert journal.writes() == []
    assert [e["operation"] for e in journal.since()] == ["GetEnvironment"]

    journal.mark()
    forwarder.clear()
    updated = apply(dict(args, max_workers=3))
    assert updated.rc == 0, updated
    assert updated.stats["changed"] == 1
    assert updated.result["environment"]["max_workers"] == 3
    assert updated.result["environment"]["status"] == "AVAILABLE"
    assert journal.writes() == ["UpdateEnvironment"]
    assert forwarder.writes(name) == [{"MaxWorkers": 3}]

    journal.mark()
    planned = apply(dict(args, max_workers=4, tags={"Project": "mwaamod"}), check=True)
    assert planned.rc == 0, planned
    assert planned.stats["changed"] == 1
    assert planned.result["diff"]["before"] == {"max_workers": 3, "tags": {"Project": "mwaamod", "Environment": "local"}}
    assert planned.result["diff"]["after"] == {"max_workers": 4, "tags": {"Project": "mwaamod"}}
    assert journal.writes() == []

    journal.mark()
    other_subnet = local_aws.client("ec2").create_subnet(
        VpcId=local_aws.client("ec2").describe_subnets(SubnetIds=prereq["NetworkConfiguration"]["SubnetIds"][:1])
        ["Subnets"][0]["VpcId"],
        CidrBlock="10.61.9.0/24", AvailabilityZone="us-east-1c",
    )["Subnet"]["SubnetId"]
    moved = apply(dict(args, network_configuration={
        "subnet_ids": [prereq["NetworkConfiguration"]["SubnetIds"][0], other_subnet],
        "security_group_ids": prereq["NetworkConfiguration"]["SecurityGroupIds"],
    }))
    assert moved.rc != 0
    assert "Cannot change network_configuration.subnet_ids" in moved.result["msg"]
    assert journal.writes() == []

    journal.mark()
    deleted = apply({"name": name, "state": "absent"})
    assert deleted.rc == 0, deleted
    assert deleted.stats["changed"] == 1
    assert journal.writes() == ["DeleteEnvironment"]
    assert name not in local_aws.client("mwaa").list_environments()["Environments"]

    journal.mark()
    gone = apply({"name": name, "state": "absent"})
    assert gone.rc == 0, gone
    assert gone.stats["changed"] == 0
    assert journal.writes() == []


def test_injected_failures_report_the_last_update_error(local_aws, forwarder, apply):
    prereq = local_aws.mwaa_prerequisites(prefix="mwaamodf", cidr="10.62.0.0/16")
    journal = Journal(local_aws)

    # A create that ends in CREATE_FAILED.
    failing = "mwaamodf-create"
    local_aws.inject_fault("create_failed", name=failing, error_code="INCORRECT_CONFIGURATION",
                           error_message="The execution role cannot reach the bucket")
    broken = apply(_base_args(failing, prereq))
    assert broken.rc != 0
    assert broken.stats["failures"] == 1
    assert "CREATE_FAILED" in broken.result["msg"]
    assert "INCORRECT_CONFIGURATION: The execution role cannot reach the bucket" in broken.result["msg"]
    assert apply({"name": failing, "state": "absent"}).stats["changed"] == 1

    # An update that ends in UPDATE_FAILED (MWAA rolls back), then the retry that works.
    name = "mwaamodf-update"
    args = _base_args(name, prereq)
    assert apply(args).rc == 0
    local_aws.inject_fault("update_failed", name=name, error_code="WORKER_LIMIT",
                           error_message="MaxWorkers is above the account quota")
    journal.mark()
    forwarder.clear()
    failed = apply(dict(args, max_workers=5))
    assert failed.rc != 0
    assert "UPDATE_FAILED" in failed.result["msg"]
    assert "WORKER_LIMIT: MaxWorkers is above the account quota" in failed.result["msg"]
    assert failed.result["status"] == "UPDATE_FAILED"
    assert journal.writes() == ["UpdateEnvironment"]
    assert forwarder.writes(name) == [{"MaxWorkers": 5}]

    retried = apply(dict(args, max_workers=5))
    assert retried.rc == 0, retried
    assert retried.stats["changed"] == 1
    assert retried.result["environment"]["max_workers"] == 5
    assert retried.result["environment"]["status"] == "AVAILABLE"

    assert apply({"name": name, "state": "absent"}).rc == 0
